import { describe, expect, it } from 'vitest';
import type { KubeNode, KubePod } from '../../src/evidence/kube-types.js';
import { attestK8sPsatAgent, k8sPsatNodeSelectors } from '../../src/spire/k8s-psat.js';

// The agent pod and its node as `kubectl get -o json` prints them.
const agentPod: KubePod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'spire-agent-7xk2p', namespace: 'spire', uid: '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f', labels: { app: 'spire-agent', 'controller-revision-hash': '5d8f9' } },
  spec: { serviceAccountName: 'spire-agent', nodeName: 'worker-2' },
  status: { hostIP: '10.0.3.17', phase: 'Running' },
};

const node: KubeNode = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'worker-2', uid: '8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a1b', labels: { 'kubernetes.io/hostname': 'worker-2', pool: 'gpu' } },
};

const clusters = { prod: { serviceAccountAllowList: ['spire:spire-agent'], allowedNodeLabelKeys: ['pool'] } };

describe('attestK8sPsatAgent', () => {
  it('derives the agent ID and node selectors', () => {
    const result = attestK8sPsatAgent({ trustDomain: 'example.org', cluster: 'prod', clusters, agentPod, node });

    expect(result).toEqual({
      ok: true,
      spiffeId: 'spiffe://example.org/spire/agent/k8s_psat/prod/8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a1b',
      selectors: [
        'k8s_psat:cluster:prod',
        'k8s_psat:agent_ns:spire',
        'k8s_psat:agent_sa:spire-agent',
        'k8s_psat:agent_pod_name:spire-agent-7xk2p',
        'k8s_psat:agent_pod_uid:0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
        'k8s_psat:agent_node_ip:10.0.3.17',
        'k8s_psat:agent_node_name:worker-2',
        'k8s_psat:agent_node_uid:8f7e6d5c-4b3a-4291-8a7b-6c5d4e3f2a1b',
        'k8s_psat:agent_node_label:pool:gpu',
      ],
    });
  });

  it('uses the pod UID when configured', () => {
    const result = attestK8sPsatAgent({ trustDomain: 'example.org', cluster: 'prod', clusters: { prod: { ...clusters.prod, usePodUidForAgentId: true } }, agentPod, node });

    expect(result).toMatchObject({ ok: true, spiffeId: 'spiffe://example.org/spire/agent/k8s_psat/prod/pod/0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f' });
  });

  it.each([
    { name: 'unknown cluster', cluster: 'staging', pod: agentPod, kubeNode: node, grpcCode: 'InvalidArgument', message: 'not configured for cluster "staging"' },
    {
      name: 'service account not allowed',
      cluster: 'prod',
      pod: { ...agentPod, spec: { ...agentPod.spec, serviceAccountName: 'default' } },
      kubeNode: node,
      grpcCode: 'PermissionDenied',
      message: '"spire:default" is not an allowed service account for cluster "prod"',
    },
    { name: 'node without UID', cluster: 'prod', pod: agentPod, kubeNode: { metadata: { name: 'worker-2' } }, grpcCode: 'Internal', message: 'node UID is empty for cluster "prod"' },
  ])('rejects $name', ({ cluster, pod, kubeNode, grpcCode, message }) => {
    expect(attestK8sPsatAgent({ trustDomain: 'example.org', cluster, clusters, agentPod: pod, node: kubeNode })).toMatchObject({ ok: false, grpcCode, message });
  });
});

describe('k8sPsatNodeSelectors', () => {
  it('adds only allowed pod labels', () => {
    const selectors = k8sPsatNodeSelectors('prod', { serviceAccountAllowList: [], allowedPodLabelKeys: ['app'] }, agentPod, node);

    expect(selectors).toContain('k8s_psat:agent_pod_label:app:spire-agent');
    expect(selectors.filter((selector) => selector.includes('_label:'))).toEqual(['k8s_psat:agent_pod_label:app:spire-agent']);
  });
});
