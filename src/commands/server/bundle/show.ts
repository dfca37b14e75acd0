import type { BundleMessage } from '../../../embedded/server/api/convert.js';
import { callUnary } from '../../../embedded/server/cli/admin-client.js';
import { bundleFormatFlag, formatBundle } from '../../../embedded/server/cli/bundle-flags.js';
import { outputFlag, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { formatSpireJson } from '../../../embedded/server/cli/spire-json.js';

/** `server bundle show`: prints the server's trust bundle, like `spire-server bundle show`. */
export class ServerBundleShow extends SpireServerCommand {
  static override summary = 'Print the server trust bundle.';
  static override examples = ['<%= config.bin %> server bundle show -format spiffe'];

  static override flags = { format: bundleFormatFlag, socketPath: socketPathFlag, output: outputFlag };

  async run(): Promise<BundleMessage> {
    const { flags } = await this.parse(ServerBundleShow);
    const bundle = await this.withAdminClients(flags.socketPath, (clients) => callUnary<BundleMessage>(clients.bundle, 'GetBundle', {}));
    process.stdout.write(flags.output === 'json' ? formatSpireJson(bundle) : formatBundle(bundle, flags.format));
    return bundle;
  }
}
