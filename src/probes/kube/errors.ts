/**
 * Errors raised by Kubernetes sources. Probes branch on these classes and on the HTTP
 * status code, never on message text.
 */
import { ProbeError } from '../errors.js';

/** Base class for failures of a {@link KubeSource} call. */
export class KubeSourceError extends ProbeError {
  override readonly name: string = 'KubeSourceError';
}

/**
 * The API server returned a non-2xx status. `status` is the decoded Kubernetes
 * `Status` body when the server sent one.
 */
export class KubeApiError extends KubeSourceError {
  override readonly name: string = 'KubeApiError';

  constructor(
    message: string,
    readonly code: number,
    readonly status: KubeStatus | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** The API server could not be reached: connection refused, DNS failure, TLS failure. */
export class KubeUnreachableError extends KubeSourceError {
  override readonly name: string = 'KubeUnreachableError';

  constructor(
    message: string,
    readonly serverUrl: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** The fields of a Kubernetes `Status` object that probes read. */
export interface KubeStatus {
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: {
    readonly name?: string;
    readonly kind?: string;
    readonly causes?: readonly { readonly reason?: string; readonly message?: string }[];
  };
}

export function isKubeSourceError(value: unknown): value is KubeSourceError {
  return value instanceof KubeSourceError;
}

export function isKubeApiError(value: unknown): value is KubeApiError {
  return value instanceof KubeApiError;
}

export function isKubeUnreachableError(value: unknown): value is KubeUnreachableError {
  return value instanceof KubeUnreachableError;
}
