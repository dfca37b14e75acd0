/**
 * Rewrites a failed connection to the Workload API socket the way Go's gRPC client
 * reports it, so `agent api fetch` prints what `spire-agent api fetch` prints
 * (SPIRE 1.15 healthcheck tests: `connection error: desc = "transport: Error while
 * dialing: dial unix <path>: connect: no such file or directory"`).
 */
import { connect } from 'node:net';

/** Go's `syscall.Errno` texts for the errors a Unix socket dial can hit. */
const GO_ERRNO_TEXTS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied',
  ENOTSOCK: 'socket operation on non-socket',
  ENOTDIR: 'not a directory',
  EPROTOTYPE: 'protocol wrong type for socket',
};

/**
 * Dials `socketPath` once and returns Go's description of why it failed, or undefined
 * when the dial succeeds (so the failure lies elsewhere, for example in HTTP/2).
 */
export async function describeDialFailure(socketPath: string): Promise<string | undefined> {
  const errorCode = await dialErrorCode(socketPath);
  if (errorCode === undefined) return undefined;

  const text = GO_ERRNO_TEXTS[errorCode] ?? errorCode;
  return `connection error: desc = "transport: Error while dialing: dial unix ${socketPath}: connect: ${text}"`;
}

function dialErrorCode(socketPath: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'unknown error'));
  });
}
