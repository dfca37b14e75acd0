/**
 * Reading the workload pod, the one probe whose failure stops the gather: without the
 * pod there is nothing to diagnose, so its errors become user errors (exit code 2).
 */
import type { KubePod } from '../../evidence/kube-types.js';
import { UserError } from '../../errors.js';
import { isKubeApiError, isKubeUnreachableError, type KubeUnreachableError } from './errors.js';
import { describePermission } from './gather-failure.js';
import type { ProbeObserver } from '../probe-runner.js';
import type { KubeSource } from './source.js';

/**
 * Reads the pod named in the request.
 *
 * @throws UserError when the pod does not exist, access is denied or unauthenticated, or
 *   the API server cannot be reached.
 */
export async function readWorkloadPod(
  source: KubeSource,
  request: { readonly namespace: string; readonly pod: string },
  observer: ProbeObserver = () => {},
  timeoutMs = DEFAULT_POD_READ_TIMEOUT_MS,
): Promise<KubePod> {
  observer('pod', 'started');
  try {
    const pod = await withTimeout(source.readPod(request.namespace, request.pod), timeoutMs, () => timeoutUserError(source, request, timeoutMs));
    observer('pod', 'succeeded');
    return pod;
  } catch (error) {
    const userError = toUserError(error, source, request);
    observer('pod', 'failed', userError?.message ?? String(error));
    throw userError ?? error;
  }
}

/** Default wait for the pod read: an API server that accepts connections but never responds would otherwise hang the run. */
export const DEFAULT_POD_READ_TIMEOUT_MS = 15_000;

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function timeoutUserError(source: KubeSource, request: { namespace: string; pod: string }, timeoutMs: number): UserError {
  return new UserError(
    `timed out after ${timeoutMs / 1000} s reading pod "${request.pod}" in namespace "${request.namespace}" from the API server at ${source.serverUrl} (${source.configDescription})`,
    { suggestions: ['Check that the API server responds (kubectl get --raw /version), or raise --probe-timeout.'] },
  );
}

function toUserError(error: unknown, source: KubeSource, request: { namespace: string; pod: string }): UserError | undefined {
  const { namespace, pod } = request;

  if (error instanceof UserError) return error;
  if (isKubeUnreachableError(error)) return unreachableUserError(error, source);
  if (!isKubeApiError(error)) return undefined;

  if (error.code === 404) {
    return new UserError(`pod "${pod}" not found in namespace "${namespace}"`, {
      cause: error,
      suggestions: [`List the pods with kubectl get pods -n ${namespace}, then pass one of their names.`],
    });
  }
  if (error.code === 403) {
    return new UserError(`could not read pod "${pod}": forbidden; grant ${describePermission({ verb: 'get', resource: 'pods', namespace })}`, {
      cause: error,
      suggestions: [`Check your access with kubectl auth can-i get pods -n ${namespace}.`],
    });
  }
  if (error.code === 401) {
    return new UserError(`the API server at ${source.serverUrl} rejected the credentials from ${source.configDescription}`, {
      cause: error,
      suggestions: ['Log in again or refresh the token, then retry.'],
    });
  }
  return undefined;
}

/** Turns an unreachable API server into a user error that names the server and the kubeconfig. */
export function unreachableUserError(error: KubeUnreachableError, source: KubeSource): UserError {
  return new UserError(`${error.message} (from ${source.configDescription})`, {
    cause: error,
    suggestions: ['Check that the cluster is up and that --kubeconfig and --context point at it (kubectl cluster-info).'],
  });
}
