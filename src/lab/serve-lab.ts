/**
 * Runs a lab in the foreground until the process receives SIGINT or SIGTERM, for
 * `spiffe-doctor lab start`.
 */
import type { Logger } from '../logger.js';
import { loadLabScenario } from './load-scenario.js';
import { startLab, type LabHandle } from './start-lab.js';

/** Options of {@link serveLab}. */
export interface ServeLabOptions {
  /** Bundled scenario name or scenario file path. */
  readonly scenario: string;
  /** Default 0, a free port. */
  readonly port?: number;
  readonly logger?: Logger;
  /** Called once the lab listens and its kubeconfig is written. */
  readonly onReady: (lab: LabHandle) => void;
  /** Stops the lab early when aborted; used by tests in place of a signal. */
  readonly signal?: AbortSignal;
}

/**
 * Loads the scenario, starts the lab, reports it through `onReady`, and stops it
 * cleanly on SIGINT, SIGTERM or `signal`, removing its kubeconfig.
 * @throws UserError when the scenario is invalid or the port is taken.
 */
export async function serveLab(options: ServeLabOptions): Promise<void> {
  const scenario = await loadLabScenario(options.scenario);
  const lab = await startLab(scenario, { port: options.port, logger: options.logger });
  options.onReady(lab);

  await new Promise<void>((resolve) => {
    const finish = () => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      options.signal?.removeEventListener('abort', finish);
      resolve();
    };
    process.once('SIGINT', finish);
    process.once('SIGTERM', finish);
    if (options.signal?.aborted) finish();
    options.signal?.addEventListener('abort', finish);
  });
  await lab.stop();
}
