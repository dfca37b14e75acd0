/**
 * A client for the server's admin API on its Unix socket, with promise-returning
 * unary calls. Used by the `server` commands and by tests.
 */
import * as grpc from '@grpc/grpc-js';

import { loadServerApi, type ServerApi } from '../../proto-loader.js';

/** Default server socket, as in SPIRE 1.15. */
export const DEFAULT_SERVER_SOCKET_PATH = '/tmp/spire-server/private/api.sock';

/** A gRPC error as SPIRE's CLI prints it: `rpc error: code = <Name> desc = <message>`. */
export class RpcError extends Error {
  override readonly name = 'RpcError';

  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(`rpc error: code = ${codeName(code)} desc = ${details}`);
  }
}

export function isRpcError(value: unknown): value is RpcError {
  return value instanceof RpcError;
}

const CODE_NAMES: Readonly<Record<number, string>> = {
  0: 'OK',
  1: 'Canceled',
  2: 'Unknown',
  3: 'InvalidArgument',
  4: 'DeadlineExceeded',
  5: 'NotFound',
  6: 'AlreadyExists',
  7: 'PermissionDenied',
  8: 'ResourceExhausted',
  9: 'FailedPrecondition',
  10: 'Aborted',
  11: 'OutOfRange',
  12: 'Unimplemented',
  13: 'Internal',
  14: 'Unavailable',
  15: 'DataLoss',
  16: 'Unauthenticated',
};

/** Returns the Go name of a gRPC status code (`NotFound`), as SPIRE prints it. */
export function codeName(code: number): string {
  return CODE_NAMES[code] ?? `Code(${code})`;
}

type UnaryCall = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response: unknown) => void) => void;

/** Calls a unary method on `client` and resolves with its response; rejects with RpcError. */
export function callUnary<T>(client: grpc.Client, method: string, request: unknown, timeoutMs = 30_000): Promise<T> {
  const call = (client as unknown as Record<string, UnaryCall>)[method];
  if (call === undefined) {
    return Promise.reject(new Error(`unknown method ${method}`));
  }
  return new Promise((resolve, reject) => {
    call.call(client, request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => {
      if (error) reject(new RpcError(error.code, error.details));
      else resolve(response as T);
    });
  });
}

/** Admin API clients for each service, sharing one channel to the socket. */
export interface AdminClients {
  readonly entry: grpc.Client;
  readonly agent: grpc.Client;
  readonly bundle: grpc.Client;
  readonly svid: grpc.Client;
  readonly health: grpc.Client;
  readonly debug: grpc.Client;
  close(): void;
}

/** Connects to the admin API on `socketPath` (no TLS, as SPIRE's CLI does). */
export function createAdminClients(socketPath: string): AdminClients {
  const api: ServerApi = loadServerApi();
  const target = `unix:${socketPath}`;
  const credentials = grpc.credentials.createInsecure();
  const entry = new api.Entry(target, credentials);
  const channelOverride = { channelOverride: entry.getChannel() };
  const clients = {
    entry,
    agent: new api.Agent(target, credentials, channelOverride),
    bundle: new api.Bundle(target, credentials, channelOverride),
    svid: new api.SVID(target, credentials, channelOverride),
    health: new api.Health(target, credentials, channelOverride),
    debug: new api.Debug(target, credentials, channelOverride),
  };
  return { ...clients, close: () => entry.close() };
}
