/**
 * Decides whether output gets colour and spinners: only on a terminal, and never when
 * NO_COLOR is set (https://no-color.org) or TERM is "dumb".
 */
import { Chalk, type ChalkInstance } from 'chalk';

export interface StreamLike {
  readonly isTTY?: boolean;
}

/** Returns true when `stream` is a terminal that should get colour, per NO_COLOR and TERM. */
export function shouldUseColor(stream: StreamLike, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** Creates a chalk instance that colours only when `color` is true. */
export function createPalette(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}
