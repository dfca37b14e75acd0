/**
 * Errors shared by every probe: their base class, a probe that ran out of time, and one
 * that decided not to run. The runner turns the last two into gather errors.
 */

/** Base class of the errors probes raise. */
export class ProbeError extends Error {
  override readonly name: string = 'ProbeError';
}

export function isProbeError(value: unknown): value is ProbeError {
  return value instanceof ProbeError;
}

/** Rejection reason of a probe that ran out of time. */
export class ProbeTimeoutError extends ProbeError {
  override readonly name: string = 'ProbeTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs / 1000}s`);
  }
}

export function isProbeTimeoutError(value: unknown): value is ProbeTimeoutError {
  return value instanceof ProbeTimeoutError;
}

/** A probe that decided not to run, with the reason to record. */
export class ProbeSkippedError extends ProbeError {
  override readonly name: string = 'ProbeSkippedError';
}

export function isProbeSkippedError(value: unknown): value is ProbeSkippedError {
  return value instanceof ProbeSkippedError;
}
