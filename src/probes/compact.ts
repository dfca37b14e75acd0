/** Helpers for assembling evidence records. */

/**
 * Returns a copy of `record` without its undefined fields, because in evidence an absent
 * field means "not gathered" and JSON has no undefined.
 */
export function dropUndefined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
