/**
 * Errors from Workload API calls. Each carries the gRPC status code so callers branch
 * on the code (PermissionDenied means "no identity issued"), and its message reads as
 * SPIRE's Go tools print a gRPC error: `rpc error: code = <Code> desc = <description>`.
 */
import { status } from '@grpc/grpc-js';
import { SpiffeDoctorError } from '../../errors.js';

/** gRPC status names as Go's `codes.Code.String()` spells them. */
const GO_CODE_NAMES: Readonly<Record<number, string>> = {
  [status.OK]: 'OK',
  [status.CANCELLED]: 'Canceled',
  [status.UNKNOWN]: 'Unknown',
  [status.INVALID_ARGUMENT]: 'InvalidArgument',
  [status.DEADLINE_EXCEEDED]: 'DeadlineExceeded',
  [status.NOT_FOUND]: 'NotFound',
  [status.ALREADY_EXISTS]: 'AlreadyExists',
  [status.PERMISSION_DENIED]: 'PermissionDenied',
  [status.RESOURCE_EXHAUSTED]: 'ResourceExhausted',
  [status.FAILED_PRECONDITION]: 'FailedPrecondition',
  [status.ABORTED]: 'Aborted',
  [status.OUT_OF_RANGE]: 'OutOfRange',
  [status.UNIMPLEMENTED]: 'Unimplemented',
  [status.INTERNAL]: 'Internal',
  [status.UNAVAILABLE]: 'Unavailable',
  [status.DATA_LOSS]: 'DataLoss',
  [status.UNAUTHENTICATED]: 'Unauthenticated',
};

/** Returns Go's name for a gRPC status code, such as `PermissionDenied`. */
export function goCodeName(code: number): string {
  return GO_CODE_NAMES[code] ?? `Code(${code})`;
}

/** A Workload API call that ended with a non-OK gRPC status. */
export class WorkloadApiError extends SpiffeDoctorError {
  override readonly name: string = 'WorkloadApiError';
  /** The gRPC status code. */
  readonly code: status;
  /** The status message the agent sent, or the client-side reason. */
  readonly description: string;

  constructor(code: status, description: string, options: { cause?: unknown } = {}) {
    super(`rpc error: code = ${goCodeName(code)} desc = ${description}`, options);
    this.code = code;
    this.description = description;
  }
}

export function isWorkloadApiError(value: unknown): value is WorkloadApiError {
  return value instanceof WorkloadApiError;
}
