/**
 * Identifiers derived from a seed string, so a scenario file always yields the same
 * uids, container IDs and image digests.
 */
import { createHash } from 'node:crypto';

/** Returns the SHA-256 of `seed` as 64 lowercase hex digits. */
export function hexDigest(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** Returns a version-4-shaped UUID derived from `seed`. */
export function uuidFromSeed(seed: string): string {
  const hex = hexDigest(seed);
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Returns an IPv4 address inside `prefix` (two octets, such as `10.244`) derived from `seed`. */
export function ipFromSeed(prefix: string, seed: string): string {
  const hex = hexDigest(seed);
  const third = parseInt(hex.slice(0, 2), 16);
  const fourth = (parseInt(hex.slice(2, 4), 16) % 253) + 2;
  return `${prefix}.${third}.${fourth}`;
}
