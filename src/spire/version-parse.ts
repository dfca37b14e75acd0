/**
 * SPIRE version numbers, read from image references (`ghcr.io/spiffe/spire-agent:1.9.6`),
 * agent `agent_version` fields and "Starting agent" log lines, and their ordering.
 */

export interface SpireVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release part without the dash, such as `dev` or `rc1`; absent for releases. */
  readonly prerelease?: string;
  /** The version as parsed, without a `v` prefix. */
  readonly text: string;
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Reads a SPIRE version from a bare version (`1.9.6`, `v1.9.6`, `1.16.0-dev`) or an
 * image reference (`ghcr.io/spiffe/spire-agent:1.9.6`, with or without `@sha256:…`).
 * Returns undefined when no version can be read, for example a digest-only reference
 * or the tag `latest`.
 */
export function parseSpireVersion(text: string): SpireVersion | undefined {
  const candidate = versionText(text.trim());
  const match = candidate === undefined ? null : VERSION.exec(candidate);
  if (match === null) return undefined;

  const [, major, minor, patch, prerelease] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    ...(prerelease === undefined ? {} : { prerelease }),
    text: (candidate ?? '').replace(/^v/, ''),
  };
}

/** Takes the tag out of an image reference; returns other text unchanged. */
function versionText(text: string): string | undefined {
  const withoutDigest = text.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  if (lastColon > lastSlash) return withoutDigest.slice(lastColon + 1);
  if (lastSlash >= 0 || text.includes('@')) return undefined;
  return withoutDigest;
}

/**
 * Orders two versions by semantic versioning: a pre-release sorts before its release
 * (`1.16.0-dev` < `1.16.0`). Returns a negative number, zero or a positive number.
 */
export function compareVersions(a: SpireVersion, b: SpireVersion): number {
  const byNumber = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (byNumber !== 0) return Math.sign(byNumber);
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === undefined) return 1;
  if (b.prerelease === undefined) return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

function comparePrerelease(a: string, b: string): number {
  const left = a.split('.');
  const right = b.split('.');
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const x = left[i];
    const y = right[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    if (x === y) continue;
    const bothNumeric = /^\d+$/.test(x) && /^\d+$/.test(y);
    if (bothNumeric) return Math.sign(Number(x) - Number(y));
    return x < y ? -1 : 1;
  }
  return 0;
}
