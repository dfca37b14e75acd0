/**
 * Go `time.Duration` text, the form SPIRE configuration files use for TTLs and
 * intervals (`"1h"`, `"90s"`, `"1h30m"`, `"500ms"`).
 */
import { SpireConfigError } from './config-errors.js';

const UNIT_MILLISECONDS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/**
 * Parses Go duration text as Go's `time.ParseDuration` accepts it and returns
 * milliseconds (fractional below 1 ms). `"0"` is zero. A number needs a unit:
 * `"30"` is invalid, as in Go.
 *
 * @throws SpireConfigError naming the text when it is not a Go duration.
 */
export function parseGoDuration(text: string): number {
  const trimmed = text.trim();
  if (/^[-+]?0$/.test(trimmed)) return 0;
  if (!DURATION.test(trimmed)) {
    throw new SpireConfigError('', text, 'expected a Go duration such as "90s", "1h" or "1h30m" (units ns, us, ms, s, m, h)');
  }

  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(PART)) {
    total += Number(amount) * (UNIT_MILLISECONDS[unit ?? ''] ?? Number.NaN);
  }
  return trimmed.startsWith('-') ? -total : total;
}

/** Formats milliseconds the way Go prints a `time.Duration` (`1h0m0s`, `1m30s`, `500ms`). */
export function formatGoDuration(milliseconds: number): string {
  if (milliseconds === 0) return '0s';
  const sign = milliseconds < 0 ? '-' : '';
  const magnitude = Math.abs(milliseconds);
  if (magnitude < 1000) return `${sign}${trimNumber(magnitude)}ms`;

  const hours = Math.floor(magnitude / 3_600_000);
  const minutes = Math.floor((magnitude % 3_600_000) / 60_000);
  const seconds = (magnitude % 60_000) / 1000;
  if (hours > 0) return `${sign}${hours}h${minutes}m${trimNumber(seconds)}s`;
  if (minutes > 0) return `${sign}${minutes}m${trimNumber(seconds)}s`;
  return `${sign}${trimNumber(seconds)}s`;
}

function trimNumber(value: number): string {
  return String(Number(value.toFixed(9)));
}
