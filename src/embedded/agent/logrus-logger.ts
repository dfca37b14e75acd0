/**
 * A `Logger` that writes lines in the text form of logrus, the logging library SPIRE
 * uses: `time="…" level=info msg="…" key=value …`, fields sorted by key and values
 * quoted only when they contain spaces, quotes, `=` or are empty. Operators can then
 * grep the embedded agent's log as they grep a SPIRE agent's.
 */
import type { LogFields, Logger } from '../../logger.js';

/** Log levels in increasing severity, as written in `log_level`. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** logrus prints `warning` for the warn level. */
const LEVEL_NAMES: Readonly<Record<LogLevel, string>> = { debug: 'debug', info: 'info', warn: 'warning', error: 'error' };

export interface LogrusLoggerOptions {
  /** Lines below this level are dropped; default `info`. */
  readonly level?: LogLevel;
  /** Where each line (with its trailing newline) goes; default stderr. */
  readonly write?: (line: string) => void;
  /** Clock for the `time` field; default the system clock. */
  readonly now?: () => Date;
}

/** Creates a logger that writes logrus text lines. */
export function createLogrusLogger(options: LogrusLoggerOptions = {}, base: LogFields = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? (() => new Date());

  const log = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    write(formatLogrusLine(now(), level, message, { ...base, ...fields }));
  };

  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    child: (fields) => createLogrusLogger(options, { ...base, ...fields }),
  };
}

/** Formats one logrus text line, newline included. */
export function formatLogrusLine(time: Date, level: LogLevel, message: string, fields: LogFields): string {
  const parts = [`time=${quoteIfNeeded(time.toISOString().replace(/\.\d{3}Z$/, 'Z'))}`, `level=${LEVEL_NAMES[level]}`, `msg=${quoteIfNeeded(message)}`];
  for (const key of Object.keys(fields).sort()) {
    parts.push(`${key}=${quoteIfNeeded(renderValue(fields[key]))}`);
  }
  return `${parts.join(' ')}\n`;
}

function renderValue(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(String).join(',');
  return String(value);
}

/** logrus quotes a value unless every character is a letter, digit or one of `-._/@^+`. */
function quoteIfNeeded(value: string): string {
  if (value !== '' && /^[A-Za-z0-9\-._/@^+]+$/.test(value)) return value;
  return JSON.stringify(value);
}
