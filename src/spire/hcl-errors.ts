/**
 * Errors raised while decoding SPIRE configuration text.
 */
import { UserError } from '../errors.js';

/**
 * Configuration text that is neither valid HCL v1 nor valid JSON. `line` and `column`
 * are 1-based and point at the first character the parser could not accept.
 */
export class HclParseError extends UserError {
  override readonly name: string = 'HclParseError';
  readonly line: number;
  readonly column: number;
  /** Description of the input expected at that position, for example `"=" or "{"`. */
  readonly expected: string;

  constructor(detail: { line: number; column: number; expected: string; found: string }, options: { cause?: unknown } = {}) {
    super(`invalid SPIRE configuration at line ${detail.line}, column ${detail.column}: expected ${detail.expected}, found ${detail.found}`, {
      cause: options.cause,
      suggestions: ['Check the configuration text near that position (HCL v1 syntax, as SPIRE reads it).'],
    });
    this.line = detail.line;
    this.column = detail.column;
    this.expected = detail.expected;
  }
}

export function isHclParseError(value: unknown): value is HclParseError {
  return value instanceof HclParseError;
}
