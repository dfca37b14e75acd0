/**
 * Errors that stop spiffe-doctor. A failed check is data, not an error: these are only
 * for when the tool cannot do its job (bad flags, unreadable input, no access).
 */

/** Base class for every error spiffe-doctor raises on purpose. */
export class SpiffeDoctorError extends Error {
  override readonly name: string = 'SpiffeDoctorError';
}

export function isSpiffeDoctorError(value: unknown): value is SpiffeDoctorError {
  return value instanceof SpiffeDoctorError;
}

/**
 * An error the user can fix: bad input, an unknown pod, an unreachable API server.
 * The CLI prints the message and the next steps and exits with code 2.
 */
export class UserError extends SpiffeDoctorError {
  override readonly name: string = 'UserError';
  /** Next steps for the user, one action per line. */
  readonly suggestions: readonly string[];

  constructor(message: string, options: { cause?: unknown; suggestions?: readonly string[] } = {}) {
    super(message, { cause: options.cause });
    this.suggestions = options.suggestions ?? [];
  }
}

export function isUserError(value: unknown): value is UserError {
  return value instanceof UserError;
}

/** Exit codes shared by every command. */
export const EXIT_CODES = {
  /** The workload gets its SVID, or `check` found nothing at or above the threshold. */
  ok: 0,
  /** A problem was diagnosed. */
  problem: 1,
  /** The tool could not diagnose: bad input, no access, nothing reachable. */
  cannotDiagnose: 2,
  /** The user pressed Ctrl-C at a prompt (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;
