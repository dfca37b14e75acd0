import { Flags } from '@oclif/core';
import { socketPathFlag, SpireStyleCommand } from '../../embedded/agent/cli/spire-style-command.js';
import { isWorkloadApiError } from '../../embedded/workload/errors.js';
import { checkHealth, type ServingStatus } from '../../embedded/workload/health.js';

/** `agent healthcheck`: calls the gRPC health service on the Workload API socket, like `spire-agent healthcheck`. */
export class AgentHealthcheck extends SpireStyleCommand {
  static override summary = 'Check that the agent is up and serving the Workload API.';
  static override examples = ['<%= config.bin %> agent healthcheck -socketPath /tmp/spire-agent/public/api.sock'];

  static override flags = {
    socketPath: socketPathFlag,
    shallow: Flags.boolean({ description: 'Accepted for compatibility with spire-agent; has no effect.', default: false }),
    verbose: Flags.boolean({ description: 'Print what the check does and why it failed.', default: false }),
  };

  async run(): Promise<{ healthy: boolean; status?: ServingStatus }> {
    const { flags } = await this.parse(AgentHealthcheck);
    if (flags.verbose) process.stdout.write('Checking agent health...\n');

    let status: ServingStatus;
    try {
      status = await checkHealth(flags.socketPath);
    } catch (error) {
      if (!isWorkloadApiError(error)) throw error;
      if (flags.verbose) process.stderr.write(`Failed to check health: ${error.message}\n`);
      process.stderr.write('Agent is unhealthy: unable to determine health\n');
      return this.exit(1);
    }

    if (status !== 'SERVING') {
      process.stderr.write(`Agent is unhealthy: agent returned status "${status}"\n`);
      return this.exit(1);
    }
    process.stdout.write('Agent is healthy.\n');
    return { healthy: true, status };
  }
}
