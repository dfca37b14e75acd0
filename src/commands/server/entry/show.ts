import { Flags } from '@oclif/core';

import type { EntryMessage } from '../../../embedded/server/api/convert.js';
import { callUnary } from '../../../embedded/server/cli/admin-client.js';
import { readIdFlag } from '../../../embedded/server/cli/entry-flags.js';
import { formatEntry, formatFoundEntries, sortEntries } from '../../../embedded/server/cli/entry-output.js';
import { buildEntryFilter, matchFlag } from '../../../embedded/server/cli/entry-filter-flags.js';
import { outputFlag, ServerCommandError, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { formatSpireJson } from '../../../embedded/server/cli/spire-json.js';
import { UserError } from '../../../errors.js';
import { isRpcError } from '../../../embedded/server/cli/admin-client.js';

/** SPIRE's CLI lists entries in pages of this size. */
const PAGE_SIZE = 500;

/** `server entry show`: lists registration entries, like `spire-server entry show`. */
export class ServerEntryShow extends SpireServerCommand {
  static override summary = 'Display registration entries.';
  static override examples = ['<%= config.bin %> server entry show -spiffeID spiffe://example.org/api', '<%= config.bin %> server entry show -selector k8s:ns:default -matchSelectorsOn any'];

  static override flags = {
    entryID: Flags.string({ description: 'The entry ID of the record to show.' }),
    spiffeID: Flags.string({ description: 'The SPIFFE ID of the records to show.' }),
    parentID: Flags.string({ description: 'The parent ID of the records to show.' }),
    selector: Flags.string({ description: 'A colon-delimited type:value selector. Can be used more than once.', multiple: true }),
    matchSelectorsOn: matchFlag('selectors'),
    federatesWith: Flags.string({ description: 'SPIFFE ID of a trust domain an entry is federated with. Can be used more than once.', multiple: true }),
    matchFederatesWithOn: matchFlag('federated trust domains'),
    hint: Flags.string({ description: 'The hint of the records to show.' }),
    downstream: Flags.boolean({ description: 'Show only downstream entries; without it only entries that are not downstream are shown.', default: false }),
    socketPath: socketPathFlag,
    output: outputFlag,
  };

  async run(): Promise<{ entries: EntryMessage[]; next_page_token: string }> {
    const { flags } = await this.parse(ServerEntryShow);
    const entries = await this.withAdminClients(flags.socketPath, async (clients) => {
      if (flags.entryID !== undefined) {
        const others = ['spiffeID', 'parentID', 'selector', 'federatesWith', 'hint'].filter((name) => (flags as Record<string, unknown>)[name] !== undefined);
        if (others.length > 0 || flags.downstream) {
          throw new UserError("the -entryID flag can't be combined with others", { suggestions: ['Pass -entryID alone, or drop it and filter with the other flags.'] });
        }
        try {
          return [await callUnary<EntryMessage>(clients.entry, 'GetEntry', { id: flags.entryID })];
        } catch (error) {
          if (isRpcError(error)) throw new ServerCommandError(`error fetching entry ID ${flags.entryID}: ${error.message}`);
          throw error;
        }
      }

      const filter = buildEntryFilter({
        ...flags,
        spiffeId: flags.spiffeID === undefined ? undefined : readIdFlag('spiffeID', flags.spiffeID),
        parentId: flags.parentID === undefined ? undefined : readIdFlag('parentID', flags.parentID),
      });
      const collected: EntryMessage[] = [];
      let pageToken = '';
      do {
        const page = await callUnary<{ entries: EntryMessage[]; next_page_token: string }>(clients.entry, 'ListEntries', { filter, page_size: PAGE_SIZE, page_token: pageToken });
        collected.push(...page.entries);
        pageToken = page.next_page_token;
      } while (pageToken !== '');
      return collected;
    });

    const sorted = sortEntries(entries);
    const result = { entries: sorted, next_page_token: '' };
    if (flags.output === 'json') {
      process.stdout.write(formatSpireJson(result));
    } else {
      process.stdout.write(formatFoundEntries(sorted.length) + sorted.map(formatEntry).join(''));
    }
    return result;
  }
}
