import { describe, expect, it } from 'vitest';
import { isUserError } from '../../src/errors.js';
import { listBundledScenarios, loadLabScenario, parseLabScenario } from '../../src/lab/index.js';

const NOW = new Date('2026-12-04T10:00:00Z');

const MINIMAL = `
apiVersion: spiffe-doctor.lab/v1
metadata: {name: minimal, description: One node, one agent, one workload.}
nodes:
  - metadata: {name: node-a}
pods:
  - metadata: {name: spire-agent-abcde, namespace: spire, labels: {app: spire-agent}}
    spec:
      nodeName: node-a
      serviceAccountName: spire-agent
      containers: [{name: spire-agent, image: ghcr.io/spiffe/spire-agent:1.12.4}]
  - metadata: {name: web-0, namespace: shop}
    spec:
      nodeName: node-a
      serviceAccountName: web
      containers: [{name: app, image: nginx}]
  - metadata: {name: pending-0, namespace: shop}
    spec:
      containers: [{name: app, image: library/busybox:1.36}]
spire:
  trustDomain: example.org
  clusterName: demo
  entries:
    - spiffe_id: spiffe://example.org/ns/shop/sa/web
      parent_id: {trust_domain: example.org, path: /spire/server}
      selectors: [k8s:ns:shop, {type: k8s, value: "sa:web"}]
`;

function parse(text: string) {
  return parseLabScenario(text, 'inline.yaml', { now: NOW });
}

/** Replaces one line of MINIMAL, failing loudly when the line is not there. */
function withLine(original: string, replacement: string): string {
  if (!MINIMAL.includes(original)) throw new Error(`fixture has no line ${original}`);
  return MINIMAL.replace(original, replacement);
}

describe('parseLabScenario', () => {
  it.each([
    { name: 'wrong apiVersion', text: withLine('apiVersion: spiffe-doctor.lab/v1', 'apiVersion: v1'), message: 'invalid lab scenario inline.yaml: apiVersion: must be "spiffe-doctor.lab/v1", got "v1"' },
    { name: 'document not a mapping', text: '- a\n- b\n', message: 'invalid lab scenario inline.yaml: (document): must be a mapping, got a list' },
    { name: 'invalid YAML', text: 'pods: [\n', message: 'invalid lab scenario inline.yaml: not valid YAML or JSON:' },
    { name: 'pod without name', text: withLine('  - metadata: {name: web-0, namespace: shop}', '  - metadata: {namespace: shop}'), message: 'invalid lab scenario inline.yaml: pods[1].metadata.name: must be a non-empty string, got nothing' },
    { name: 'duplicate pod', text: withLine('  - metadata: {name: pending-0, namespace: shop}', '  - metadata: {name: web-0, namespace: shop}'), message: 'invalid lab scenario inline.yaml: pods[2].metadata.name: duplicate object "shop/web-0"' },
    { name: 'pod without containers', text: withLine('      containers: [{name: app, image: nginx}]', '      containers: []'), message: 'invalid lab scenario inline.yaml: pods[1].spec.containers: a pod needs at least one container' },
    { name: 'container without image', text: withLine('      containers: [{name: app, image: nginx}]', '      containers: [{name: app}]'), message: 'invalid lab scenario inline.yaml: pods[1].spec.containers[0].image: must be a non-empty string, got nothing' },
    { name: 'pod on unknown node', text: withLine('      nodeName: node-a\n      serviceAccountName: web', '      nodeName: node-z\n      serviceAccountName: web'), message: 'invalid lab scenario inline.yaml: pods[1].spec.nodeName: node "node-z" is not in nodes' },
    { name: 'spire section missing', text: MINIMAL.slice(0, MINIMAL.indexOf('spire:\n')), message: 'invalid lab scenario inline.yaml: spire: must be a mapping, got nothing' },
    { name: 'trust domain with capitals', text: withLine('  trustDomain: example.org', '  trustDomain: Example.org'), message: 'invalid lab scenario inline.yaml: spire.trustDomain: "Example.org": trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores' },
    { name: 'entry SPIFFE ID without scheme', text: withLine('    - spiffe_id: spiffe://example.org/ns/shop/sa/web', '    - spiffe_id: example.org/ns/shop/sa/web'), message: 'invalid lab scenario inline.yaml: spire.entries[0].spiffe_id: "example.org/ns/shop/sa/web": scheme is missing or invalid' },
    { name: 'entry without selectors', text: withLine('      selectors: [k8s:ns:shop, {type: k8s, value: "sa:web"}]', '      selectors: []'), message: 'invalid lab scenario inline.yaml: spire.entries[0].selectors: selector list is empty' },
    { name: 'selector without colon', text: withLine('      selectors: [k8s:ns:shop, {type: k8s, value: "sa:web"}]', '      selectors: [k8s]'), message: 'invalid lab scenario inline.yaml: spire.entries[0].selectors[0]: selector "k8s" must be formatted as type:value' },
    { name: 'entry TTL as text', text: `${MINIMAL}      x509_svid_ttl: "1h"\n`, message: 'invalid lab scenario inline.yaml: spire.entries[0].x509_svid_ttl: must be a non-negative whole number of seconds' },
    { name: 'entry expiry not a number', text: `${MINIMAL}      expires_at: soon\n`, message: 'invalid lab scenario inline.yaml: spire.entries[0].expires_at: must be a non-negative integer, got "soon"' },
    { name: 'entry DNS names not a list', text: `${MINIMAL}      dns_names: web.shop\n`, message: 'invalid lab scenario inline.yaml: spire.entries[0].dns_names: must be a list of strings' },
    { name: 'agent on unknown node', text: `${MINIMAL}  agents: [{nodeName: node-z}]\n`, message: 'invalid lab scenario inline.yaml: spire.agents[0].nodeName: node "node-z" is not in nodes' },
    { name: 'RBAC rule with unknown verb', text: `${MINIMAL}rbac:\n  forbidden: [{verb: delete, resource: pods}]\n`, message: 'invalid lab scenario inline.yaml: rbac.forbidden[0].verb: "delete" is not one of get, list, watch, create, patch' },
    { name: 'log key without container', text: `${MINIMAL}logs:\n  shop/web-0: [hello]\n`, message: 'invalid lab scenario inline.yaml: logs["shop/web-0"]: key must be namespace/pod/container or namespace/pod/container/previous' },
  ])('rejects $name', ({ text, message }) => {
    let caught: unknown;
    try {
      parse(text);
    } catch (error) {
      caught = error;
    }

    expect(isUserError(caught)).toBe(true);
    expect((caught as Error).message.startsWith(message)).toBe(true);
    expect((caught as Error).message).toContain(message);
  });

  it('fills pod boilerplate deterministically', () => {
    const first = parse(MINIMAL).pods.find((pod) => pod.metadata.name === 'web-0');
    const second = parse(MINIMAL).pods.find((pod) => pod.metadata.name === 'web-0');

    expect(first?.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first?.metadata.uid).toBe(second?.metadata.uid);
    expect(first?.metadata.creationTimestamp).toBe('2026-12-04T10:00:00Z');
    expect(first?.status?.phase).toBe('Running');
    expect(first?.status?.hostIP).toMatch(/^10\.0\.\d+\.\d+$/);
    const status = first?.status?.containerStatuses?.[0];
    expect(status?.image).toBe('docker.io/library/nginx:latest');
    expect(status?.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(status?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(status?.state?.running?.startedAt).toBe('2026-12-04T10:00:00Z');
  });

  it('leaves an unscheduled pod pending without statuses', () => {
    const pending = parse(MINIMAL).pods.find((pod) => pod.metadata.name === 'pending-0');

    expect(pending?.status?.phase).toBe('Pending');
    expect(pending?.status?.containerStatuses).toBeUndefined();
    expect(pending?.status?.conditions).toEqual([{ type: 'PodScheduled', status: 'False' }]);
  });

  it('adds referenced namespaces and service accounts', () => {
    const scenario = parse(MINIMAL);

    expect(scenario.namespaces.map((namespace) => namespace.metadata.name).sort()).toEqual(['default', 'kube-system', 'shop', 'spire']);
    const accounts = scenario.serviceAccounts.map((account) => `${account.metadata.namespace}/${account.metadata.name}`).sort();
    expect(accounts).toEqual(['shop/default', 'shop/web', 'spire/default', 'spire/spire-agent']);
  });

  it('derives a k8s_psat agent for a node with an agent pod', () => {
    const scenario = parse(MINIMAL);
    const node = scenario.nodes[0];
    const agent = scenario.spire.agents[0];

    expect(scenario.spire.agents).toHaveLength(1);
    expect(agent?.nodeName).toBe('node-a');
    expect(agent?.healthy).toBe(true);
    expect(agent?.agent?.id).toEqual({ trust_domain: 'example.org', path: `/spire/agent/k8s_psat/demo/${node?.metadata.uid}` });
    expect(agent?.agent?.selectors).toContainEqual({ type: 'k8s_psat', value: 'cluster:demo' });
    expect(agent?.agent?.selectors).toContainEqual({ type: 'k8s_psat', value: 'agent_sa:spire-agent' });
    expect(agent?.agent?.selectors).toContainEqual({ type: 'k8s_psat', value: 'agent_node_name:node-a' });
  });

  it('completes entries with every field SPIRE prints', () => {
    const entry = parse(MINIMAL).spire.entries[0];

    expect(entry).toMatchObject({
      admin: false,
      dns_names: [],
      downstream: false,
      expires_at: '0',
      federates_with: [],
      hint: '',
      jwt_svid_ttl: 0,
      revision_number: '0',
      store_svid: false,
      x509_svid_ttl: 0,
      created_at: String(NOW.getTime() / 1000),
      parent_id: { trust_domain: 'example.org', path: '/spire/server' },
      spiffe_id: { trust_domain: 'example.org', path: '/ns/shop/sa/web' },
      selectors: [
        { type: 'k8s', value: 'ns:shop' },
        { type: 'k8s', value: 'sa:web' },
      ],
    });
    expect(entry?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('applies the socket and server defaults', () => {
    const { spire, rbac } = parse(MINIMAL);

    expect(spire.agentSocket).toEqual({ hostDir: '/run/spire/agent-sockets', fileName: 'spire-agent.sock' });
    expect(spire.serverSocketPath).toBe('/tmp/spire-server/private/api.sock');
    expect(rbac).toEqual({ user: 'system:serviceaccount:default:spiffe-doctor', forbidden: [] });
  });
});

describe('loadLabScenario', () => {
  it('rejects an unknown bundled name', async () => {
    const failure = await loadLabScenario('no-such-scenario').catch((error: unknown) => error);

    expect(isUserError(failure)).toBe(true);
    if (!isUserError(failure)) return;
    expect(failure.message).toMatch(/^could not read lab scenario .*examples\/lab\/no-such-scenario\.yaml: ENOENT/);
    expect(failure.suggestions).toEqual([
      'Pass a bundled scenario name or the path of a scenario file. Bundled scenarios: agent-crashloop, agent-missing, forbidden-exec, healthy, helm-chart, node-alias-mismatch, selector-mismatch, socket-path-mismatch.',
    ]);
  });

  it('lists every bundled scenario', async () => {
    const scenarios = await listBundledScenarios();

    expect(scenarios.map((scenario) => scenario.name)).toEqual(['agent-crashloop', 'agent-missing', 'forbidden-exec', 'healthy', 'helm-chart', 'node-alias-mismatch', 'selector-mismatch', 'socket-path-mismatch']);
    for (const scenario of scenarios) expect(scenario.description).not.toBe('');
  });
});
