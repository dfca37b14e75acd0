/**
 * Probe progress on stderr, on a terminal only: one ora spinner naming a running probe
 * ("Reading agent logs"), and one persisted line per finished probe ("Agent logs read",
 * or why it was not). Without a terminal nothing is printed.
 */
import ora, { type Ora } from 'ora';
import { describeProbeProgress } from '../probes/progress.js';
import type { ProbeObserver } from '../probes/probe-runner.js';
import { shouldUseColor } from '../report/color.js';
import { toSingleLine } from '../report/sanitize.js';

export interface ProbeProgress {
  readonly observer: ProbeObserver;
  /** Stops the spinner. */
  finish(): void;
}

const silentProgress: ProbeProgress = { observer: () => {}, finish: () => {} };

/**
 * Returns true when `stream` is a terminal that can show a spinner: it has a width (a
 * zero-column pty made ora redraw without end) and colour is allowed (NO_COLOR, TERM=dumb).
 */
export function canShowSpinner(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!shouldUseColor(stream, env)) return false;
  return (stream.columns ?? 0) > 0;
}

/** Creates probe progress on stderr; a no-op unless `enabled`. */
export function createProbeProgress(enabled: boolean): ProbeProgress {
  if (!enabled) return silentProgress;

  const spinner: Ora = ora({ text: 'Gathering evidence', stream: process.stderr }).start();
  const running: string[] = [];
  const showRunning = () => {
    const next = running[0];
    spinner.start(next === undefined ? 'Gathering evidence' : describeProbeProgress(next, 'started'));
  };

  return {
    observer: (name, state, detail) => {
      if (state === 'started') {
        running.push(name);
        if (running.length === 1) showRunning();
        return;
      }
      running.splice(running.indexOf(name), 1);
      const line = toSingleLine(describeProbeProgress(name, state, detail));
      if (state === 'succeeded') spinner.succeed(line);
      else spinner.warn(line);
      showRunning();
    },
    finish: () => spinner.stop(),
  };
}
