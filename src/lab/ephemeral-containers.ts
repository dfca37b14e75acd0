/**
 * The `pods/ephemeralcontainers` subresource, which `kubectl debug` and spiffe-doctor's
 * opt-in debug fetch PATCH with a strategic merge patch (or a JSON merge patch) that adds
 * containers to `spec.ephemeralContainers`. Merging is by name, as the real server does,
 * and existing ephemeral containers are kept unchanged. The new container waits, then
 * runs its command through the exec backend, writes the output to its log and ends with
 * the command's exit code. A container without a command keeps running.
 */
import type { Container, ContainerStatus, KubePod } from '../evidence/kube-types.js';
import type { Logger } from '../logger.js';
import { badRequest, invalid, notFound, unsupportedPatchType, type FieldProblem } from './api-status.js';
import type { LabExecBackend } from './exec-backend.js';
import { logKey, type LabState } from './lab-state.js';
import { formatKubeTime, imageIdFor, qualifyImage } from './object-defaults.js';
import { hexDigest } from './deterministic-ids.js';
import type { LabObject } from './scenario-types.js';
import { isRecord } from './scenario-validation.js';

const PATCH_TYPES = new Set(['application/strategic-merge-patch+json', 'application/merge-patch+json']);

/** A parsed PATCH request on `pods/ephemeralcontainers`. */
export interface EphemeralContainerPatch {
  readonly namespace: string;
  readonly pod: string;
  readonly contentType: string;
  readonly body: string;
}

/**
 * Adds the patch's new ephemeral containers to the pod and starts them, returning the
 * updated pod.
 * @throws ApiStatusError 404 for a missing pod, 415 for another patch type, 400 for a body
 *   that is not JSON, 422 for a container without a name or image.
 */
export function addEphemeralContainers(state: LabState, backend: LabExecBackend, logger: Logger, patch: EphemeralContainerPatch): KubePod & LabObject {
  const mediaType = patch.contentType.split(';')[0]?.trim() ?? '';
  if (!PATCH_TYPES.has(mediaType)) throw unsupportedPatchType(mediaType);
  const pod = state.findPod(patch.namespace, patch.pod);
  if (!pod) throw notFound({ plural: 'pods', group: '' }, patch.pod);

  const requested = readRequestedContainers(patch);
  const existing = pod.spec?.ephemeralContainers ?? [];
  const added = requested.filter((container) => !existing.some((current) => current.name === container.name));
  validateContainers(patch.pod, added, existing.length);

  const updated = state.updatePod(patch.namespace, patch.pod, (current) => withEphemeralContainers(current, added, state.now()));
  for (const container of added) void startContainer(state, backend, logger, patch, container);
  return updated ?? pod;
}

function readRequestedContainers(patch: EphemeralContainerPatch): Container[] {
  let document: unknown;
  try {
    document = JSON.parse(patch.body);
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`);
  }
  const spec = isRecord(document) && isRecord(document.spec) ? document.spec : {};
  const containers = spec.ephemeralContainers;
  if (containers === undefined) return [];
  if (!Array.isArray(containers) || !containers.every(isRecord)) throw badRequest('spec.ephemeralContainers must be a list of containers');
  return containers as Container[];
}

function validateContainers(podName: string, containers: readonly Container[], offset: number): void {
  const problems: FieldProblem[] = [];
  containers.forEach((container, index) => {
    const field = `spec.ephemeralContainers[${offset + index}]`;
    if (typeof container.name !== 'string' || container.name === '') problems.push({ field: `${field}.name`, reason: 'FieldValueRequired', message: 'Required value' });
    if (typeof container.image !== 'string' || container.image === '') problems.push({ field: `${field}.image`, reason: 'FieldValueRequired', message: 'Required value' });
  });
  if (problems.length > 0) throw invalid('Pod', podName, problems);
}

function withEphemeralContainers(pod: KubePod & LabObject, added: readonly Container[], now: Date): KubePod & LabObject {
  const statuses = added.map((container) => ephemeralStatus(pod, container, { waiting: { reason: 'ContainerCreating' } }, now));
  return {
    ...pod,
    spec: { ...pod.spec, ephemeralContainers: [...(pod.spec?.ephemeralContainers ?? []), ...added] },
    status: { ...pod.status, ephemeralContainerStatuses: [...(pod.status?.ephemeralContainerStatuses ?? []), ...statuses] },
  };
}

function ephemeralStatus(pod: KubePod & LabObject, container: Container, state: ContainerStatus['state'], now: Date): ContainerStatus {
  const image = qualifyImage(container.image ?? '');
  const seed = `ephemeral/${pod.metadata.namespace ?? ''}/${pod.metadata.name}/${container.name ?? ''}/${now.getTime()}`;
  return { name: container.name, image, imageID: imageIdFor(image), containerID: `containerd://${hexDigest(seed)}`, ready: false, restartCount: 0, state };
}

function setState(state: LabState, patch: EphemeralContainerPatch, name: string, containerState: ContainerStatus['state']): void {
  state.updatePod(patch.namespace, patch.pod, (pod) => ({
    ...pod,
    status: {
      ...pod.status,
      ephemeralContainerStatuses: (pod.status?.ephemeralContainerStatuses ?? []).map((status) => (status.name === name ? { ...status, state: containerState } : status)),
    },
  }));
}

async function startContainer(state: LabState, backend: LabExecBackend, logger: Logger, patch: EphemeralContainerPatch, container: Container): Promise<void> {
  // Let the PATCH reply go out first, as the kubelet starts containers after the API server accepts them.
  await new Promise((resolve) => setImmediate(resolve));
  const name = container.name ?? '';
  const startedAt = formatKubeTime(state.now());
  setState(state, patch, name, { running: { startedAt } });
  const command = [...(container.command ?? []), ...(container.args ?? [])];
  if (command.length === 0) return;

  let exitCode: number;
  try {
    const result = await backend({ namespace: patch.namespace, pod: patch.pod, container: name, command });
    const key = logKey(patch.namespace, patch.pod, name);
    for (const line of `${result.stdout}${result.stderr}`.split('\n').filter((text) => text !== '')) state.appendLog(key, line);
    exitCode = result.exitCode;
  } catch (error) {
    logger.error('Ephemeral container failed', { namespace: patch.namespace, pod: patch.pod, container: name, error: (error as Error).message });
    exitCode = 128;
  }
  const reason = exitCode === 0 ? 'Completed' : 'Error';
  setState(state, patch, name, { terminated: { reason, exitCode, startedAt, finishedAt: formatKubeTime(state.now()) } });
}
