/**
 * Errors shared by every probe: a probe that ran out of time, and one that decided not
 * to run. The runner turns both into gather errors.
 */

/** Rejection reason of a probe that ran out of time. */
export class ProbeTimeoutError extends Error {
  override readonly name: string = 'ProbeTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs / 1000}s`);
  }
}

export function isProbeTimeoutError(value: unknown): value is ProbeTimeoutError {
  return value instanceof ProbeTimeoutError;
}

/** A probe that decided not to run, with the reason to record. */
export class ProbeSkippedError extends Error {
  override readonly name: string = 'ProbeSkippedError';
}
