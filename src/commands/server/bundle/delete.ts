import { Flags } from '@oclif/core';

import { callUnary, codeName } from '../../../embedded/server/cli/admin-client.js';
import { outputFlag, ServerCommandError, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { formatSpireJson } from '../../../embedded/server/cli/spire-json.js';
import { UserError } from '../../../errors.js';

/** `server bundle delete`: deletes a federated bundle, like `spire-server bundle delete`. */
export class ServerBundleDelete extends SpireServerCommand {
  static override summary = 'Delete a federated bundle.';
  static override examples = ['<%= config.bin %> server bundle delete -id spiffe://other.org -mode dissociate'];

  static override flags = {
    id: Flags.string({ description: 'SPIFFE ID of the trust domain.' }),
    mode: Flags.string({
      description: 'What to do with entries that federate with the trust domain: restrict (refuse to delete), delete them, or dissociate them.',
      default: 'restrict',
      options: ['restrict', 'delete', 'dissociate'],
    }),
    socketPath: socketPathFlag,
    output: outputFlag,
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(ServerBundleDelete);
    if (flags.id === undefined || flags.id === '') {
      throw new UserError('id is required', { suggestions: ['Pass -id spiffe://<trust domain>.'] });
    }
    const response = await this.withAdminClients(flags.socketPath, (clients) =>
      callUnary<{ results: { status: { code: number; message: string } }[] }>(clients.bundle, 'BatchDeleteFederatedBundle', {
        trust_domains: [flags.id],
        mode: flags.mode.toUpperCase(),
      }),
    );
    if (flags.output === 'json') process.stdout.write(formatSpireJson(response));
    const status = response.results[0]!.status;
    if (status.code !== 0) {
      throw new ServerCommandError(`failed to delete federated bundle (code: ${codeName(status.code)}, msg: "${status.message}")`);
    }
    if (flags.output !== 'json') process.stdout.write('bundle deleted.\n');
    return response;
  }
}
