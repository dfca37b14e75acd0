/**
 * The selectors to match entries against. What the agent logged for this pod's PID
 * is ground truth. Without it, or when the log shows no `k8s` selectors because the
 * Kubernetes attestor failed, the selectors the attestor would produce are predicted
 * from the pod object, so entry checks can still judge the entries themselves.
 */
import type { Evidence } from '../../evidence/types.js';
import type { KubePod } from '../../evidence/kube-types.js';
import { k8sWorkloadSelectors } from '../../spire/k8s-attestor.js';
import { findSocketUse } from './workload-socket.js';
import type { WorkloadView } from './workload-view.js';

export interface WorkloadSelectors {
  readonly selectors: readonly string[];
  readonly source: 'agent-log' | 'pod' | 'process';
}

function predictPodSelectors(pod: KubePod, view: WorkloadView): string[] {
  const container = findSocketUse(pod, view.fetch)?.container ?? pod.spec?.containers?.[0];
  return k8sWorkloadSelectors(pod, container?.name === undefined ? {} : { containerName: container.name });
}

function processSelectors(evidence: Evidence): string[] {
  const process = evidence.process;
  if (process === undefined) {
    return [];
  }
  const selectors = [
    process.uid === undefined ? undefined : `unix:uid:${process.uid}`,
    process.user === undefined ? undefined : `unix:user:${process.user}`,
    process.gid === undefined ? undefined : `unix:gid:${process.gid}`,
    process.group === undefined ? undefined : `unix:group:${process.group}`,
    process.path === undefined ? undefined : `unix:path:${process.path}`,
    process.sha256 === undefined ? undefined : `unix:sha256:${process.sha256}`,
    ...(process.supplementaryGids ?? []).map((gid) => `unix:supplementary_gid:${gid}`),
  ];
  return selectors.filter((selector): selector is string => selector !== undefined);
}

/** Returns the workload's selectors: from the agent log when it has k8s selectors for the pod, else predicted. */
export function findWorkloadSelectors(evidence: Evidence, view: WorkloadView): WorkloadSelectors | undefined {
  const logged = view.agentLog?.workloadSelectors;
  if (logged !== undefined && (view.pod === undefined || logged.some((selector) => selector.startsWith('k8s:')))) {
    return { selectors: logged, source: 'agent-log' };
  }
  if (view.pod !== undefined) {
    return { selectors: predictPodSelectors(view.pod, view), source: 'pod' };
  }
  const fromProcess = processSelectors(evidence);
  return fromProcess.length === 0 ? undefined : { selectors: fromProcess, source: 'process' };
}
