/**
 * Errors raised while reading typed values out of a SPIRE agent or server configuration.
 */
import { UserError } from '../errors.js';

/**
 * A configuration key whose value SPIRE would reject: the wrong type, an invalid
 * duration, a port out of range. `key` is the dotted path (`agent.server_port`), empty
 * when a bare value was parsed without a key.
 */
export class SpireConfigError extends UserError {
  override readonly name: string = 'SpireConfigError';
  readonly key: string;
  readonly value: unknown;

  constructor(key: string, value: unknown, problem: string, options: { cause?: unknown } = {}) {
    const subject = key === '' ? `value ${JSON.stringify(value)}` : `${key} = ${JSON.stringify(value)}`;
    super(`invalid SPIRE configuration ${subject}: ${problem}`, {
      cause: options.cause,
      suggestions: key === '' ? [] : [`Fix ${key} in the SPIRE configuration file, then restart SPIRE so it reads the change.`],
    });
    this.key = key;
    this.value = value;
  }
}

export function isSpireConfigError(value: unknown): value is SpireConfigError {
  return value instanceof SpireConfigError;
}
