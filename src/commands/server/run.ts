import { Flags } from '@oclif/core';

import { loadServerConfigFile } from '../../embedded/server/config.js';
import { createLogrusLogger } from '../../embedded/server/logrus-logger.js';
import { startEmbeddedServer } from '../../embedded/server/server.js';
import { SpireServerCommand } from '../../embedded/server/cli/spire-server-command.js';

/** `server run`: runs the embedded SPIRE-compatible server until interrupted, like `spire-server run`. */
export class ServerRun extends SpireServerCommand {
  static override summary = 'Run the embedded SPIRE-compatible server.';
  static override description =
    'Reads a SPIRE server.conf (DataStore "sql" with sqlite3, KeyManager "disk" or "memory", NodeAttestor "join_token"), then serves the SPIRE Server API on socket_path and the agent API on bind_address:bind_port until SIGINT or SIGTERM.';
  static override examples = ['<%= config.bin %> server run -config conf/server/server.conf'];

  static override flags = {
    config: Flags.string({ description: 'Path to a SPIRE server configuration file.', default: 'conf/server/server.conf' }),
    expandEnv: Flags.boolean({ description: 'Expand $VAR and ${VAR} environment references in the configuration file.', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServerRun);
    const { config, warnings } = loadServerConfigFile(flags.config, { expandEnv: flags.expandEnv });
    const logger = createLogrusLogger(config.logLevel);
    for (const warning of warnings) logger.warn(warning, { config: flags.config });

    const server = await startEmbeddedServer(config, { logger });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.stop();
  }
}
