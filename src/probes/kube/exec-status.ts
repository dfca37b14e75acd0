/**
 * Reading the status an API server sends on the exec error channel (channel 3) when a
 * command ends: `Success`, or a `Failure` whose `NonZeroExitCode` reason carries the
 * exit code in an `ExitCode` cause (Kubernetes 1.30 `remotecommand`, `exec.go`).
 */
import type { KubeStatus } from './errors.js';
import type { ExecResult } from './source.js';

/** Returns the exit code a status reports, or undefined when the command did not run to an exit. */
export function exitCodeFromStatus(status: KubeStatus | undefined): number | undefined {
  if (status?.status === 'Success') return 0;
  if (status?.reason !== 'NonZeroExitCode') return undefined;

  const cause = status.details?.causes?.find((candidate) => candidate.reason === 'ExitCode');
  const code = Number.parseInt(cause?.message ?? '', 10);
  return Number.isInteger(code) ? code : undefined;
}

/**
 * Tells whether the command could not be started at all: the runtime rejected the
 * exec (a missing binary is the usual reason), or a shell reported 126 (not executable)
 * or 127 (not found).
 */
export function isCommandNotStarted(result: ExecResult): boolean {
  if (result.exitCode === 126 || result.exitCode === 127) return true;
  return result.exitCode === undefined && result.status?.status === 'Failure';
}
