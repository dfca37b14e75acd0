import { describe, expect, it } from 'vitest';
import type { KubePod } from '../../src/evidence/kube-types.js';
import { attestK8sWorkload, containerIdHost, findWorkloadContainer, k8sWorkloadSelectors, readKubeletPodList } from '../../src/spire/k8s-attestor.js';

const CONTAINER = '3c1d3fa3d6e8c0e5b2bf4b1c8f1f2b2c7a0a4c3e5d6f7a8b9c0d1e2f3a4b5c6d';
const SIDECAR = '9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d2c1b0a';
const INIT = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const POD_UID = '7b2f0a4e-5c1d-4e8f-9a0b-1c2d3e4f5a6b';

// A pod as `kubectl get pod -o json` and the kubelet's /pods print it (containerd runtime).
const pod: KubePod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'checkout-6d9f7c-x2v8q',
    namespace: 'shop',
    uid: POD_UID,
    labels: { app: 'checkout', 'pod-template-hash': '6d9f7c' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-6d9f7c', uid: 'a1b2c3d4-0000-4000-8000-000000000001', controller: true }],
  },
  spec: { serviceAccountName: 'checkout', nodeName: 'worker-2', containers: [{ name: 'app' }, { name: 'envoy' }] },
  status: {
    phase: 'Running',
    containerStatuses: [
      {
        name: 'app',
        image: 'registry.example/shop/checkout:1.4.2',
        imageID: 'registry.example/shop/checkout@sha256:5f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4',
        containerID: `containerd://${CONTAINER}`,
        ready: true,
      },
      {
        name: 'envoy',
        image: 'docker.io/envoyproxy/envoy:v1.31.0',
        imageID: 'docker.io/envoyproxy/envoy@sha256:aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44',
        containerID: `containerd://${SIDECAR}`,
        ready: true,
      },
    ],
    initContainerStatuses: [
      {
        name: 'migrate',
        image: 'registry.example/shop/checkout:1.4.2',
        imageID: 'registry.example/shop/checkout@sha256:5f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4',
        containerID: `containerd://${INIT}`,
      },
    ],
  },
};

const POD_SELECTORS = [
  'k8s:sa:checkout',
  'k8s:ns:shop',
  'k8s:node-name:worker-2',
  `k8s:pod-uid:${POD_UID}`,
  'k8s:pod-name:checkout-6d9f7c-x2v8q',
  'k8s:pod-image-count:2',
  'k8s:pod-init-image-count:1',
  'k8s:pod-image:registry.example/shop/checkout:1.4.2',
  'k8s:pod-image:registry.example/shop/checkout@sha256:5f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4',
  'k8s:pod-image:docker.io/envoyproxy/envoy:v1.31.0',
  'k8s:pod-image:docker.io/envoyproxy/envoy@sha256:aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44ee55ff66aa11bb22cc33dd44',
  'k8s:pod-init-image:registry.example/shop/checkout:1.4.2',
  'k8s:pod-init-image:registry.example/shop/checkout@sha256:5f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4',
  'k8s:pod-label:app:checkout',
  'k8s:pod-label:pod-template-hash:6d9f7c',
  'k8s:pod-owner:ReplicaSet:checkout-6d9f7c',
  'k8s:pod-owner-uid:ReplicaSet:a1b2c3d4-0000-4000-8000-000000000001',
];

const APP_SELECTORS = [
  'k8s:container-name:app',
  'k8s:container-image:registry.example/shop/checkout:1.4.2',
  'k8s:container-image:registry.example/shop/checkout@sha256:5f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4',
];

const cgroupOf = (podUid: string, containerId: string) => `0::/kubepods.slice/kubepods-pod${podUid.replaceAll('-', '_')}.slice/cri-containerd-${containerId}.scope\n`;

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

describe('k8sWorkloadSelectors', () => {
  it.each([
    { name: 'container by ID', options: { containerId: CONTAINER }, expected: [...POD_SELECTORS, ...APP_SELECTORS] },
    { name: 'container by name', options: { containerName: 'app' }, expected: [...POD_SELECTORS, ...APP_SELECTORS] },
    { name: 'container selectors disabled', options: { containerId: CONTAINER, disableContainerSelectors: true }, expected: POD_SELECTORS },
    { name: 'unknown container', options: { containerId: 'f'.repeat(64) }, expected: POD_SELECTORS },
    {
      name: 'init container',
      options: { containerId: INIT },
      expected: [
        ...POD_SELECTORS,
        'k8s:container-name:migrate',
        'k8s:container-image:registry.example/shop/checkout:1.4.2',
        'k8s:container-image:registry.example/shop/checkout@sha256:5f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4',
      ],
    },
    {
      name: 'namespace labels',
      options: { containerId: CONTAINER, namespaceLabels: { team: 'payments' } },
      expected: [...POD_SELECTORS, ...APP_SELECTORS, 'k8s:ns-label:team:payments'],
    },
  ])('emits selectors for $name', ({ options, expected }) => {
    expect(sorted(k8sWorkloadSelectors(pod, options))).toEqual(sorted(expected));
  });

  it('ignores the deprecated serviceAccount field', () => {
    const legacyPod: KubePod = { ...pod, spec: { serviceAccount: 'checkout', nodeName: 'worker-2' } };

    expect(k8sWorkloadSelectors(legacyPod)).toContain('k8s:sa:');
  });
});

describe('findWorkloadContainer', () => {
  it('skips statuses without a container ID', () => {
    const waiting: KubePod = { ...pod, status: { containerStatuses: [{ name: 'app', image: 'x', imageID: '' }] } };

    expect(findWorkloadContainer(waiting, { containerId: '' })).toBeUndefined();
  });

  it.each([
    { input: `containerd://${CONTAINER}`, expected: CONTAINER },
    { input: `cri-o://${CONTAINER}`, expected: CONTAINER },
    { input: `docker://${CONTAINER}/extra`, expected: CONTAINER },
    { input: CONTAINER, expected: undefined },
  ])('reads host of $input', ({ input, expected }) => {
    expect(containerIdHost(input)).toBe(expected);
  });
});

describe('attestK8sWorkload', () => {
  it('attests a running container', () => {
    const result = attestK8sWorkload({ cgroup: cgroupOf(POD_UID, CONTAINER), pods: [pod] });

    expect(result).toMatchObject({ ok: true, outcome: 'attested', attempts: 1 });
    expect(result.ok ? sorted(result.selectors) : []).toEqual(sorted([...POD_SELECTORS, ...APP_SELECTORS]));
  });

  it('returns no selectors outside a pod', () => {
    const result = attestK8sWorkload({ cgroup: '0::/user.slice/user-1000.slice/session-3.scope\n', pods: [pod] });

    expect(result).toEqual({ ok: true, outcome: 'not-in-pod', selectors: [], attempts: 0 });
  });

  it('gives up when the container never appears', () => {
    const result = attestK8sWorkload({ cgroup: cgroupOf(POD_UID, 'e'.repeat(64)), pods: [pod] });

    expect(result).toEqual({
      ok: false,
      reason: 'container-not-found',
      grpcCode: 'DeadlineExceeded',
      message: 'no selectors found after max poll attempts',
      logWarning: 'Container id not found; giving up',
      attempts: 60,
    });
  });

  it('tells a missing pod from a missing container', () => {
    const result = attestK8sWorkload({ cgroup: cgroupOf('11111111-2222-4333-8444-555555555555', CONTAINER), pods: [pod], config: { maxPollAttempts: 3 } });

    expect(result).toMatchObject({ ok: false, reason: 'pod-not-found', grpcCode: 'DeadlineExceeded', attempts: 3 });
  });

  it('returns pod selectors when container selectors are disabled', () => {
    const result = attestK8sWorkload({ cgroup: cgroupOf(POD_UID, 'e'.repeat(64)), pods: [pod], config: { disableContainerSelectors: true } });

    expect(result).toMatchObject({ ok: true, outcome: 'pod-selectors-only' });
    expect(result.ok ? sorted(result.selectors) : []).toEqual(sorted(POD_SELECTORS));
  });

  it('succeeds on the attempt the container starts', () => {
    const notStarted: KubePod = { ...pod, status: { ...pod.status, containerStatuses: [{ name: 'app', image: 'x', imageID: '' }] } };

    const result = attestK8sWorkload({ cgroup: cgroupOf(POD_UID, CONTAINER), pods: [], podListsByAttempt: [[notStarted], [notStarted], [pod]] });

    expect(result).toMatchObject({ ok: true, outcome: 'attested', attempts: 3 });
  });

  it('reports a kubelet error', () => {
    const podListError = 'unexpected status code on pods response: 403 Forbidden (user=system:serviceaccount:spire:spire-agent, verb=get, resource=nodes, subresource=proxy)';

    const result = attestK8sWorkload({ cgroup: cgroupOf(POD_UID, CONTAINER), pods: [], podListError });

    expect(result).toMatchObject({ ok: false, reason: 'kubelet-unavailable', grpcCode: 'Unavailable', message: podListError, logWarning: 'Unable to get pod list; giving up' });
  });

  it('reports missing namespace labels', () => {
    const result = attestK8sWorkload({ cgroup: cgroupOf(POD_UID, CONTAINER), pods: [pod], config: { enableNamespaceLabels: true } });

    expect(result).toMatchObject({ ok: false, reason: 'namespace-labels-unavailable', grpcCode: 'Internal' });
    expect(result).toHaveProperty('message', 'unable to get namespace labels for "shop": namespace not available');
  });

  it('reports a cgroup conflict', () => {
    const cgroup = `${cgroupOf(POD_UID, CONTAINER)}${cgroupOf(POD_UID, SIDECAR)}`;

    expect(attestK8sWorkload({ cgroup, pods: [pod] })).toMatchObject({ ok: false, reason: 'cgroup-conflict', grpcCode: 'FailedPrecondition' });
  });

  it('uses the legacy locator when asked', () => {
    const cgroup = `4:cpu:/kubepods/burstable/pod${POD_UID}/${CONTAINER}\n`;

    expect(attestK8sWorkload({ cgroup, pods: [pod], config: { useNewContainerLocator: false } })).toMatchObject({ ok: true, outcome: 'attested' });
  });
});

describe('readKubeletPodList', () => {
  it('reads a PodList', () => {
    expect(readKubeletPodList({ kind: 'PodList', apiVersion: 'v1', items: [pod] })).toEqual([pod]);
  });

  it.each([
    { name: 'a string', input: 'pods', message: 'invalid kubelet response: expected an object' },
    { name: 'no items', input: { kind: 'PodList' }, message: 'invalid kubelet response: expected an items array' },
  ])('rejects $name', ({ input, message }) => {
    expect(() => readKubeletPodList(input)).toThrow(message);
  });
});
