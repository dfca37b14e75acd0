/**
 * Workload attestation by the simulated agent: the Kubernetes workload attestor
 * (`attestK8sWorkload`) run against the kubelet's view of the node, and what the client
 * and the agent log show when it fails (SPIRE 1.15.2 and later).
 */
import type { ContainerStatus, KubePod } from '../evidence/kube-types.js';
import { attestK8sWorkload, containerIdHost } from '../spire/k8s-attestor.js';
import type { LabState } from './lab-state.js';

/** An agent log line to write when attestation fails. */
export interface AttestationLogLine {
  readonly level: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** Selectors of an attested workload, or the error the client prints and the agent logs. */
export type LabAttestation =
  | { readonly ok: true; readonly selectors: readonly string[] }
  | { readonly ok: false; readonly clientError: string; readonly agentLog: readonly AttestationLogLine[] };


function findStatus(pod: KubePod, containerName: string): ContainerStatus | undefined {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  return statuses.find((status) => status.name === containerName);
}

/**
 * Attests the process of `containerName` in `pod` with the kubelet's pod list of the
 * pod's node. `method` is the Workload API method logged with a failure. SPIRE looks the container up in `containerStatuses` and
 * `initContainerStatuses` only, so an ephemeral container is not found unless the
 * scenario disables container selectors.
 */
export function attestWorkload(state: LabState, pod: KubePod, containerName: string, method: string): LabAttestation {
  const handlerFields = { method, service: 'WorkloadAPI', subsystem_name: 'endpoints' };
  const { pods, spire } = state.scenario;
  const nodePods = pods.filter((candidate) => candidate.spec?.nodeName === pod.spec?.nodeName);
  const containerId = containerIdHost(findStatus(pod, containerName)?.containerID ?? '') ?? '';
  const result = attestK8sWorkload({
    container: { podUid: pod.metadata?.uid ?? '', containerId },
    pods: nodePods,
    config: { disableContainerSelectors: spire.disableContainerSelectors },
  });
  if (result.ok) return { ok: true, selectors: result.selectors };

  // The attestor polls for about 30 s, longer than the 5 s default `-timeout` of `spire-agent api fetch`.
  if (result.grpcCode === 'DeadlineExceeded') {
    return {
      ok: false,
      clientError: 'rpc error: code = DeadlineExceeded desc = context deadline exceeded',
      agentLog: [
        { level: 'error', message: 'Timed out collecting selectors', fields: handlerFields },
        { level: 'error', message: 'Workload attestation failed', fields: handlerFields },
      ],
    };
  }
  return {
    ok: false,
    clientError: 'rpc error: code = Unavailable desc = workload attestation failed',
    agentLog: [
      { level: 'error', message: 'workload attestor "k8s" failed', fields: { error: result.message, subsystem_name: 'workload_attestor' } },
      { level: 'error', message: 'Workload attestation failed', fields: handlerFields },
    ],
  };
}
