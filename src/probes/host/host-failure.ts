/**
 * Gather-error text for a failed host probe, naming the file or command involved.
 */
import { isProbeTimeoutError } from '../errors.js';

/** Describes why a host probe failed; `subject` is the file or command it read. */
export function describeHostFailure(error: unknown, subject: string): string {
  if (isProbeTimeoutError(error)) return error.message;
  if (error instanceof SyntaxError) return `invalid JSON in ${subject}: ${error.message}`;

  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'ENOENT') return `no such file: ${subject}`;
  if (code === 'EACCES' || code === 'EPERM') return `permission denied reading ${subject}; run spiffe-doctor as root or as the workload's user`;
  return `failed: ${error instanceof Error ? error.message : String(error)}`;
}
