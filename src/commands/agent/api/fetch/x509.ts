import { Flags } from '@oclif/core';
import { outputFlag, socketPathFlag, SpireStyleCommand, timeoutFlag } from '../../../../embedded/agent/cli/spire-style-command.js';
import { findUnverifiedSvid, formatX509Json, formatX509Pretty, writeX509Files } from '../../../../embedded/agent/cli/x509-output.js';
import { fetchX509Svid, type X509SvidUpdate } from '../../../../embedded/workload/client.js';

/** `agent api fetch x509`: fetches X509-SVIDs from a Workload API socket, like `spire-agent api fetch x509`. */
export class AgentApiFetchX509 extends SpireStyleCommand {
  static override summary = 'Fetch X509-SVIDs from the Workload API.';
  static override description =
    'Works against the embedded agent and against a real SPIRE agent. Accepts the single-dash flags of `spire-agent api fetch x509`.';
  static override examples = ['<%= config.bin %> agent api fetch x509 -socketPath /tmp/spire-agent/public/api.sock', '<%= config.bin %> agent api fetch x509 -write /tmp/svid'];

  static override flags = {
    socketPath: socketPathFlag,
    timeout: timeoutFlag,
    output: outputFlag,
    silent: Flags.boolean({ description: 'Print nothing to stdout (with -write, only the files are written).', default: false }),
    write: Flags.string({ description: 'Directory to write svid.N.pem, svid.N.key and bundle.N.pem to (pretty output only).' }),
  };

  async run(): Promise<X509SvidUpdate> {
    const { flags } = await this.parse(AgentApiFetchX509);
    const timeoutMs = this.parseTimeout(flags.timeout);

    const started = performance.now();
    const update = await fetchX509Svid(flags.socketPath, { timeoutMs });
    const elapsedMs = performance.now() - started;

    if (flags.output === 'json') {
      process.stdout.write(formatX509Json(update));
      return update;
    }
    const unverified = findUnverifiedSvid(update);
    if (unverified) {
      process.stderr.write(`${unverified}\n`);
      return this.exit(1);
    }
    if (!flags.silent) process.stdout.write(formatX509Pretty(update, elapsedMs));
    if (flags.write) process.stdout.write(await writeX509Files(flags.write, update));
    return update;
  }
}
