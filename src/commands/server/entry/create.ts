import { callUnary } from '../../../embedded/server/cli/admin-client.js';
import { entryFlags, entryFromFlags, readEntriesFromData } from '../../../embedded/server/cli/entry-flags.js';
import { reportEntryResults, type EntryResult } from '../../../embedded/server/cli/entry-results.js';
import { outputFlag, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { Flags } from '@oclif/core';

/** `server entry create`: creates registration entries, like `spire-server entry create`. */
export class ServerEntryCreate extends SpireServerCommand {
  static override summary = 'Create registration entries.';
  static override examples = [
    '<%= config.bin %> server entry create -spiffeID spiffe://example.org/api -parentID spiffe://example.org/spire/agent/join_token/abc -selector unix:uid:1000',
  ];

  static override flags = {
    ...entryFlags,
    entryID: Flags.string({ description: 'A custom ID for this registration entry (optional). If not set, a new entry ID will be generated.', default: '' }),
    socketPath: socketPathFlag,
    output: outputFlag,
  };

  async run(): Promise<{ results: EntryResult[] }> {
    const { flags } = await this.parse(ServerEntryCreate);
    const entries = flags.data === undefined ? [entryFromFlags(flags, flags.entryID)] : readEntriesFromData(flags.data);

    const response = await this.withAdminClients(flags.socketPath, (clients) =>
      callUnary<{ results: EntryResult[] }>(clients.entry, 'BatchCreateEntry', { entries }),
    );
    reportEntryResults(response.results, entries, flags.output, 'create');
    return response;
  }
}
