import { describe, expect, it } from 'vitest';

import type { KubeCustomResource, KubeNode, KubePod } from '../../src/evidence/kube-types.js';
import {
  ControllerManagerConfigError,
  clusterSpiffeIdSelectsPod,
  clusterStaticEntryReconciled,
  expectedEntryForPod,
  isControllerManagerConfigError,
  namespaceIgnoredBy,
  readClusterSpiffeId,
  readClusterStaticEntry,
  readControllerManagerConfig,
  renderSpiffeIdTemplate,
  type SelectionOptions,
} from '../../src/spire/controller-manager.js';

// Controller manager configs, ClusterSPIFFEIDs and pods from our evidence cases.
const ignoredNamespaceConfig = `clusterName: lab
trustDomain: corp.test
ignoreNamespaces:
- kube-system
- kube-public
- spire
`;

const classConfig = `apiVersion: spire.spiffe.io/v1alpha1
kind: ControllerManagerConfig
className: spire-server-spire
watchClassless: false
clusterName: ops
trustDomain: corp.test
spireServerSocketPath: /tmp/spire-server/private/api.sock
ignoreNamespaces:
  - kube-system
  - kube-public
`;

const managedIdentityCsid: KubeCustomResource = {
  apiVersion: 'spire.spiffe.io/v1alpha1',
  kind: 'ClusterSPIFFEID',
  metadata: { name: 'default' },
  spec: {
    spiffeIDTemplate: 'spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}',
    podSelector: { matchLabels: { 'spiffe.io/spire-managed-identity': 'true' } },
  },
};

const dataClassCsid: KubeCustomResource = {
  apiVersion: 'spire.spiffe.io/v1alpha1',
  kind: 'ClusterSPIFFEID',
  metadata: { name: 'spire-server-spire-regulated' },
  spec: {
    className: 'spire-server-spire',
    spiffeIDTemplate: 'spiffe://{{ .TrustDomain }}/reg/{{ index .PodMeta.Labels "corp.test/data-class" }}/ns/{{ .PodMeta.Namespace }}',
    podSelector: { matchExpressions: [{ key: 'corp.test/data-class', operator: 'In', values: ['a', 'b'] }] },
  },
  status: { stats: { namespacesSelected: 7, namespacesIgnored: 2, podsSelected: 12, podEntryRenderFailures: 0, entriesMasked: 0, entriesToSet: 12, entryFailures: 0 } },
};

const echoPod: KubePod = {
  metadata: {
    name: 'echo-5c6d7e8f9-w3e4r',
    namespace: 'spire-demo',
    uid: '33445566-7788-4990-8aab-bccddeeff001',
    labels: { app: 'echo', 'spiffe.io/spire-managed-identity': 'true' },
  },
  spec: { serviceAccountName: 'echo', nodeName: 'lab-node-2' },
};

const oidcPod: KubePod = {
  metadata: {
    name: 'spire-spiffe-oidc-discovery-provider-6b8f7c9d4-x2kq9',
    namespace: 'spire-server',
    uid: '6a7b8c9d-0801-4e0f-8a1b-2c3d4e5f6a01',
    labels: { 'app.kubernetes.io/name': 'spiffe-oidc-discovery-provider', 'app.kubernetes.io/instance': 'spire', 'pod-template-hash': '6b8f7c9d4' },
  },
  spec: { serviceAccountName: 'spire-spiffe-oidc-discovery-provider', nodeName: 'node-1' },
};

const labNode: KubeNode = { metadata: { name: 'lab-node-2', uid: '7d6c5b4a-3928-4716-a5b4-c3d2e1f00912' } };

describe('readControllerManagerConfig', () => {
  it('reads a plain config', () => {
    const config = readControllerManagerConfig(ignoredNamespaceConfig);

    expect(config.clusterName).toBe('lab');
    expect(config.trustDomain).toBe('corp.test');
    expect(config.ignoreNamespaces).toEqual(['kube-system', 'kube-public', 'spire']);
    expect(config.spireServerSocketPath).toBe('/spire-server/api.sock');
    expect(config.gcInterval).toBe(10_000);
    expect(config.watchClassless).toBe(false);
    expect(config.className).toBeUndefined();
    expect(config.reconcile).toEqual({ clusterSPIFFEIDs: true, clusterStaticEntries: true, clusterFederatedTrustDomains: true });
    expect(config.problems).toEqual([]);
  });

  it('reads a ControllerManagerConfig kind', () => {
    const config = readControllerManagerConfig(classConfig);

    expect(config.className).toBe('spire-server-spire');
    expect(config.spireServerSocketPath).toBe('/tmp/spire-server/private/api.sock');
    expect(config.ignoreNamespaces).toEqual(['kube-system', 'kube-public']);
  });

  it('fills default ignore list', () => {
    const config = readControllerManagerConfig('clusterName: c\ntrustDomain: t\n');

    expect(config.ignoreNamespaces).toEqual(['kube-system', 'kube-public', 'spire-system']);
  });

  it.each([
    { name: 'nanosecond number', text: 'gcInterval: 30000000000', expected: 30_000 },
    { name: 'duration string', text: 'gcInterval: 1m', expected: 60_000 },
    { name: 'zero', text: 'gcInterval: 0', expected: 10_000 },
  ])('reads gcInterval as $name', ({ text, expected }) => {
    expect(readControllerManagerConfig(text).gcInterval).toBe(expected);
  });

  it('reads reconcile and static mode', () => {
    const config = readControllerManagerConfig('staticManifestPath: /manifests\nentryIDPrefix: east-\n');

    expect(config.reconcile).toEqual({ clusterSPIFFEIDs: false, clusterStaticEntries: true, clusterFederatedTrustDomains: true });
    expect(config.entryIDPrefix).toBe('east-');
  });

  it('lists startup problems', () => {
    const config = readControllerManagerConfig('ignoreNamespaces: ["kube-(system"]\n');

    expect(config.problems).toEqual(['clusterName is not set', 'trustDomain is not set', 'ignoreNamespaces pattern "kube-(system" does not compile']);
  });

  it.each([
    { name: 'broken YAML', text: 'clusterName: [a', field: '' },
    { name: 'list at top level', text: '- a\n- b\n', field: '' },
    { name: 'ignore list of numbers', text: 'ignoreNamespaces: [1, 2]', field: 'ignoreNamespaces' },
    { name: 'watchClassless as text', text: 'watchClassless: "yes"', field: 'watchClassless' },
    { name: 'bad gcInterval', text: 'gcInterval: soon', field: 'gcInterval' },
  ])('rejects $name', ({ text, field }) => {
    let caught: unknown;
    try {
      readControllerManagerConfig(text);
    } catch (error) {
      caught = error;
    }

    expect(isControllerManagerConfigError(caught)).toBe(true);
    expect((caught as ControllerManagerConfigError).field).toBe(field);
  });
});

describe('namespaceIgnoredBy', () => {
  it.each([
    { name: 'unanchored prefix match', namespace: 'spire-demo', patterns: ['kube-system', 'spire'], expected: 'spire' },
    { name: 'unanchored inner match', namespace: 'my-kube-system-x', patterns: ['kube-system'], expected: 'kube-system' },
    { name: 'anchored pattern', namespace: 'spire-demo', patterns: ['^spire$'], expected: undefined },
    { name: 'exact anchored match', namespace: 'spire', patterns: ['^spire$'], expected: '^spire$' },
    { name: 'case-insensitive flag', namespace: 'Spire', patterns: ['(?i)^spire$'], expected: '(?i)^spire$' },
    { name: 'RE2 text anchors', namespace: 'kube-system', patterns: ['\\Akube-system\\z'], expected: '\\Akube-system\\z' },
    { name: 'invalid pattern skipped', namespace: 'shop', patterns: ['(', 'sh'], expected: 'sh' },
    { name: 'no match', namespace: 'shop', patterns: ['kube-system', 'kube-public'], expected: undefined },
  ])('finds $name', ({ namespace, patterns, expected }) => {
    expect(namespaceIgnoredBy(namespace, patterns)).toBe(expected);
  });
});

describe('clusterSpiffeIdSelectsPod', () => {
  it('reports ignored namespace pattern', () => {
    const config = readControllerManagerConfig(ignoredNamespaceConfig);

    const result = clusterSpiffeIdSelectsPod(readClusterSpiffeId(managedIdentityCsid), echoPod, config);

    expect(result).toEqual({
      selected: false,
      reason: 'namespace-ignored',
      pattern: 'spire',
      detail: 'namespace "spire-demo" matches ignoreNamespaces pattern "spire" (patterns are unanchored regular expressions)',
    });
  });

  it('accepts resource as printed', () => {
    const result = clusterSpiffeIdSelectsPod(managedIdentityCsid, echoPod, { ignoreNamespaces: ['^spire$'] });

    expect(result).toEqual({ selected: true });
  });

  it('selects pod once anchored', () => {
    const result = clusterSpiffeIdSelectsPod(readClusterSpiffeId(managedIdentityCsid), echoPod, { ignoreNamespaces: ['^kube-system$', '^spire$'] });

    expect(result).toEqual({ selected: true });
  });

  it('reports pod selector exclusion', () => {
    const config = readControllerManagerConfig(classConfig);

    const result = clusterSpiffeIdSelectsPod(readClusterSpiffeId(dataClassCsid), oidcPod, config);

    expect(result).toEqual({
      selected: false,
      reason: 'pod-selector-excludes',
      mismatches: [{ key: 'corp.test/data-class', operator: 'In', values: ['a', 'b'] }],
      detail: 'pod labels do not meet the podSelector of ClusterSPIFFEID spire-server-spire-regulated: label "corp.test/data-class" is missing, expected "a" or "b"',
    });
  });

  it.each([
    {
      name: 'classless resource not watched',
      csidClass: undefined,
      options: { className: 'spire-server-spire', watchClassless: false },
      detail: 'ClusterSPIFFEID default has no className and the controller (className "spire-server-spire") does not watch classless resources',
    },
    {
      name: 'other class',
      csidClass: 'other',
      options: { className: 'spire-server-spire' },
      detail: 'ClusterSPIFFEID default has className "other" but the controller reconciles className "spire-server-spire"',
    },
    {
      name: 'class without controller class',
      csidClass: 'other',
      options: {},
      detail: 'ClusterSPIFFEID default has className "other" but the controller reconciles className ""',
    },
  ])('reports class mismatch for $name', ({ csidClass, options, detail }) => {
    const csid = readClusterSpiffeId({ ...managedIdentityCsid, spec: { ...managedIdentityCsid.spec, ...(csidClass ? { className: csidClass } : {}) } });

    expect(clusterSpiffeIdSelectsPod(csid, echoPod, options)).toEqual({ selected: false, reason: 'class-mismatch', detail });
  });

  it('selects classless with watchClassless', () => {
    const csid = readClusterSpiffeId(managedIdentityCsid);

    expect(clusterSpiffeIdSelectsPod(csid, echoPod, { className: 'x', watchClassless: true })).toEqual({ selected: true });
  });

  it.each([
    {
      name: 'namespace label mismatch',
      namespaceLabels: { 'kubernetes.io/metadata.name': 'spire-demo', env: 'dev' },
      expected: {
        selected: false,
        reason: 'namespace-selector-excludes',
        mismatches: [{ key: 'env', operator: 'In', values: ['prod'], actual: 'dev' }],
        detail: 'namespace "spire-demo" does not meet the namespaceSelector of ClusterSPIFFEID default: label "env" is "dev", expected "prod"',
      },
    },
    {
      name: 'namespace labels not gathered',
      namespaceLabels: undefined,
      expected: {
        selected: 'unknown',
        reason: 'namespace-labels-missing',
        detail: 'the namespaceSelector of ClusterSPIFFEID default tests labels of namespace "spire-demo" that were not gathered',
      },
    },
    { name: 'namespace labels match', namespaceLabels: { env: 'prod' }, expected: { selected: true } },
  ])('decides namespace selector: $name', ({ namespaceLabels, expected }) => {
    const csid = readClusterSpiffeId({ ...managedIdentityCsid, spec: { ...managedIdentityCsid.spec, namespaceSelector: { matchLabels: { env: 'prod' } } } });

    const options: SelectionOptions = namespaceLabels === undefined ? {} : { namespaceLabels: namespaceLabels as Record<string, string> };

    expect(clusterSpiffeIdSelectsPod(csid, echoPod, options)).toEqual(expected);
  });

  it('decides name label without gathered labels', () => {
    const csid = readClusterSpiffeId({
      ...managedIdentityCsid,
      spec: { ...managedIdentityCsid.spec, namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['spire-demo'] }] } },
    });

    expect(clusterSpiffeIdSelectsPod(csid, echoPod).selected).toBe(false);
  });

  it('reports shadowed fallback', () => {
    const fallback = readClusterSpiffeId({ metadata: { name: 'catch-all' }, spec: { spiffeIDTemplate: 'spiffe://corp.test/fallback', fallback: true } });
    const specific = readClusterSpiffeId(managedIdentityCsid);

    const result = clusterSpiffeIdSelectsPod(fallback, echoPod, { otherClusterSpiffeIds: [specific, fallback] });

    expect(result).toEqual({
      selected: false,
      reason: 'fallback-shadowed',
      shadowedBy: 'default',
      detail: 'ClusterSPIFFEID catch-all is a fallback and ClusterSPIFFEID default already selects the pod',
    });
  });

  it('reports invalid selector', () => {
    const csid = readClusterSpiffeId({ metadata: { name: 'bad' }, spec: { spiffeIDTemplate: 'spiffe://corp.test/x', podSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } } });

    expect(clusterSpiffeIdSelectsPod(csid, echoPod)).toEqual({
      selected: false,
      reason: 'invalid-spec',
      detail: 'ClusterSPIFFEID bad has an invalid selector: values: must be specified when operator is In (key "a")',
    });
  });
});

describe('expectedEntryForPod', () => {
  const config = { trustDomain: 'corp.test', clusterName: 'lab' };

  it('renders the controller entry', () => {
    const csid = readClusterSpiffeId({
      ...managedIdentityCsid,
      spec: { ...managedIdentityCsid.spec, workloadSelectorTemplates: ['k8s:ns:{{ .PodMeta.Namespace }}'], dnsNameTemplates: ['{{ .PodMeta.Name }}.{{ .PodMeta.Namespace }}.svc'], ttl: '1h0m0s' },
    });

    const entry = expectedEntryForPod(csid, echoPod, labNode, config);

    expect(entry).toEqual({
      rendered: true,
      spiffeId: 'spiffe://corp.test/ns/spire-demo/sa/echo',
      parentId: 'spiffe://corp.test/spire/agent/k8s_psat/lab/7d6c5b4a-3928-4716-a5b4-c3d2e1f00912',
      selectors: ['k8s:pod-uid:33445566-7788-4990-8aab-bccddeeff001', 'k8s:ns:spire-demo'],
      dnsNames: ['echo-5c6d7e8f9-w3e4r.spire-demo.svc'],
      federatesWith: [],
      x509SvidTtl: 3_600_000,
      jwtSvidTtl: 0,
      admin: false,
      downstream: false,
    });
  });

  it('accepts resource as printed', () => {
    const entry = expectedEntryForPod(managedIdentityCsid, echoPod, labNode, config);

    expect(entry).toMatchObject({ rendered: true, spiffeId: 'spiffe://corp.test/ns/spire-demo/sa/echo' });
  });

  it('uses parentIDTemplate', () => {
    const entry = expectedEntryForPod(readClusterSpiffeId(managedIdentityCsid), echoPod, labNode, {
      ...config,
      parentIDTemplate: 'spiffe://{{ .TrustDomain }}/k8s-node/{{ .NodeMeta.Name }}',
    });

    expect(entry).toMatchObject({ rendered: true, parentId: 'spiffe://corp.test/k8s-node/lab-node-2' });
  });

  it.each([
    {
      name: 'missing node',
      csid: managedIdentityCsid,
      node: undefined,
      config: { trustDomain: 'corp.test', clusterName: 'lab' },
      expected: { rendered: false, reason: 'node-missing', detail: 'node lab-node-2 not found' },
    },
    {
      name: 'incomplete config',
      csid: managedIdentityCsid,
      node: labNode,
      config: { trustDomain: 'corp.test' },
      expected: { rendered: false, reason: 'config-incomplete', detail: 'the controller manager config sets no trustDomain or clusterName' },
    },
    {
      name: 'other trust domain',
      csid: { metadata: { name: 'x' }, spec: { spiffeIDTemplate: 'spiffe://other.test/ns/{{ .PodMeta.Namespace }}' } },
      node: labNode,
      config: { trustDomain: 'corp.test', clusterName: 'lab' },
      expected: {
        rendered: false,
        reason: 'wrong-trust-domain',
        detail: 'failed to render SPIFFE ID: invalid SPIFFE ID: expected trust domain "corp.test" but got "other.test"',
      },
    },
    {
      name: 'missing label in path',
      csid: { metadata: { name: 'x' }, spec: { spiffeIDTemplate: 'spiffe://corp.test/team/{{ .PodMeta.Labels.team }}' } },
      node: labNode,
      config: { trustDomain: 'corp.test', clusterName: 'lab' },
      expected: { rendered: false, reason: 'render-failed' },
    },
    {
      name: 'unsupported template',
      csid: { metadata: { name: 'x' }, spec: { spiffeIDTemplate: 'spiffe://corp.test/{{ .PodMeta.Name | lower }}' } },
      node: labNode,
      config: { trustDomain: 'corp.test', clusterName: 'lab' },
      expected: { rendered: false, reason: 'unsupported-template' },
    },
    {
      name: 'bad workload selector',
      csid: { metadata: { name: 'x' }, spec: { spiffeIDTemplate: 'spiffe://corp.test/a', workloadSelectorTemplates: ['k8s'] } },
      node: labNode,
      config: { trustDomain: 'corp.test', clusterName: 'lab' },
      expected: { rendered: false, reason: 'render-failed', detail: 'failed to render workload selector: "k8s" is not of the form type:value' },
    },
  ])('fails on $name', ({ csid, node, config: entryConfig, expected }) => {
    expect(expectedEntryForPod(readClusterSpiffeId(csid), echoPod, node, entryConfig)).toMatchObject(expected);
  });

  it('renders label index template', () => {
    const pod: KubePod = { ...oidcPod, metadata: { ...oidcPod.metadata, labels: { 'corp.test/data-class': 'b' } } };
    const node: KubeNode = { metadata: { name: 'node-1', uid: 'aa00' } };

    const entry = expectedEntryForPod(readClusterSpiffeId(dataClassCsid), pod, node, { trustDomain: 'corp.test', clusterName: 'ops' });

    expect(entry).toMatchObject({ rendered: true, spiffeId: 'spiffe://corp.test/reg/b/ns/spire-server' });
  });
});

describe('renderSpiffeIdTemplate', () => {
  it('renders with template data', () => {
    expect(renderSpiffeIdTemplate('spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}', { TrustDomain: 'corp.test', PodMeta: { namespace: 'a' } })).toBe('spiffe://corp.test/ns/a');
  });
});

describe('readClusterSpiffeId', () => {
  it('reads stats', () => {
    expect(readClusterSpiffeId(dataClassCsid).stats?.podsSelected).toBe(12);
  });

  it.each([
    { name: 'missing template', resource: { metadata: { name: 'x' }, spec: {} }, message: 'invalid SPIRE Controller Manager config field ClusterSPIFFEID x spec.spiffeIDTemplate: missing (the controller rejects an empty template)' },
    { name: 'bad ttl', resource: { metadata: { name: 'x' }, spec: { spiffeIDTemplate: 'a', ttl: 'soon' } }, message: 'invalid SPIRE Controller Manager config field ClusterSPIFFEID x spec.ttl: "soon" is not a duration such as "1h"' },
  ])('rejects $name', ({ resource, message }) => {
    expect(() => readClusterSpiffeId(resource)).toThrow(message);
  });
});

describe('readClusterStaticEntry', () => {
  const resource: KubeCustomResource = {
    apiVersion: 'spire.spiffe.io/v1alpha1',
    kind: 'ClusterStaticEntry',
    metadata: { name: 'vm-db' },
    spec: {
      spiffeID: 'spiffe://corp.test/vm/db',
      parentID: 'spiffe://corp.test/spire/agent/join_token/abc',
      selectors: ['unix:uid:1001'],
      x509SVIDTTL: '30m',
      className: 'spire-server-spire',
    },
    status: { rendered: true, masked: false, set: true },
  };

  it('reads the entry', () => {
    expect(readClusterStaticEntry(resource)).toEqual({
      name: 'vm-db',
      spiffeId: 'spiffe://corp.test/vm/db',
      parentId: 'spiffe://corp.test/spire/agent/join_token/abc',
      selectors: ['unix:uid:1001'],
      federatesWith: [],
      x509SvidTtl: 1_800_000,
      jwtSvidTtl: 0,
      dnsNames: [],
      admin: false,
      downstream: false,
      storeSvid: false,
      className: 'spire-server-spire',
      status: { rendered: true, masked: false, set: true },
    });
  });

  it.each([
    { name: 'matching class', config: classConfig, expected: true },
    { name: 'classless controller', config: ignoredNamespaceConfig, expected: false },
  ])('decides reconcile for $name', ({ config, expected }) => {
    expect(clusterStaticEntryReconciled(readClusterStaticEntry(resource), readControllerManagerConfig(config))).toBe(expected);
  });

  it('rejects missing parent', () => {
    expect(() => readClusterStaticEntry({ metadata: { name: 'x' }, spec: { spiffeID: 'spiffe://corp.test/a' } })).toThrow(
      'invalid SPIRE Controller Manager config field ClusterStaticEntry x spec.parentID: missing',
    );
  });
});
