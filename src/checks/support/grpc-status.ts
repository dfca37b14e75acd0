/**
 * Reads the gRPC status out of an error that a SPIRE CLI or a Workload API client
 * printed, such as `rpc error: code = PermissionDenied desc = no identity issued`.
 * Checks branch on the code and on a few fixed, documented messages, never on free
 * text alone.
 */
import { findGrpcStatus } from '../../spire/logs.js';

export interface GrpcStatus {
  /** The status code name as grpc-go prints it, for example `Unavailable`. */
  readonly code: string;
  /** The status message: the text after `desc = `, up to the end of its line. */
  readonly message: string;
}

/** Parses the gRPC status in `text`, or returns undefined when there is none. */
export function parseGrpcStatus(text: string | undefined): GrpcStatus | undefined {
  const status = findGrpcStatus(text);
  return status === undefined ? undefined : { code: status.code, message: status.message.split('\n')[0]?.trim() ?? '' };
}

/** The reason a Unix socket dial failed, from the `dial unix PATH: connect: REASON` text grpc-go prints. */
export interface DialFailure {
  readonly path: string;
  readonly reason: 'no-such-file' | 'connection-refused' | 'permission-denied' | 'other';
  readonly text: string;
}

// The errno texts Go prints for connect(2) on a Unix socket.
const DIAL_REASONS: readonly (readonly [string, DialFailure['reason']])[] = [
  ['no such file or directory', 'no-such-file'],
  ['connection refused', 'connection-refused'],
  ['permission denied', 'permission-denied'],
];

const DIAL_UNIX = /dial unix ([^:\s]+): connect: ([^"\n]+)/;

/** Finds the Unix socket dial failure in `text`, if it has one. */
export function findDialFailure(text: string | undefined): DialFailure | undefined {
  const match = DIAL_UNIX.exec(text ?? '');
  if (match === null) {
    return undefined;
  }

  const reasonText = (match[2] as string).trim();
  const known = DIAL_REASONS.find(([prefix]) => reasonText.startsWith(prefix));
  return { path: match[1] as string, reason: known?.[1] ?? 'other', text: reasonText };
}
