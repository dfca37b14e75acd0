import { callUnary } from '../../../embedded/server/cli/admin-client.js';
import { agentIdFlag, readAgentIdFlag } from '../../../embedded/server/cli/agent-id-flag.js';
import { outputFlag, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { formatSpireJson } from '../../../embedded/server/cli/spire-json.js';

/** `server agent ban`: calls BanAgent, like `spire-server agent ban`. */
export class ServerAgentBan extends SpireServerCommand {
  static override summary = 'Ban an attested agent so it cannot attest again until evicted.';
  static override examples = ['<%= config.bin %> server agent ban -spiffeID spiffe://example.org/spire/agent/join_token/abc'];

  static override flags = { spiffeID: agentIdFlag, socketPath: socketPathFlag, output: outputFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServerAgentBan);
    const id = readAgentIdFlag(flags.spiffeID);
    await this.withAdminClients(flags.socketPath, (clients) => callUnary(clients.agent, 'BanAgent', { id }));
    process.stdout.write(flags.output === 'json' ? formatSpireJson({}) : 'Agent banned successfully\n');
  }
}
