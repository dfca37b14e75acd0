import type { AgentMessage } from '../../../embedded/server/api/convert.js';
import { callUnary } from '../../../embedded/server/cli/admin-client.js';
import { agentIdFlag, readAgentIdFlag } from '../../../embedded/server/cli/agent-id-flag.js';
import { formatAgent } from '../../../embedded/server/cli/agent-output.js';
import { outputFlag, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { formatSpireJson } from '../../../embedded/server/cli/spire-json.js';

/** `server agent show`: prints one attested agent, like `spire-server agent show`. */
export class ServerAgentShow extends SpireServerCommand {
  static override summary = 'Show the details of an attested agent.';
  static override examples = ['<%= config.bin %> server agent show -spiffeID spiffe://example.org/spire/agent/join_token/abc'];

  static override flags = { spiffeID: agentIdFlag, socketPath: socketPathFlag, output: outputFlag };

  async run(): Promise<AgentMessage> {
    const { flags } = await this.parse(ServerAgentShow);
    const id = readAgentIdFlag(flags.spiffeID);
    const agent = await this.withAdminClients(flags.socketPath, (clients) => callUnary<AgentMessage>(clients.agent, 'GetAgent', { id }));
    process.stdout.write(flags.output === 'json' ? formatSpireJson(agent) : `Found an attested agent given its SPIFFE ID\n\n${formatAgent(agent, true)}`);
    return agent;
  }
}
