/**
 * Probe progress on stderr: one ora spinner that counts finished probes, on a terminal
 * only. Without a terminal, or with colour turned off, nothing is printed.
 */
import ora, { type Ora } from 'ora';
import type { ProbeObserver } from '../probes/probe-runner.js';

export interface ProbeProgress {
  readonly observer: ProbeObserver;
  /** Ends the spinner with a summary line. */
  finish(): void;
}

const silentProgress: ProbeProgress = { observer: () => {}, finish: () => {} };

/** Creates probe progress on stderr; a no-op unless `enabled`. */
export function createProbeProgress(enabled: boolean): ProbeProgress {
  if (!enabled) return silentProgress;

  const spinner: Ora = ora({ text: 'Gathering evidence', stream: process.stderr }).start();
  const running = new Set<string>();
  let finished = 0;
  let failed = 0;
  const refresh = () => {
    const pending = [...running].slice(0, 3).join(', ');
    spinner.text = `Gathering evidence: ${finished} probe(s) done${pending ? `, waiting for ${pending}` : ''}`;
  };

  return {
    observer: (name, state) => {
      if (state === 'started') running.add(name);
      else {
        running.delete(name);
        finished += 1;
        if (state === 'failed') failed += 1;
      }
      refresh();
    },
    finish: () => {
      const summary = `Evidence gathered: ${finished} probe(s), ${failed} failed`;
      if (failed > 0) spinner.warn(summary);
      else spinner.succeed(summary);
    },
  };
}
