/**
 * SPIRE's k8s_psat node attestor on the server side (read from SPIRE 1.16.0-dev,
 * `pkg/server/plugin/nodeattestor/k8spsat/psat.go`): the agent SPIFFE ID and the
 * `k8s_psat:` node selectors it derives from the agent pod and its node. Node
 * aliases match on these selectors, so a missing label key in
 * `allowed_node_label_keys` leaves an agent outside an alias.
 *
 * Token validation through the TokenReview API is not reproduced: the agent pod is
 * taken as the one the token names.
 */
import type { KubeNode, KubePod } from '../evidence/kube-types.js';
import { k8sPsatAgentId } from './agent-ids.js';

/** One entry of the server plugin's `clusters` map. */
export interface K8sPsatClusterConfig {
  /** `service_account_allow_list`: `<namespace>:<service account>` names that may attest. */
  readonly serviceAccountAllowList: readonly string[];
  /** `allowed_node_label_keys`: node labels turned into `agent_node_label` selectors. Default none. */
  readonly allowedNodeLabelKeys?: readonly string[];
  /** `allowed_pod_label_keys`: agent pod labels turned into `agent_pod_label` selectors. Default none. */
  readonly allowedPodLabelKeys?: readonly string[];
  /** `use_pod_uid_for_agent_id`: end the agent ID with `pod/<pod UID>` instead of the node UID. Default false. */
  readonly usePodUidForAgentId?: boolean;
}

/** The server-side inputs of one k8s_psat agent attestation. */
export interface K8sPsatAttestationInput {
  readonly trustDomain: string;
  /** The `cluster` the agent names in its configuration. */
  readonly cluster: string;
  /** The server plugin's `clusters` map. */
  readonly clusters: Readonly<Record<string, K8sPsatClusterConfig>>;
  readonly agentPod: KubePod;
  /** The node the agent pod runs on. */
  readonly node: KubeNode;
}

/** The server's outcome, with the gRPC status and message SPIRE returns on failure. */
export type K8sPsatAttestationResult =
  | { readonly ok: true; readonly spiffeId: string; readonly selectors: readonly string[] }
  | {
      readonly ok: false;
      readonly reason: 'cluster-not-configured' | 'service-account-not-allowed' | 'node-uid-empty';
      readonly grpcCode: 'InvalidArgument' | 'PermissionDenied' | 'Internal';
      readonly message: string;
    };

/**
 * Reproduces the server's k8s_psat attestation of an agent: the cluster must be
 * configured, the agent's `<namespace>:<service account>` must be allowed, and the
 * node must have a UID. The agent then gets its SPIFFE ID and node selectors.
 */
export function attestK8sPsatAgent(input: K8sPsatAttestationInput): K8sPsatAttestationResult {
  const config = input.clusters[input.cluster];
  if (config === undefined) {
    return { ok: false, reason: 'cluster-not-configured', grpcCode: 'InvalidArgument', message: `not configured for cluster ${JSON.stringify(input.cluster)}` };
  }

  const serviceAccount = `${input.agentPod.metadata?.namespace ?? ''}:${input.agentPod.spec?.serviceAccountName ?? ''}`;
  if (!config.serviceAccountAllowList.includes(serviceAccount)) {
    const message = `${JSON.stringify(serviceAccount)} is not an allowed service account for cluster ${JSON.stringify(input.cluster)}`;
    return { ok: false, reason: 'service-account-not-allowed', grpcCode: 'PermissionDenied', message };
  }

  const nodeUid = input.node.metadata?.uid ?? '';
  if (nodeUid === '') {
    return { ok: false, reason: 'node-uid-empty', grpcCode: 'Internal', message: `node UID is empty for cluster ${JSON.stringify(input.cluster)}` };
  }

  const podUid = input.agentPod.metadata?.uid ?? '';
  const spiffeId = config.usePodUidForAgentId === true ? k8sPsatAgentId(input.trustDomain, input.cluster, { podUid }) : k8sPsatAgentId(input.trustDomain, input.cluster, nodeUid);
  return { ok: true, spiffeId, selectors: k8sPsatNodeSelectors(input.cluster, config, input.agentPod, input.node) };
}

/**
 * Returns the `k8s_psat:` node selectors of an agent: `cluster`, `agent_ns`,
 * `agent_sa`, `agent_pod_name`, `agent_pod_uid`, `agent_node_ip` (the pod's
 * `status.hostIP`), `agent_node_name`, `agent_node_uid`, then `agent_node_label`
 * and `agent_pod_label` for the allowed label keys only.
 */
export function k8sPsatNodeSelectors(cluster: string, config: K8sPsatClusterConfig, agentPod: KubePod, node: KubeNode): string[] {
  const values = [
    `cluster:${cluster}`,
    `agent_ns:${agentPod.metadata?.namespace ?? ''}`,
    `agent_sa:${agentPod.spec?.serviceAccountName ?? ''}`,
    `agent_pod_name:${agentPod.metadata?.name ?? ''}`,
    `agent_pod_uid:${agentPod.metadata?.uid ?? ''}`,
    `agent_node_ip:${agentPod.status?.hostIP ?? ''}`,
    `agent_node_name:${agentPod.spec?.nodeName ?? ''}`,
    `agent_node_uid:${node.metadata?.uid ?? ''}`,
  ];
  values.push(...allowedLabels('agent_node_label', node.metadata?.labels ?? {}, config.allowedNodeLabelKeys ?? []));
  values.push(...allowedLabels('agent_pod_label', agentPod.metadata?.labels ?? {}, config.allowedPodLabelKeys ?? []));
  return values.map((value) => `k8s_psat:${value}`);
}

function allowedLabels(prefix: string, labels: Readonly<Record<string, string>>, allowedKeys: readonly string[]): string[] {
  return Object.entries(labels)
    .filter(([key]) => allowedKeys.includes(key))
    .map(([key, value]) => `${prefix}:${key}:${value}`);
}
