/**
 * Errors the API handlers return as gRPC statuses, with SPIRE's codes and messages.
 */
import { status as Status } from '@grpc/grpc-js';

/** A failure with the gRPC status code SPIRE 1.15 returns for it. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: Status,
    message: string,
    /** Serialized `google.rpc.Status` details, e.g. PermissionDeniedDetails; sent as `grpc-status-details-bin`. */
    readonly details?: Buffer,
  ) {
    super(message);
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/** A per-item result status as the batch RPCs return it (`spire.api.types.Status`). */
export interface ItemStatus {
  readonly code: number;
  readonly message: string;
}

export const OK_STATUS: ItemStatus = { code: Status.OK, message: 'OK' };

/** Converts an error into a per-item status; unknown errors become Internal with their message. */
export function toItemStatus(error: unknown): ItemStatus {
  if (isApiError(error)) {
    return { code: error.code, message: error.message };
  }
  return { code: Status.INTERNAL, message: (error as Error).message };
}
