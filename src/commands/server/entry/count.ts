import { Flags } from '@oclif/core';

import { callUnary } from '../../../embedded/server/cli/admin-client.js';
import { readIdFlag } from '../../../embedded/server/cli/entry-flags.js';
import { buildEntryFilter, matchFlag } from '../../../embedded/server/cli/entry-filter-flags.js';
import { outputFlag, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { formatSpireJson } from '../../../embedded/server/cli/spire-json.js';

/** `server entry count`: counts registration entries, like `spire-server entry count`. */
export class ServerEntryCount extends SpireServerCommand {
  static override summary = 'Count registration entries.';
  static override examples = ['<%= config.bin %> server entry count -parentID spiffe://example.org/spire/agent/join_token/abc'];

  static override flags = {
    spiffeID: Flags.string({ description: 'The SPIFFE ID of the records to count.' }),
    parentID: Flags.string({ description: 'The parent ID of the records to count.' }),
    selector: Flags.string({ description: 'A colon-delimited type:value selector. Can be used more than once.', multiple: true }),
    matchSelectorsOn: matchFlag('selectors'),
    federatesWith: Flags.string({ description: 'SPIFFE ID of a trust domain an entry is federated with. Can be used more than once.', multiple: true }),
    matchFederatesWithOn: matchFlag('federated trust domains'),
    hint: Flags.string({ description: 'The hint of the records to count.' }),
    downstream: Flags.boolean({ description: 'Count only downstream entries; without it only entries that are not downstream are counted.', default: false }),
    socketPath: socketPathFlag,
    output: outputFlag,
  };

  async run(): Promise<{ count: number }> {
    const { flags } = await this.parse(ServerEntryCount);
    const filter = buildEntryFilter({
      ...flags,
      spiffeId: flags.spiffeID === undefined ? undefined : readIdFlag('spiffeID', flags.spiffeID),
      parentId: flags.parentID === undefined ? undefined : readIdFlag('parentID', flags.parentID),
    });
    const response = await this.withAdminClients(flags.socketPath, (clients) => callUnary<{ count: number }>(clients.entry, 'CountEntries', { filter }));
    process.stdout.write(flags.output === 'json' ? formatSpireJson(response) : `${response.count} registration ${response.count === 1 ? 'entry' : 'entries'}\n`);
    return response;
  }
}
