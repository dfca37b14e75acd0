/**
 * Peer credentials of Workload API callers, read from the kernel with
 * `getsockopt(SO_PEERCRED)` through the `peercred` addon (`native/peercred.c`).
 *
 * grpc-js does not expose the socket under a call, so the agent owns the Unix socket:
 * it listens with its own `net.Server`, reads the credentials of every accepted
 * connection from its file descriptor, and then hands the connection to grpc-js with
 * `Server.createConnectionInjector`. To find the credentials again inside a handler,
 * the listener replaces the accepted socket's `remoteAddress` (always empty for a Unix
 * socket) with a connection key that `call.getPeer()` returns. The key is made by the
 * agent, so a client cannot choose which credentials its calls carry.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';

/** Process credentials of the peer, as the kernel recorded them at connect time. */
export interface PeerCredentials {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

interface PeerCredentialAddon {
  peerCredentials(fd: number): PeerCredentials;
}

let addonCache: PeerCredentialAddon | undefined;

/** Loads `build/Release/peercred.node`, found by walking up from this module to the package root. */
export function loadPeerCredentialAddon(): PeerCredentialAddon {
  if (addonCache) return addonCache;

  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, 'build', 'Release', 'peercred.node');
    if (existsSync(candidate)) {
      addonCache = createRequire(import.meta.url)(candidate) as PeerCredentialAddon;
      return addonCache;
    }
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error('peer credential addon build/Release/peercred.node not found: run `npx node-gyp rebuild` in the spiffe-doctor package');
    }
    directory = parent;
  }
}

/** Reads the peer credentials of a connected Unix socket. */
export function readSocketPeerCredentials(socket: Socket): PeerCredentials {
  // `_handle.fd` is the libuv pipe's descriptor; Node has no public accessor for it.
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd === undefined || fd < 0) throw new Error('accepted connection has no file descriptor');
  return loadPeerCredentialAddon().peerCredentials(fd);
}

const CONNECTION_KEY_PREFIX = 'spiffe-doctor-uds-connection-';

/** A Unix socket listener that feeds grpc-js and remembers each connection's peer credentials. */
export interface PeerCredentialListener {
  /** Returns the credentials of the connection a call arrived on, or undefined if unknown. */
  findCredentials(call: { getPeer(): string }): PeerCredentials | undefined;
  /** Stops accepting connections and closes the open ones. */
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Called when reading a connection's credentials fails; the connection is then closed. */
  readonly onCredentialError?: (error: unknown) => void;
}

/** Listens on `socketPath` and injects every accepted connection into `grpcServer`. */
export async function listenWithPeerCredentials(
  grpcServer: grpc.Server,
  socketPath: string,
  options: ListenOptions = {},
): Promise<PeerCredentialListener> {
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const credentialsByKey = new Map<string, PeerCredentials>();
  const sockets = new Set<Socket>();
  let nextConnection = 0;

  const netServer = createServer((socket) => {
    let credentials: PeerCredentials;
    try {
      credentials = readSocketPeerCredentials(socket);
    } catch (error) {
      options.onCredentialError?.(error);
      socket.destroy();
      return;
    }

    const key = `${CONNECTION_KEY_PREFIX}${nextConnection++}`;
    credentialsByKey.set(key, credentials);
    sockets.add(socket);
    Object.defineProperty(socket, 'remoteAddress', { value: key, configurable: true });
    socket.once('close', () => {
      credentialsByKey.delete(key);
      sockets.delete(socket);
    });
    injector.injectConnection(socket);
  });

  await listen(netServer, socketPath);

  return {
    findCredentials: (call) => credentialsByKey.get(call.getPeer()),
    close: () => closeListener(netServer, sockets, injector),
  };
}

function listen(server: NetServer, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeListener(server: NetServer, sockets: Set<Socket>, injector: { destroy(): void }): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    injector.destroy();
    for (const socket of sockets) socket.destroy();
  });
}
