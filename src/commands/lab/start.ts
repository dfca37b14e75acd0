/**
 * `spiffe-doctor lab start`: runs a simulated cluster with SPIRE on 127.0.0.1 in the
 * foreground and prints how to point kubectl and spiffe-doctor at it.
 */
import { Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { createStderrLogger, silentLogger } from '../../logger.js';
import { serveLab } from '../../lab/serve-lab.js';

export class LabStart extends BaseCommand {
  static override summary = 'Run the lab: a simulated Kubernetes cluster with SPIRE on 127.0.0.1.';
  static override description =
    'Serves a Kubernetes API subset on loopback, backed by a scenario, and writes a kubeconfig for it. Stops on Ctrl-C (SIGINT) or SIGTERM and removes the kubeconfig.';
  static override examples = ['<%= config.bin %> lab start', '<%= config.bin %> lab start --scenario selector-mismatch', '<%= config.bin %> lab start --scenario ./my-scenario.yaml --port 6443'];

  static override flags = {
    scenario: Flags.string({ description: 'Bundled scenario name (see `lab scenarios`) or path of a scenario YAML or JSON file.', default: 'healthy' }),
    port: Flags.integer({ description: 'TCP port on 127.0.0.1 to listen on; 0 picks a free port.', default: 0, min: 0, max: 65535 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(LabStart);
    await serveLab({
      scenario: flags.scenario,
      port: flags.port,
      logger: flags.debug ? createStderrLogger('debug') : silentLogger,
      onReady: (lab) => {
        this.log(`Lab "${lab.scenario.name}" is serving at ${lab.url}`);
        this.log(`Kubeconfig: ${lab.kubeconfigPath}`);
        this.log('');
        this.log(`export KUBECONFIG=${lab.kubeconfigPath}`);
        this.log('');
        this.log('Press Ctrl-C to stop.');
      },
    });
    this.log('Lab stopped.');
  }
}
