/**
 * Container resolution for the `log` and `exec` subresources, with the API server's
 * 400 messages (Kubernetes 1.30 `pkg/registry/core/pod/strategy.go`).
 */
import type { Container, KubePod } from '../evidence/kube-types.js';
import { badRequest, notFound } from './api-status.js';
import type { LabState } from './lab-state.js';
import type { LabObject } from './scenario-types.js';

/** A pod and the container a request addresses. */
export interface PodContainer {
  readonly pod: KubePod & LabObject;
  readonly container: Container;
  readonly containerName: string;
}

const PODS = { plural: 'pods', group: '' } as const;

/**
 * Finds the pod and the named container; with no name, the pod's only container.
 * @throws ApiStatusError 404 when the pod is missing, 400 when the container is invalid or ambiguous.
 */
export function resolvePodContainer(state: LabState, namespace: string, podName: string, containerName: string): PodContainer {
  const pod = state.findPod(namespace, podName);
  if (!pod) throw notFound(PODS, podName);

  const containers = pod.spec?.containers ?? [];
  if (containerName === '') {
    const only = containers.length === 1 ? containers[0] : undefined;
    if (only?.name) return { pod, container: only, containerName: only.name };
    throw badRequest(chooseContainerMessage(pod, podName));
  }

  const all = [...containers, ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
  const container = all.find((candidate) => candidate.name === containerName);
  if (!container) throw badRequest(`container ${containerName} is not valid for pod ${podName}`);
  return { pod, container, containerName };
}

function chooseContainerMessage(pod: KubePod, podName: string): string {
  const names = (list: readonly Container[] | undefined) => (list ?? []).map((container) => container.name ?? '').join(' ');
  const message = `a container name must be specified for pod ${podName}, choose one of: [${names(pod.spec?.containers)}]`;
  const init = pod.spec?.initContainers;
  return init && init.length > 0 ? `${message} or one of the init containers: [${names(init)}]` : message;
}
