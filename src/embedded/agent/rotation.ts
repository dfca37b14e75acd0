/**
 * When to replace an X509-SVID or JWT-SVID: once half of its lifetime has passed, as
 * SPIRE 1.15's agent does (`pkg/common/rotationutil`).
 */

/** Tells whether a credential valid from `notBefore` to `notAfter` is due for rotation at `now`. */
export function isPastHalfLife(notBefore: Date, notAfter: Date, now: Date): boolean {
  // NOTE: SPIRE adds ±10% random jitter around the half-life. This agent rotates at
  // the exact half-life, so tests and the lab behave the same on every run.
  const halfLife = (notAfter.getTime() - notBefore.getTime()) / 2;
  return now.getTime() >= notBefore.getTime() + halfLife;
}
