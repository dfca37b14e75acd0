/**
 * `spiffe-doctor lab scenarios`: lists the bundled lab scenarios.
 */
import { BaseCommand } from '../../cli/base-command.js';
import { listBundledScenarios, type BundledScenario } from '../../lab/bundled-scenarios.js';

export class LabScenarios extends BaseCommand {
  static override summary = 'List the bundled lab scenarios with one-line descriptions.';
  static override examples = ['<%= config.bin %> lab scenarios', '<%= config.bin %> lab start --scenario agent-missing'];
  static override enableJsonFlag = true;

  async run(): Promise<BundledScenario[]> {
    await this.parse(LabScenarios);
    const scenarios = await listBundledScenarios();
    const width = Math.max(...scenarios.map((scenario) => scenario.name.length));
    for (const scenario of scenarios) this.log(`${scenario.name.padEnd(width)}  ${scenario.description}`);
    return scenarios;
  }
}
