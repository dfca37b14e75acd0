/**
 * The gRPC health service (`grpc.health.v1.Health/Check`) on the Workload API socket,
 * which `spire-agent healthcheck` calls (SPIRE 1.15 `cmd/spire-agent/cli/healthcheck`).
 */
import { resolve as resolvePath } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadProtoFiles, serviceAt } from '../proto-loader.js';
import { describeDialFailure } from './dial-error.js';
import { WorkloadApiError } from './errors.js';
import type { CallOptions } from './client.js';

/** `HealthCheckResponse.ServingStatus` names. */
export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

let cachedConstructor: grpc.ServiceClientConstructor | undefined;

/** Loads (once per process) the `grpc.health.v1.Health` client constructor. */
export function healthClientConstructor(): grpc.ServiceClientConstructor {
  cachedConstructor ??= serviceAt(loadProtoFiles(['grpc/health/v1/health.proto']), 'grpc.health.v1.Health');
  return cachedConstructor;
}

type HealthClient = grpc.Client & {
  Check: (
    request: { service: string },
    callOptions: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: { status: ServingStatus }) => void,
  ) => void;
};

/** Calls `grpc.health.v1.Health/Check` on `socketPath` and returns the serving status. */
export async function checkHealth(socketPath: string, options: CallOptions = {}): Promise<ServingStatus> {
  const Constructor = healthClientConstructor();
  const client = new Constructor(`unix:${resolvePath(socketPath)}`, grpc.credentials.createInsecure()) as unknown as HealthClient;
  const deadline = new Date(Date.now() + (options.timeoutMs ?? 5_000));

  try {
    return await new Promise<ServingStatus>((resolve, reject) => {
      client.Check({ service: '' }, { deadline }, (error, response) => (error ? reject(error) : resolve(response?.status ?? 'UNKNOWN')));
    });
  } catch (error) {
    const serviceError = error as grpc.ServiceError;
    const dialFailure = serviceError.code === grpc.status.UNAVAILABLE ? await describeDialFailure(socketPath) : undefined;
    throw new WorkloadApiError(serviceError.code, dialFailure ?? serviceError.details, { cause: error });
  } finally {
    client.close();
  }
}
