import { Flags } from '@oclif/core';

import { callUnary } from '../../../embedded/server/cli/admin-client.js';
import { entryFlags, entryFromFlags, readEntriesFromData } from '../../../embedded/server/cli/entry-flags.js';
import { reportEntryResults, type EntryResult } from '../../../embedded/server/cli/entry-results.js';
import { outputFlag, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { UserError } from '../../../errors.js';

/** `server entry update`: replaces every field of registration entries, like `spire-server entry update`. */
export class ServerEntryUpdate extends SpireServerCommand {
  static override summary = 'Update registration entries.';
  static override examples = [
    '<%= config.bin %> server entry update -entryID 5f8c… -spiffeID spiffe://example.org/api -parentID spiffe://example.org/spire/agent/join_token/abc -selector unix:uid:1001',
  ];

  static override flags = {
    ...entryFlags,
    entryID: Flags.string({ description: 'The registration entry ID of the record to update.' }),
    socketPath: socketPathFlag,
    output: outputFlag,
  };

  async run(): Promise<{ results: EntryResult[] }> {
    const { flags } = await this.parse(ServerEntryUpdate);
    if (flags.data === undefined && (flags.entryID === undefined || flags.entryID === '')) {
      throw new UserError('entry ID is required', { suggestions: ['Pass -entryID with the ID that entry show prints.'] });
    }
    const entries = flags.data === undefined ? [entryFromFlags(flags, flags.entryID!, 'update')] : readEntriesFromData(flags.data);

    const response = await this.withAdminClients(flags.socketPath, (clients) =>
      callUnary<{ results: EntryResult[] }>(clients.entry, 'BatchUpdateEntry', { entries }),
    );
    reportEntryResults(response.results, entries, flags.output, 'update');
    return response;
  }
}
