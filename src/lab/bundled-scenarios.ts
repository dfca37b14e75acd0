/**
 * The scenarios shipped in `examples/lab/`, listed with their one-line descriptions.
 */
import { BUNDLED_SCENARIO_DIR, listBundledNames, loadLabScenario } from './load-scenario.js';

/** A bundled scenario's name (for `--scenario`) and description. */
export interface BundledScenario {
  readonly name: string;
  readonly description: string;
  readonly file: string;
}

/** Lists the bundled scenarios, sorted by name. Each is loaded, so a broken one raises its validation error. */
export async function listBundledScenarios(): Promise<BundledScenario[]> {
  const names = await listBundledNames();
  return Promise.all(
    names.map(async (name) => {
      const scenario = await loadLabScenario(name);
      return { name, description: scenario.description, file: `${BUNDLED_SCENARIO_DIR}${name}.yaml` };
    }),
  );
}
