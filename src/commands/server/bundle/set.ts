import { readFileSync } from 'node:fs';

import { Flags } from '@oclif/core';

import { callUnary, codeName } from '../../../embedded/server/cli/admin-client.js';
import { parseBundleText } from '../../../embedded/server/cli/bundle-format.js';
import { bundleFormatFlag } from '../../../embedded/server/cli/bundle-flags.js';
import { outputFlag, ServerCommandError, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { formatSpireJson } from '../../../embedded/server/cli/spire-json.js';
import { UserError } from '../../../errors.js';

/** `server bundle set`: creates or replaces a federated bundle, like `spire-server bundle set`. */
export class ServerBundleSet extends SpireServerCommand {
  static override summary = 'Create or replace a federated bundle.';
  static override examples = ['<%= config.bin %> server bundle set -id spiffe://other.org -path other.pem'];

  static override flags = {
    id: Flags.string({ description: 'SPIFFE ID of the trust domain.' }),
    path: Flags.string({ description: 'Path to the bundle data; read from stdin when unset.' }),
    format: bundleFormatFlag,
    socketPath: socketPathFlag,
    output: outputFlag,
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(ServerBundleSet);
    if (flags.id === undefined || flags.id === '') {
      throw new UserError('id is required', { suggestions: ['Pass -id spiffe://<trust domain>.'] });
    }
    const source = flags.path ?? 'stdin';
    let text: string;
    try {
      text = readFileSync(flags.path ?? 0, 'utf8');
    } catch (error) {
      throw new UserError(`failed to read bundle from ${source}: ${(error as Error).message}`, { suggestions: ['Pass -path with a readable bundle file.'] });
    }
    const bundle = { trust_domain: flags.id, ...parseBundleText(text, flags.format as 'pem' | 'spiffe', source) };

    const response = await this.withAdminClients(flags.socketPath, (clients) =>
      callUnary<{ results: { status: { code: number; message: string } }[] }>(clients.bundle, 'BatchSetFederatedBundle', { bundle: [bundle] }),
    );
    if (flags.output === 'json') process.stdout.write(formatSpireJson(response));
    const status = response.results[0]!.status;
    if (status.code !== 0) {
      throw new ServerCommandError(`failed to set federated bundle (code: ${codeName(status.code)}, msg: "${status.message}")`);
    }
    if (flags.output !== 'json') process.stdout.write('bundle set.\n');
    return response;
  }
}
