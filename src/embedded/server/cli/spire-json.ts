/**
 * JSON as SPIRE's server CLI prints it with `-output json` (SPIRE 1.15
 * `cliprinter`): protojson field names, null fields dropped, keys sorted, compact,
 * one trailing newline. int64 fields are already strings in the messages, and bytes
 * are printed as base64.
 */

function normalize(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return Buffer.from(value).toString('base64');
  }
  if (Array.isArray(value)) {
    return value.map(normalize);
  }
  if (typeof value === 'object' && value !== null) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key];
      if (item !== null && item !== undefined) {
        sorted[key] = normalize(item);
      }
    }
    return sorted;
  }
  return value;
}

/** Formats an API message the way `spire-server … -output json` prints it, newline included. */
export function formatSpireJson(message: unknown): string {
  return `${JSON.stringify(normalize(message))}\n`;
}
