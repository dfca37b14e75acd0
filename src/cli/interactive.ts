/**
 * Decides whether spiffe-doctor may ask questions. It never prompts when stdin or stdout
 * is not a terminal, with `--no-input`, or when `CI` is set: then it does exactly what
 * the flags request.
 */
export interface InteractivityInput {
  readonly noInput: boolean;
  readonly stdinIsTTY: boolean | undefined;
  readonly stdoutIsTTY: boolean | undefined;
  readonly env: NodeJS.ProcessEnv;
}

/** Returns true when prompts are allowed. */
export function isInteractive(input: InteractivityInput): boolean {
  if (input.noInput) return false;
  if (input.env.CI !== undefined && input.env.CI !== '' && input.env.CI !== 'false') return false;
  return input.stdinIsTTY === true && input.stdoutIsTTY === true;
}

/** Reads the current process's terminal state. */
export function processInteractivity(noInput: boolean): InteractivityInput {
  return { noInput, stdinIsTTY: process.stdin.isTTY, stdoutIsTTY: process.stdout.isTTY, env: process.env };
}
