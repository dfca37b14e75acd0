import { Flags } from '@oclif/core';
import { startEmbeddedAgent } from '../../embedded/agent/agent.js';
import { SpireStyleCommand } from '../../embedded/agent/cli/spire-style-command.js';
import { readEmbeddedAgentConfig } from '../../embedded/agent/config.js';
import { createLogrusLogger } from '../../embedded/agent/logrus-logger.js';

/** `agent run`: runs the embedded SPIRE-compatible agent until interrupted, like `spire-agent run`. */
export class AgentRun extends SpireStyleCommand {
  static override summary = 'Run the embedded SPIRE-compatible agent.';
  static override description =
    'Reads a SPIRE agent.conf (join_token node attestor, disk or memory key manager, unix workload attestor), attests to the server and serves the Workload API until SIGINT or SIGTERM.';
  static override examples = ['<%= config.bin %> agent run -config agent.conf'];

  static override flags = {
    config: Flags.string({ description: 'Path to the agent configuration file.', default: 'conf/agent/agent.conf' }),
    joinToken: Flags.string({ description: 'Join token; overrides join_token in the file.' }),
    socketPath: Flags.string({ description: 'Workload API socket path; overrides socket_path in the file.' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AgentRun);
    const fileConfig = await readEmbeddedAgentConfig(flags.config);
    const config = {
      ...fileConfig,
      ...(flags.joinToken ? { joinToken: flags.joinToken } : {}),
      ...(flags.socketPath ? { socketPath: flags.socketPath } : {}),
    };
    const logger = createLogrusLogger({ level: config.logLevel });

    const agent = await startEmbeddedAgent(config, { logger });
    const signalled = new Promise<undefined>((resolve) => {
      process.once('SIGINT', () => resolve(undefined));
      process.once('SIGTERM', () => resolve(undefined));
    });
    const rejection = await Promise.race([signalled, agent.terminated]);
    if (rejection) throw rejection;
    await agent.close();
  }
}
