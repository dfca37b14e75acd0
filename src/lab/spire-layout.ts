/**
 * Lookup of the SPIRE server and agent pods in the simulated cluster. Two layouts are
 * recognised: the SPIRE Kubernetes quickstart (labels `app=spire-server` /
 * `app=spire-agent`) and the official Helm chart (`app.kubernetes.io/name=server` / `agent`).
 */
import type { KubePod } from '../evidence/kube-types.js';

/** Directory the SPIRE images install their binaries in. */
export const SPIRE_BIN_DIR = '/opt/spire/bin';

function labelOf(pod: KubePod, key: string): string | undefined {
  return pod.metadata?.labels?.[key];
}

/** Reports whether `pod` is a SPIRE server pod in either layout. */
export function isServerPod(pod: KubePod): boolean {
  return labelOf(pod, 'app') === 'spire-server' || labelOf(pod, 'app.kubernetes.io/name') === 'server';
}

/** Reports whether `pod` is a SPIRE agent pod in either layout. */
export function isAgentPod(pod: KubePod): boolean {
  return labelOf(pod, 'app') === 'spire-agent' || labelOf(pod, 'app.kubernetes.io/name') === 'agent';
}

/** Reports whether `pod` runs: phase Running with every container in the running state. */
export function isRunning(pod: KubePod): boolean {
  const statuses = pod.status?.containerStatuses ?? [];
  return pod.status?.phase === 'Running' && statuses.every((status) => status.state?.running !== undefined);
}

/** Finds the first running agent pod scheduled on `nodeName`. */
export function findAgentPodOnNode(pods: readonly KubePod[], nodeName: string): KubePod | undefined {
  return pods.find((pod) => isAgentPod(pod) && pod.spec?.nodeName === nodeName && isRunning(pod));
}

/** Finds the first server pod, running or not. */
export function findServerPod(pods: readonly KubePod[]): KubePod | undefined {
  return pods.find(isServerPod);
}
