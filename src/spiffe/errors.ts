/**
 * Errors raised when a SPIFFE ID or trust domain name is invalid.
 */
import { UserError } from '../errors.js';

/**
 * The rule a SPIFFE ID or trust domain broke. Each maps to the exact error text
 * go-spiffe v2.8.1 (`spiffeid/errors.go`) returns, which SPIRE prints as is.
 */
export const SPIFFE_ID_RULES = {
  empty: 'cannot be empty',
  'bad-scheme': 'scheme is missing or invalid',
  'missing-trust-domain': 'trust domain is missing',
  'bad-trust-domain-char': 'trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores',
  'bad-path-segment-char': 'path segment characters are limited to letters, numbers, dots, dashes, and underscores',
  'empty-segment': 'path cannot contain empty segments',
  'dot-segment': 'path cannot contain dot segments',
  'trailing-slash': 'path cannot have a trailing slash',
  'no-leading-slash': 'path must have a leading slash',
} as const;

export type SpiffeIdRule = keyof typeof SPIFFE_ID_RULES;

const SUGGESTIONS = {
  'SPIFFE ID': 'Write the ID as spiffe://<trust domain>/<path>, for example spiffe://example.org/ns/default/sa/api.',
  'trust domain': 'Write the trust domain in lowercase letters, digits, dots, dashes and underscores, for example example.org.',
  path: 'Write the path as /<segment>/<segment> with letters, digits, dots, dashes and underscores.',
} as const;

/**
 * A SPIFFE ID, trust domain name or path that breaks the SPIFFE ID rules.
 * `reason` is go-spiffe's text for the broken rule; the message adds the input.
 */
export class SpiffeIdError extends UserError {
  override readonly name: string = 'SpiffeIdError';
  readonly rule: SpiffeIdRule;
  readonly reason: string;
  readonly input: string;

  constructor(rule: SpiffeIdRule, input: string, kind: 'SPIFFE ID' | 'trust domain' | 'path' = 'SPIFFE ID') {
    const reason = SPIFFE_ID_RULES[rule];
    super(`invalid ${kind} ${JSON.stringify(input)}: ${reason}`, { suggestions: [SUGGESTIONS[kind]] });
    this.rule = rule;
    this.reason = reason;
    this.input = input;
  }
}

/** Tells whether `value` is a {@link SpiffeIdError}. */
export function isSpiffeIdError(value: unknown): value is SpiffeIdError {
  return value instanceof SpiffeIdError;
}
