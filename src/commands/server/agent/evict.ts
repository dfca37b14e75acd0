import { callUnary } from '../../../embedded/server/cli/admin-client.js';
import { agentIdFlag, readAgentIdFlag } from '../../../embedded/server/cli/agent-id-flag.js';
import { outputFlag, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { formatSpireJson } from '../../../embedded/server/cli/spire-json.js';

/** `server agent evict`: calls DeleteAgent, like `spire-server agent evict`. */
export class ServerAgentEvict extends SpireServerCommand {
  static override summary = 'Evict an attested agent so it must attest again.';
  static override examples = ['<%= config.bin %> server agent evict -spiffeID spiffe://example.org/spire/agent/join_token/abc'];

  static override flags = { spiffeID: agentIdFlag, socketPath: socketPathFlag, output: outputFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServerAgentEvict);
    const id = readAgentIdFlag(flags.spiffeID);
    await this.withAdminClients(flags.socketPath, (clients) => callUnary(clients.agent, 'DeleteAgent', { id }));
    process.stdout.write(flags.output === 'json' ? formatSpireJson({}) : 'Agent evicted successfully\n');
  }
}
