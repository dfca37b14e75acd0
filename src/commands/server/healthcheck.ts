import { Flags } from '@oclif/core';

import { callUnary, isRpcError } from '../../embedded/server/cli/admin-client.js';
import { ServerCommandError, socketPathFlag, SpireServerCommand } from '../../embedded/server/cli/spire-server-command.js';

/** `server healthcheck`: calls the server's gRPC health service, like `spire-server healthcheck`. */
export class ServerHealthcheck extends SpireServerCommand {
  static override summary = 'Check that the server is up and has its trust bundle.';
  static override examples = ['<%= config.bin %> server healthcheck -socketPath /tmp/spire-server/private/api.sock'];

  static override flags = {
    shallow: Flags.boolean({ description: 'Accepted for compatibility with spire-server; has no effect.', default: false }),
    verbose: Flags.boolean({ description: 'Print what the check does and why it failed.', default: false }),
    socketPath: socketPathFlag,
  };

  async run(): Promise<{ healthy: true }> {
    const { flags } = await this.parse(ServerHealthcheck);
    if (flags.verbose) process.stdout.write('Checking server health...\n');

    let status: string;
    try {
      const response = await this.withAdminClients(flags.socketPath, (clients) => callUnary<{ status: string }>(clients.health, 'Check', { service: '' }, 5_000));
      status = response.status;
    } catch (error) {
      if (!isRpcError(error)) throw error;
      if (flags.verbose) process.stderr.write(`Failed to check health: ${error.message}\n`);
      throw new ServerCommandError('server is unhealthy: unable to determine health');
    }
    if (status !== 'SERVING') {
      throw new ServerCommandError(`server is unhealthy: server returned status "${status}"`);
    }
    process.stdout.write('Server is healthy.\n');
    return { healthy: true };
  }
}
