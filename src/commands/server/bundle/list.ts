import { Flags } from '@oclif/core';

import type { BundleMessage } from '../../../embedded/server/api/convert.js';
import { callUnary } from '../../../embedded/server/cli/admin-client.js';
import { bundleFormatFlag, formatBundle } from '../../../embedded/server/cli/bundle-flags.js';
import { outputFlag, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { formatSpireJson } from '../../../embedded/server/cli/spire-json.js';

// SPIRE's `bundle list` frames each trust domain with a banner of 40 asterisks.
const BANNER = '*'.repeat(40);

/** `server bundle list`: prints federated bundles, like `spire-server bundle list`. */
export class ServerBundleList extends SpireServerCommand {
  static override summary = 'List federated bundles.';
  static override examples = ['<%= config.bin %> server bundle list', '<%= config.bin %> server bundle list -id spiffe://other.org -format spiffe'];

  static override flags = {
    id: Flags.string({ description: 'The trust domain SPIFFE ID of the bundle to show. If not set, all trust bundles are shown.' }),
    format: bundleFormatFlag,
    socketPath: socketPathFlag,
    output: outputFlag,
  };

  async run(): Promise<{ bundles: BundleMessage[] }> {
    const { flags } = await this.parse(ServerBundleList);
    const bundles = await this.withAdminClients(flags.socketPath, async (clients) => {
      if (flags.id !== undefined) return [await callUnary<BundleMessage>(clients.bundle, 'GetFederatedBundle', { trust_domain: flags.id })];
      const response = await callUnary<{ bundles: BundleMessage[] }>(clients.bundle, 'ListFederatedBundles', {});
      return response.bundles;
    });

    if (flags.output === 'json') {
      process.stdout.write(formatSpireJson(flags.id !== undefined ? bundles[0] : { bundles, next_page_token: '' }));
      return { bundles };
    }
    if (flags.id !== undefined) {
      process.stdout.write(formatBundle(bundles[0]!, flags.format));
      return { bundles };
    }
    const sections = bundles.map((bundle) => `${BANNER}\n* ${bundle.trust_domain}\n${BANNER}\n${formatBundle(bundle, flags.format)}`);
    process.stdout.write(sections.join('\n'));
    return { bundles };
  }
}
