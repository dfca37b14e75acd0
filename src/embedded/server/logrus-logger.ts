/**
 * A logger that writes lines in the logrus text format SPIRE uses
 * (`time="…" level=info msg="…" key=value`), so spiffe-doctor's SPIRE log parser
 * reads the embedded server's logs like a real server's.
 */
import type { LogFields, Logger } from '../../logger.js';

/** Log levels in increasing severity; SPIRE's `log_level` takes these names in any case. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Tells whether `value` (any case) is a level the logger accepts. */
export function isLogLevel(value: string): boolean {
  return (LOG_LEVELS as readonly string[]).includes(value.toLowerCase());
}

// logrus quotes a value unless every character is a letter, digit or one of -._/@^+.
function formatValue(value: unknown): string {
  const text = value instanceof Error ? value.message : typeof value === 'string' ? value : JSON.stringify(value) ?? 'null';
  if (text !== '' && /^[A-Za-z0-9\-._/@^+]+$/.test(text)) {
    return text;
  }
  return JSON.stringify(text);
}

/** Formats one logrus text line, without the trailing newline. Fields are sorted by key, as logrus does. */
export function formatLogrusLine(time: Date, level: LogLevel, message: string, fields: LogFields): string {
  const parts = [`time=${formatValue(time.toISOString())}`, `level=${level === 'warn' ? 'warning' : level}`, `msg=${formatValue(message)}`];
  for (const key of Object.keys(fields).sort()) {
    parts.push(`${key}=${formatValue(fields[key])}`);
  }
  return parts.join(' ');
}

/** Creates a logger that writes logrus text lines at or above `level` to `write` (stderr by default). */
export function createLogrusLogger(
  level: LogLevel,
  options: { readonly fields?: LogFields; readonly write?: (line: string) => void; readonly now?: () => Date } = {},
): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? (() => new Date());
  const base = options.fields ?? {};

  const log = (lineLevel: LogLevel, message: string, fields: LogFields = {}) => {
    if (LOG_LEVELS.indexOf(lineLevel) < threshold) return;
    write(`${formatLogrusLine(now(), lineLevel, message, { ...base, ...fields })}\n`);
  };
  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    child: (fields) => createLogrusLogger(level, { ...options, fields: { ...base, ...fields } }),
  };
}
