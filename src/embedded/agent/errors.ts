/**
 * Errors the embedded agent raises when it cannot start or keep running. Each is a
 * `UserError`, so the message names the value at fault and the suggestions name the
 * change to make.
 */
import { UserError } from '../../errors.js';

/** Base class for embedded agent failures a user can act on. */
export class AgentError extends UserError {
  override readonly name: string = 'AgentError';
}

export function isAgentError(value: unknown): value is AgentError {
  return value instanceof AgentError;
}
