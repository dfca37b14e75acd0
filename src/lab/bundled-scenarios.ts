/**
 * The scenarios shipped in `examples/lab/`, listed with their one-line descriptions.
 */
import { readdir } from 'node:fs/promises';
import { BUNDLED_SCENARIO_DIR, loadLabScenario } from './load-scenario.js';

/** A bundled scenario's name (for `--scenario`) and description. */
export interface BundledScenario {
  readonly name: string;
  readonly description: string;
  readonly file: string;
}

/** Lists the bundled scenarios, sorted by name. Each is loaded, so a broken one raises its validation error. */
export async function listBundledScenarios(): Promise<BundledScenario[]> {
  const files = (await readdir(BUNDLED_SCENARIO_DIR)).filter((file) => file.endsWith('.yaml')).sort();
  return Promise.all(
    files.map(async (file) => {
      const name = file.slice(0, -'.yaml'.length);
      const scenario = await loadLabScenario(name);
      return { name, description: scenario.description, file: `${BUNDLED_SCENARIO_DIR}${file}` };
    }),
  );
}
