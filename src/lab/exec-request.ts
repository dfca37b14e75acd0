/**
 * The `pods/exec` request: its `PodExecOptions` query parameters and the checks the API
 * server makes before upgrading the connection (RBAC `create` on `pods/exec`, pod
 * present, container valid, pod scheduled).
 */
import { badRequest } from './api-status.js';
import type { LabState } from './lab-state.js';
import { resolvePodContainer } from './pod-container.js';
import { authorize } from './rbac.js';

/** Parsed `PodExecOptions` plus the target pod. */
export interface ExecRequest {
  readonly namespace: string;
  readonly pod: string;
  /** Empty when the client named no container. */
  readonly container: string;
  readonly command: readonly string[];
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

/**
 * Reads the exec options. kubectl sends booleans only when true; client-node sends all
 * of them as `true` or `false`.
 * @throws ApiStatusError 400 when no command is given.
 */
export function parseExecRequest(namespace: string, pod: string, query: URLSearchParams): ExecRequest {
  const command = query.getAll('command');
  if (command.length === 0) throw badRequest('you must specify at least 1 command');
  return {
    namespace,
    pod,
    container: query.get('container') ?? '',
    command,
    stdin: query.get('stdin') === 'true',
    stdout: query.get('stdout') === 'true',
    stderr: query.get('stderr') === 'true',
    tty: query.get('tty') === 'true',
  };
}

/**
 * Runs the pre-upgrade checks and returns the container the command runs in.
 * @throws ApiStatusError 403, 404 or 400, with the API server's pre-upgrade messages.
 */
export function validateExecTarget(state: LabState, exec: ExecRequest): string {
  authorize(state.scenario.rbac, { verb: 'create', resource: { plural: 'pods', group: '' }, subresource: 'exec', namespace: exec.namespace, name: exec.pod });
  const { pod, containerName } = resolvePodContainer(state, exec.namespace, exec.pod, exec.container);
  if (!pod.spec?.nodeName) throw badRequest(`pod ${exec.pod} does not have a host assigned`);
  return containerName;
}
