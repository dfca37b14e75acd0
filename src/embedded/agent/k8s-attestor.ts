/**
 * A `k8s` workload attestor for the lab. The lab maps each process to a simulated pod,
 * so it supplies the pod's selectors through a callback instead of the kubelet lookup
 * SPIRE's attestor performs. A callback that returns no selectors means
 * "not a Kubernetes pod", which SPIRE 1.15 also treats as success with zero selectors.
 */
import type { SelectorJson } from '../../spire/types.js';
import type { PeerCredentials } from './peer-credentials.js';
import type { WorkloadAttestor } from './workload-attestor.js';

/** Returns the `k8s` selectors (type `k8s`) of the pod that `pid` runs in, or an empty list. */
export type PodSelectorLookup = (pid: number, caller: PeerCredentials) => Promise<readonly SelectorJson[]> | readonly SelectorJson[];

/** Creates a `k8s` workload attestor backed by `lookUpPodSelectors`. */
export function createK8sCallbackAttestor(lookUpPodSelectors: PodSelectorLookup): WorkloadAttestor {
  return {
    name: 'k8s',
    async attest(caller) {
      return [...(await lookUpPodSelectors(caller.pid, caller))];
    },
  };
}
