/**
 * A small structured logger interface. Messages are fixed sentences; variable data
 * goes in the fields object. The default logger discards everything; the CLI sets a
 * stderr logger with `--debug`.
 */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Returns a logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

/** Creates a logger that writes one line per message to stderr, at or above `level`. */
export function createStderrLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'info', base: LogFields = {}): Logger {
  const order = ['debug', 'info', 'warn', 'error'] as const;
  const threshold = order.indexOf(level);
  const write = (lineLevel: (typeof order)[number], message: string, fields: LogFields = {}) => {
    if (order.indexOf(lineLevel) < threshold) return;
    const merged = { ...base, ...fields };
    const rendered = Object.entries(merged)
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(' ');
    process.stderr.write(`level=${lineLevel} msg=${JSON.stringify(message)}${rendered ? ` ${rendered}` : ''}\n`);
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createStderrLogger(level, { ...base, ...fields }),
  };
}
