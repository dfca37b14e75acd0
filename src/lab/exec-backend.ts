/**
 * The exec backend interface: the function that runs a command when a client execs into
 * a lab pod. The default backend simulates SPIRE's CLIs from the scenario
 * (`createSimulatedExecBackend`).
 */

/** One command run in one container. */
export interface LabExecRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** argv, program first. */
  readonly command: readonly string[];
  /** Everything the client wrote to stdin, when it sent stdin. */
  readonly stdin?: string;
}

/** The finished command. */
export interface LabExecResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/**
 * Runs a command in a lab container. A rejected promise becomes an `InternalError`
 * status on the exec stream.
 */
export type LabExecBackend = (request: LabExecRequest) => Promise<LabExecResult>;

/** Builds a result with exit code 0 and `stdout`. */
export function succeeded(stdout: string): LabExecResult {
  return { stdout, stderr: '', exitCode: 0 };
}

/** Builds a result with `stderr` and a non-zero exit code (default 1). */
export function failed(stderr: string, exitCode = 1): LabExecResult {
  return { stdout: '', stderr, exitCode };
}
