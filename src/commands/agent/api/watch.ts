import { formatX509Pretty } from '../../../embedded/agent/cli/x509-output.js';
import { socketPathFlag, SpireStyleCommand } from '../../../embedded/agent/cli/spire-style-command.js';
import { watchX509Svid, type X509SvidWatch } from '../../../embedded/workload/client.js';

/** Delay before reopening the stream after an error. */
const RECONNECT_DELAY_MS = 1_000;

/**
 * `agent api watch`: prints every X509-SVID update until interrupted, like `spire-agent
 * api watch`. Errors are printed to stderr and the stream is opened again, as the
 * go-spiffe watcher behind SPIRE's command retries.
 */
export class AgentApiWatch extends SpireStyleCommand {
  static override summary = 'Print X509-SVID updates from the Workload API as they arrive.';
  static override examples = ['<%= config.bin %> agent api watch -socketPath /tmp/spire-agent/public/api.sock'];

  static override flags = {
    socketPath: socketPathFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AgentApiWatch);
    let lastUpdate = performance.now();
    let watch: X509SvidWatch | undefined;
    let retry: NodeJS.Timeout | undefined;
    let interrupted = false;

    const open = () => {
      watch = watchX509Svid(flags.socketPath, {
        onUpdate: (update) => {
          process.stdout.write(formatX509Pretty(update, performance.now() - lastUpdate, 'name'));
          lastUpdate = performance.now();
        },
        onError: (error) => {
          process.stderr.write(`${error.message}\n`);
          if (!interrupted) retry = setTimeout(open, RECONNECT_DELAY_MS);
        },
      });
    };
    open();

    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    interrupted = true;
    clearTimeout(retry);
    watch?.close();
  }
}
