import { request as httpsRequest } from 'node:https';
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureApiFailure, startLabClients, type LabClients } from './lab-fixtures.js';

let healthy: LabClients;
let helm: LabClients;

beforeAll(async () => {
  healthy = await startLabClients('healthy');
  helm = await startLabClients('helm-chart');
});

afterAll(async () => {
  await healthy?.lab.stop();
  await helm?.lab.stop();
});

/** GETs `path` on the lab with its CA and `token`, returning status, content type and body text. */
function rawGet(clients: LabClients, path: string, token?: string, accept = 'application/json'): Promise<{ status: number; contentType: string; body: string }> {
  const cluster = clients.kubeConfig.getCurrentCluster();
  const user = clients.kubeConfig.getCurrentUser();
  const ca = Buffer.from(cluster?.caData ?? '', 'base64');
  const headers = { authorization: `Bearer ${token ?? user?.token ?? ''}`, accept };
  return new Promise((resolve, reject) => {
    const request = httpsRequest(`${clients.lab.url}${path}`, { ca, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('discovery', () => {
  it('serves the core versions', async () => {
    const versions = await healthy.kubeConfig.makeApiClient(k8s.CoreApi).getAPIVersions();

    expect(versions.versions).toEqual(['v1']);
  });

  it('lists core resources with subresources', async () => {
    const list = await healthy.core.getAPIResources();
    const names = list.resources.map((resource) => resource.name);

    expect(list.groupVersion).toBe('v1');
    expect(names).toEqual(expect.arrayContaining(['namespaces', 'nodes', 'pods', 'pods/log', 'pods/exec', 'configmaps', 'serviceaccounts', 'events']));
    expect(list.resources.find((resource) => resource.name === 'pods')?.shortNames).toEqual(['po']);
  });

  it('lists the apps and SPIRE groups', async () => {
    const groups = await healthy.kubeConfig.makeApiClient(k8s.ApisApi).getAPIVersions();

    expect(groups.groups.map((group) => group.name)).toEqual(['apps', 'spire.spiffe.io']);
    expect(groups.groups[1]?.preferredVersion?.groupVersion).toBe('spire.spiffe.io/v1alpha1');
  });

  it('describes the ClusterSPIFFEID resource', async () => {
    const response = await rawGet(healthy, '/apis/spire.spiffe.io/v1alpha1');
    const list = JSON.parse(response.body) as { kind: string; resources: { name: string; namespaced: boolean; kind: string }[] };

    expect(list.kind).toBe('APIResourceList');
    expect(list.resources[0]).toMatchObject({ name: 'clusterspiffeids', namespaced: false, kind: 'ClusterSPIFFEID' });
  });

  it('reports the server version', async () => {
    const version = await healthy.kubeConfig.makeApiClient(k8s.VersionApi).getCode();

    expect(version.major).toBe('1');
    expect(version.minor).toBe('30');
  });
});

describe('reads', () => {
  it('lists pods by label', async () => {
    const list = await healthy.core.listNamespacedPod({ namespace: 'spire', labelSelector: 'app=spire-agent' });

    expect(list.items.map((pod) => pod.metadata?.name).sort()).toEqual(['spire-agent-7xk2p', 'spire-agent-q9w4m']);
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
  });

  it('lists pods on a node across namespaces', async () => {
    const list = await healthy.core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=lab-worker-2' });

    expect(list.items.map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`).sort()).toEqual(['shop/web-7d9f8b6c5-x2x9q', 'spire/spire-agent-q9w4m']);
  });

  it('returns list kinds and omits item kinds', async () => {
    const response = await rawGet(healthy, '/api/v1/namespaces/shop/pods');
    const list = JSON.parse(response.body) as { kind: string; apiVersion: string; items: Record<string, unknown>[] };

    expect(response.contentType).toBe('application/json');
    expect(list.kind).toBe('PodList');
    expect(list.apiVersion).toBe('v1');
    expect(list.items[0]?.kind).toBeUndefined();
  });

  it('gets a pod with its filled-in status', async () => {
    const pod = await healthy.core.readNamespacedPod({ namespace: 'shop', name: 'web-7d9f8b6c5-x2x9q' });

    expect(pod.kind).toBe('Pod');
    expect(pod.status?.phase).toBe('Running');
    expect(pod.status?.containerStatuses?.[0]?.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(pod.spec?.volumes?.[0]?.hostPath?.path).toBe('/run/spire/sockets');
  });

  it('gets nodes, namespaces and config maps', async () => {
    const node = await healthy.core.readNode({ name: 'lab-worker-1' });
    const namespace = await healthy.core.readNamespace({ name: 'shop' });
    const configMap = await healthy.core.readNamespacedConfigMap({ namespace: 'spire', name: 'spire-agent' });

    expect(node.metadata?.uid).toBe('3b0f6a52-8c1d-4e27-9f43-1a6d2c8e7b01');
    expect(namespace.metadata?.labels).toEqual({ team: 'storefront' });
    expect(configMap.data?.['agent.conf']).toContain('socket_path = "/run/spire/sockets/agent.sock"');
  });

  it('lists service accounts added for pods', async () => {
    const list = await healthy.core.listNamespacedServiceAccount({ namespace: 'shop' });

    expect(list.items.map((account) => account.metadata?.name).sort()).toEqual(['default', 'web']);
  });

  it('lists daemon sets', async () => {
    const list = await helm.apps.listNamespacedDaemonSet({ namespace: 'spire-system', labelSelector: 'app.kubernetes.io/name=agent' });

    expect(list.items.map((daemonSet) => daemonSet.metadata?.name)).toEqual(['spire-agent']);
    expect(list.items[0]?.status?.numberReady).toBe(1);
  });

  it('lists ClusterSPIFFEIDs with their kinds', async () => {
    const list = (await helm.custom.listClusterCustomObject({ group: 'spire.spiffe.io', version: 'v1alpha1', plural: 'clusterspiffeids' })) as {
      kind: string;
      items: { kind: string; metadata: { name: string } }[];
    };

    expect(list.kind).toBe('ClusterSPIFFEIDList');
    expect(list.items.map((item) => item.metadata.name)).toEqual(['spire-server-spire-default']);
    expect(list.items[0]?.kind).toBe('ClusterSPIFFEID');
  });

  it('filters events by involved object', async () => {
    const events = await startLabClients(`
apiVersion: spiffe-doctor.lab/v1
nodes: [{metadata: {name: node-a}}]
events:
  - metadata: {name: web-0.1, namespace: shop}
    involvedObject: {kind: Pod, name: web-0, namespace: shop}
    reason: FailedMount
    type: Warning
    message: 'MountVolume.SetUp failed for volume "spire-agent-socket"'
  - metadata: {name: api-0.1, namespace: shop}
    involvedObject: {kind: Pod, name: api-0, namespace: shop}
    reason: Started
    type: Normal
spire: {trustDomain: example.org}
`);
    try {
      const list = await events.core.listNamespacedEvent({ namespace: 'shop', fieldSelector: 'involvedObject.name=web-0,involvedObject.kind=Pod' });

      expect(list.items.map((event) => event.reason)).toEqual(['FailedMount']);
    } finally {
      await events.lab.stop();
    }
  });
});

describe('tables', () => {
  const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

  it('prints pods as a Table on request', async () => {
    const response = await rawGet(healthy, '/api/v1/namespaces/shop/pods', undefined, TABLE_ACCEPT);
    const table = JSON.parse(response.body) as { kind: string; columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[]; object: { kind: string; metadata: { name: string } } }[] };

    expect(response.contentType).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((column) => column.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node']);
    expect(table.rows[0]?.cells.slice(0, 4)).toEqual(['web-7d9f8b6c5-x2x9q', '1/1', 'Running', '0']);
    expect(table.rows[0]?.cells[6]).toBe('lab-worker-2');
    expect(table.rows[0]?.object.kind).toBe('PartialObjectMetadata');
    expect(table.rows[0]?.object.metadata.name).toBe('web-7d9f8b6c5-x2x9q');
  });

  it('prints one node as a Table', async () => {
    const response = await rawGet(healthy, '/api/v1/nodes/lab-worker-1', undefined, TABLE_ACCEPT);
    const table = JSON.parse(response.body) as { rows: { cells: unknown[] }[] };

    expect(table.rows).toHaveLength(1);
    expect(table.rows[0]?.cells).toEqual(['lab-worker-1', 'Ready', '<none>', expect.stringMatching(/^\d+m$/), 'v1.30.0']);
  });

  it('sends config maps as a plain list', async () => {
    const response = await rawGet(healthy, '/api/v1/namespaces/spire/configmaps', undefined, TABLE_ACCEPT);

    expect(response.contentType).toBe('application/json');
    expect((JSON.parse(response.body) as { kind: string }).kind).toBe('ConfigMapList');
  });
});

describe('errors', () => {
  it('answers a missing pod with NotFound', async () => {
    const failure = await captureApiFailure(() => healthy.core.readNamespacedPod({ namespace: 'shop', name: 'web-0' }));

    expect(failure.code).toBe(404);
    expect(failure.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "web-0" not found',
      reason: 'NotFound',
      details: { name: 'web-0', group: '', kind: 'pods' },
      code: 404,
    });
  });

  it('names the group of a missing custom resource', async () => {
    const failure = await captureApiFailure(() => helm.custom.getClusterCustomObject({ group: 'spire.spiffe.io', version: 'v1alpha1', plural: 'clusterspiffeids', name: 'web' }));

    expect(failure.code).toBe(404);
    expect(failure.body?.message).toBe('clusterspiffeids.spire.spiffe.io "web" not found');
    expect(failure.body?.details).toEqual({ name: 'web', group: 'spire.spiffe.io', kind: 'clusterspiffeids' });
  });

  it('rejects a malformed label selector', async () => {
    const failure = await captureApiFailure(() => healthy.core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app in (web' }));

    expect(failure.code).toBe(400);
    expect(failure.body?.reason).toBe('BadRequest');
  });

  it('rejects an unknown field selector', async () => {
    const failure = await captureApiFailure(() => healthy.core.listNamespacedConfigMap({ namespace: 'spire', fieldSelector: 'spec.nodeName=x' }));

    expect(failure.code).toBe(400);
    expect(failure.body?.message).toBe('"spec.nodeName" is not a known field selector: only "metadata.name", "metadata.namespace"');
  });

  it('rejects a wrong token with Unauthorized', async () => {
    const kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromString(healthy.lab.kubeconfig.replace(/token: \S+/, 'token: wrong'));

    const failure = await captureApiFailure(() => kubeConfig.makeApiClient(k8s.CoreV1Api).listNamespace());

    expect(failure.code).toBe(401);
  });

  it('sends the Unauthorized Status body', async () => {
    const response = await rawGet(healthy, '/api/v1/namespaces', 'wrong');

    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized', code: 401 });
  });

  it('answers an unknown path with a NotFound Status', async () => {
    const response = await rawGet(healthy, '/apis/batch/v1/jobs');

    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });

  it('forbids what the scenario forbids', async () => {
    const restricted = await startLabClients(`
apiVersion: spiffe-doctor.lab/v1
nodes: [{metadata: {name: node-a}}]
pods:
  - metadata: {name: spire-agent-abcde, namespace: spire, labels: {app: spire-agent}}
    spec: {nodeName: node-a, containers: [{name: spire-agent, image: ghcr.io/spiffe/spire-agent:1.12.4}]}
spire: {trustDomain: example.org}
rbac:
  user: jane
  forbidden:
    - {verb: list, resource: pods, namespace: spire}
    - {verb: get, resource: pods/log, namespace: spire}
    - {verb: list, resource: nodes}
`);
    try {
      const list = await captureApiFailure(() => restricted.core.listNamespacedPod({ namespace: 'spire' }));
      const log = await captureApiFailure(() => restricted.core.readNamespacedPodLog({ namespace: 'spire', name: 'spire-agent-abcde' }));
      const nodes = await captureApiFailure(() => restricted.core.listNode());
      const allowed = await restricted.core.readNamespacedPod({ namespace: 'spire', name: 'spire-agent-abcde' });

      expect(list.code).toBe(403);
      expect(list.body?.message).toBe('pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "spire"');
      expect(log.body?.message).toBe('pods "spire-agent-abcde" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "spire"');
      expect(nodes.body?.message).toBe('nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope');
      expect(allowed.metadata?.name).toBe('spire-agent-abcde');
    } finally {
      await restricted.lab.stop();
    }
  });
});

describe('pod logs', () => {
  it('returns the log as text', async () => {
    const log = await healthy.core.readNamespacedPodLog({ namespace: 'spire', name: 'spire-agent-7xk2p' });

    expect(log.split('\n')).toHaveLength(3);
    expect(log).toContain('msg="Node attestation was successful"');
    expect(log.endsWith('\n')).toBe(true);
  });

  it('keeps only the last lines with tailLines', async () => {
    const log = await healthy.core.readNamespacedPodLog({ namespace: 'spire', name: 'spire-agent-7xk2p', container: 'spire-agent', tailLines: 1 });

    expect(log).toBe('time="2026-12-04T09:00:10Z" level=info msg="Starting Workload and SDS APIs" address=/run/spire/sockets/agent.sock network=unix subsystem_name=endpoints\n');
  });

  it('prefixes timestamps on request', async () => {
    const log = await healthy.core.readNamespacedPodLog({ namespace: 'shop', name: 'web-7d9f8b6c5-x2x9q', timestamps: true });

    expect(log).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z 2026\/12\/04 09:01:02 web: listening on :8443\n$/);
  });

  it('keeps only recent lines with sinceSeconds', async () => {
    helm.lab.state.appendLog('spire-system/spire-agent-m4v8d/spire-agent', 'a line written now');

    const log = await helm.core.readNamespacedPodLog({ namespace: 'spire-system', name: 'spire-agent-m4v8d', sinceSeconds: 60 });

    expect(log).toBe('a line written now\n');
  });

  it('cuts the log at limitBytes', async () => {
    const log = await healthy.core.readNamespacedPodLog({ namespace: 'shop', name: 'web-7d9f8b6c5-x2x9q', limitBytes: 10 });

    expect(log).toBe('2026/12/04');
  });

  it('streams through the Log helper', async () => {
    const output = new PassThrough();
    const chunks: Buffer[] = [];
    output.on('data', (chunk: Buffer) => chunks.push(chunk));
    const finished = new Promise((resolve) => output.on('finish', resolve));

    await new k8s.Log(healthy.kubeConfig).log('shop', 'web-7d9f8b6c5-x2x9q', 'app', output, { tailLines: 5 });
    await finished;

    expect(Buffer.concat(chunks).toString('utf8')).toBe('2026/12/04 09:01:02 web: listening on :8443\n');
  });

  it('follows new lines until aborted', async () => {
    const output = new PassThrough();
    let received = '';
    const appended = new Promise<void>((resolve) => {
      output.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        if (received.includes('followed line')) resolve();
      });
    });

    const controller = await new k8s.Log(helm.kubeConfig).log('spire-system', 'spire-agent-m4v8d', 'spire-agent', output, { follow: true });
    helm.lab.state.appendLog('spire-system/spire-agent-m4v8d/spire-agent', 'followed line');
    await appended;
    controller.abort();

    expect(received.startsWith('time="2026-12-04T09:00:09Z" level=info msg="Node attestation was successful"')).toBe(true);
    expect(received.endsWith('\nfollowed line\n')).toBe(true);
  });

  it.each([
    { name: 'unknown container', request: { namespace: 'shop', name: 'web-7d9f8b6c5-x2x9q', container: 'sidecar' }, message: 'container sidecar is not valid for pod web-7d9f8b6c5-x2x9q' },
    { name: 'previous instance that never ran', request: { namespace: 'shop', name: 'web-7d9f8b6c5-x2x9q', previous: true }, message: 'previous terminated container "app" in pod "web-7d9f8b6c5-x2x9q" not found' },
  ])('rejects $name with 400', async ({ request, message }) => {
    const failure = await captureApiFailure(() => healthy.core.readNamespacedPodLog(request));

    expect(failure.code).toBe(400);
    expect(failure.body?.message).toBe(message);
  });

  it('asks for a container when the pod has several', async () => {
    const failure = await captureApiFailure(() => helm.core.readNamespacedPodLog({ namespace: 'spire-server', name: 'spire-server-0' }));

    expect(failure.code).toBe(400);
    expect(failure.body?.message).toBe('a container name must be specified for pod spire-server-0, choose one of: [spire-server spire-controller-manager]');
  });
});
