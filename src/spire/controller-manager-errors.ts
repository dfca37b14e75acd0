/**
 * Errors raised while reading SPIRE Controller Manager configuration and resources.
 */
import { UserError } from '../errors.js';

/** A controller manager config file or custom resource that cannot be read. */
export class ControllerManagerConfigError extends UserError {
  override readonly name: string = 'ControllerManagerConfigError';
  /** The field at fault (`ignoreNamespaces[2]`), empty for the whole document. */
  readonly field: string;

  constructor(field: string, problem: string, options: { cause?: unknown } = {}) {
    super(field === '' ? `invalid SPIRE Controller Manager config: ${problem}` : `invalid SPIRE Controller Manager config field ${field}: ${problem}`, {
      cause: options.cause,
      suggestions: ['Fix the controller manager ConfigMap (or the custom resource), then restart the controller manager.'],
    });
    this.field = field;
  }
}

export function isControllerManagerConfigError(value: unknown): value is ControllerManagerConfigError {
  return value instanceof ControllerManagerConfigError;
}
