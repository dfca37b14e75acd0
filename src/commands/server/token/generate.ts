import { Flags } from '@oclif/core';

import { callUnary } from '../../../embedded/server/cli/admin-client.js';
import { readIdFlag } from '../../../embedded/server/cli/entry-flags.js';
import { outputFlag, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { formatSpireJson } from '../../../embedded/server/cli/spire-json.js';

/** `server token generate`: creates a join token, like `spire-server token generate`. */
export class ServerTokenGenerate extends SpireServerCommand {
  static override summary = 'Generate a join token for agent attestation.';
  static override examples = ['<%= config.bin %> server token generate -spiffeID spiffe://example.org/node1 -ttl 3600'];

  static override flags = {
    spiffeID: Flags.string({ description: 'Additional SPIFFE ID to assign the token owner (optional).' }),
    ttl: Flags.integer({ description: 'Token TTL in seconds.', default: 600 }),
    socketPath: socketPathFlag,
    output: outputFlag,
  };

  async run(): Promise<{ value: string; expires_at: string }> {
    const { flags } = await this.parse(ServerTokenGenerate);
    const agentId = flags.spiffeID === undefined ? undefined : readIdFlag('spiffeID', flags.spiffeID);

    const token = await this.withAdminClients(flags.socketPath, (clients) =>
      callUnary<{ value: string; expires_at: string }>(clients.agent, 'CreateJoinToken', { ttl: flags.ttl, ...(agentId ? { agent_id: agentId } : {}) }),
    );
    if (flags.output === 'json') {
      process.stdout.write(formatSpireJson(token));
      return token;
    }
    process.stdout.write(`Token: ${token.value}\n`);
    if (agentId === undefined) process.stdout.write('Warning: Missing SPIFFE ID.\n');
    return token;
  }
}
