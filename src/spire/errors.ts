/**
 * Errors raised when SPIRE data given to spiffe-doctor (selectors, registration
 * entries, agents, `entry show` filters) is malformed.
 */
import { UserError } from '../errors.js';

/** Base class for malformed SPIRE data. */
export class SpireDataError extends UserError {
  override readonly name: string = 'SpireDataError';
}

/** Tells whether `value` is a {@link SpireDataError} or a subclass. */
export function isSpireDataError(value: unknown): value is SpireDataError {
  return value instanceof SpireDataError;
}

/** A selector that is not `type:value`. */
export class SelectorError extends SpireDataError {
  override readonly name: string = 'SelectorError';
}

/** Tells whether `value` is a {@link SelectorError}. */
export function isSelectorError(value: unknown): value is SelectorError {
  return value instanceof SelectorError;
}

/** A registration entry or agent record that does not have the `-output json` shape. */
export class EntryShapeError extends SpireDataError {
  override readonly name: string = 'EntryShapeError';
}

/** Tells whether `value` is an {@link EntryShapeError}. */
export function isEntryShapeError(value: unknown): value is EntryShapeError {
  return value instanceof EntryShapeError;
}

/** An `entry show` or `agent list` filter that SPIRE would reject. */
export class EntryFilterError extends SpireDataError {
  override readonly name: string = 'EntryFilterError';
}

/** Tells whether `value` is an {@link EntryFilterError}. */
export function isEntryFilterError(value: unknown): value is EntryFilterError {
  return value instanceof EntryFilterError;
}
