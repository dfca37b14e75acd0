import { Flags } from '@oclif/core';

import { callUnary } from '../../../embedded/server/cli/admin-client.js';
import { outputFlag, ServerCommandError, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { formatSpireJson } from '../../../embedded/server/cli/spire-json.js';
import { UserError } from '../../../errors.js';

interface DeleteResult {
  status: { code: number; message: string };
  id: string;
}

/** `server entry delete`: deletes a registration entry, like `spire-server entry delete`. */
export class ServerEntryDelete extends SpireServerCommand {
  static override summary = 'Delete a registration entry.';
  static override examples = ['<%= config.bin %> server entry delete -entryID 5f8c…'];

  static override flags = {
    entryID: Flags.string({ description: 'The registration entry ID of the record to delete.' }),
    socketPath: socketPathFlag,
    output: outputFlag,
  };

  async run(): Promise<{ results: DeleteResult[] }> {
    const { flags } = await this.parse(ServerEntryDelete);
    if (flags.entryID === undefined || flags.entryID === '') {
      throw new UserError('an entry ID is required', { suggestions: ['Pass -entryID with the ID that entry show prints.'] });
    }

    const response = await this.withAdminClients(flags.socketPath, (clients) =>
      callUnary<{ results: DeleteResult[] }>(clients.entry, 'BatchDeleteEntry', { ids: [flags.entryID] }),
    );
    if (flags.output === 'json') process.stdout.write(formatSpireJson(response));
    for (const result of response.results) {
      if (result.status.code !== 0) {
        throw new ServerCommandError(`failed to delete entry: ${result.status.message}`);
      }
      if (flags.output !== 'json') process.stdout.write(`Deleted entry with ID: ${result.id}\n`);
    }
    return response;
  }
}
