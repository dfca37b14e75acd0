/**
 * The gRPC server behind the agent's Workload API socket: the `SpiffeWorkloadAPI`
 * service plus `grpc.health.v1.Health/Check`, listening through the peer-credential
 * listener so every call can be attributed to a kernel-reported process.
 */
import { chmod } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { healthClientConstructor } from '../workload/health.js';
import { AgentError } from './errors.js';
import { listenWithPeerCredentials, loadPeerCredentialAddon } from './peer-credentials.js';
import { notWritable, prepareSocketPath } from './socket-path.js';
import { createWorkloadApi, type WorkloadApiDependencies } from './workload-api.js';

export interface WorkloadServerOptions {
  readonly socketPath: string;
  readonly dependencies: Omit<WorkloadApiDependencies, 'findCredentials'>;
  /** Returns true while the agent can serve; the health service reports SERVING then. */
  readonly isHealthy: () => boolean;
}

export interface WorkloadServer {
  readonly socketPath: string;
  close(): Promise<void>;
}

/** Starts the Workload API on `options.socketPath`. */
export async function startWorkloadServer(options: WorkloadServerOptions): Promise<WorkloadServer> {
  requirePeerCredentialAddon();
  await prepareSocketPath(options.socketPath);

  const server = new grpc.Server();
  let listener: Awaited<ReturnType<typeof listenWithPeerCredentials>> | undefined;
  const workloadApi = createWorkloadApi({
    ...options.dependencies,
    findCredentials: (call) => listener?.findCredentials(call),
  });
  server.addService(workloadApi.service, workloadApi.implementation);
  server.addService(healthClientConstructor().service, {
    Check: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      callback(null, { status: options.isHealthy() ? 'SERVING' : 'NOT_SERVING' }),
  });

  try {
    listener = await listenWithPeerCredentials(server, options.socketPath, {
      onCredentialError: (error) => options.dependencies.logger.error('Could not read peer credentials of a connection', { error }),
    });
    // Any local process may call the Workload API; attestation decides what it gets.
    await chmod(options.socketPath, 0o777);
  } catch (error) {
    server.forceShutdown();
    throw notWritable(options.socketPath, error as NodeJS.ErrnoException);
  }

  const activeListener = listener;
  return {
    socketPath: options.socketPath,
    async close() {
      await activeListener.close();
      server.forceShutdown();
    },
  };
}

/** Fails before listening when the addon is missing, instead of dropping every connection later. */
function requirePeerCredentialAddon(): void {
  try {
    loadPeerCredentialAddon();
  } catch (error) {
    throw new AgentError(`cannot serve the Workload API: ${(error as Error).message}`, {
      cause: error,
      suggestions: ['Build the addon with `npx node-gyp rebuild` in the spiffe-doctor package (it needs a C compiler and Node.js headers).'],
    });
  }
}
