import { describe, expect, it } from 'vitest';

import type { KubePod } from '../../../src/evidence/kube-types.js';
import { isUserError } from '../../../src/errors.js';
import { KubeUnreachableError } from '../../../src/probes/kube/errors.js';
import { gatherPodEvidence } from '../../../src/probes/kube/gather-pod.js';
import type { ProbeState } from '../../../src/probes/probe-runner.js';
import {
  AGENT_CONF_QUICKSTART,
  AGENT_LIST_JSON,
  ENTRY_SHOW_JSON,
  FETCH_X509_JSON,
  quickstartAgentPod,
  quickstartCluster,
  workloadPod,
} from './cluster-fixtures.js';
import { exited, forbidden, notStarted } from './fake-kube-source.js';

const request = { namespace: 'shop', pod: 'web-0' };
const fixedNow = () => new Date('2024-05-14T10:00:00Z');

describe('gatherPodEvidence', () => {
  it('gathers every field from a quickstart cluster', async () => {
    const source = quickstartCluster();

    const evidence = await gatherPodEvidence(request, source, { now: fixedNow });

    expect(evidence.gatherErrors).toBeUndefined();
    expect(evidence.apiVersion).toBe('spiffe-doctor/v1');
    expect(evidence.kind).toBe('Evidence');
    expect(evidence.gatheredAt).toBe('2024-05-14T10:00:00.000Z');
    expect(evidence.pod?.metadata?.name).toBe('web-0');
    expect(evidence.node?.metadata?.name).toBe('node-a');
    expect(evidence.events?.map((event) => event.reason)).toEqual(['Pulled', 'Started']);
    expect(evidence.agentPods?.map((pod) => pod.metadata?.name)).toEqual(['spire-agent-node-a', 'spire-agent-node-b']);
    expect((evidence.serverPods as KubePod[] | undefined)?.map((pod) => pod.metadata?.name)).toEqual(['spire-server-0']);
    expect(evidence.agentHealth).toEqual({ node: 'node-a', healthy: true, output: 'Agent is healthy.' });
    expect(evidence.agentLogs).toEqual(['time="2024-05-14T09:49:00Z" level=info msg="Starting Workload and SDS APIs"', 'line two']);
    expect(evidence.serverLogs).toEqual(['time="2024-05-14T09:48:00Z" level=info msg="Starting Server APIs"']);
    expect(evidence.agentConfig).toBe(AGENT_CONF_QUICKSTART);
    expect(evidence.serverConfig).toContain('trust_domain = "example.org"');
    expect(evidence.entries).toEqual(JSON.parse(ENTRY_SHOW_JSON));
    expect(evidence.agents).toEqual(JSON.parse(AGENT_LIST_JSON));
    expect(evidence.workloadFetch).toEqual({
      exitCode: 0,
      stdout: FETCH_X509_JSON,
      stderr: '',
      socketPath: '/spiffe-workload-api/agent.sock',
      container: 'web',
    });
  });

  it('runs the SPIRE CLIs where the quickstart puts them', async () => {
    const source = quickstartCluster();

    await gatherPodEvidence(request, source);

    const commands = source.execCalls.map((call) => `${call.namespace}/${call.pod}/${call.container}: ${call.command.join(' ')}`).sort();
    expect(commands).toEqual([
      'shop/web-0/web: spire-agent api fetch x509 -socketPath /spiffe-workload-api/agent.sock -output json',
      'spire/spire-agent-node-a/spire-agent: /opt/spire/bin/spire-agent healthcheck -socketPath /run/spire/sockets/agent.sock',
      'spire/spire-server-0/spire-server: /opt/spire/bin/spire-server agent list -output json -socketPath /tmp/spire-server/private/api.sock',
      'spire/spire-server-0/spire-server: /opt/spire/bin/spire-server entry show -output json -socketPath /tmp/spire-server/private/api.sock',
    ]);
  });

  it('finds a Helm chart layout', async () => {
    const source = quickstartCluster();
    const helmAgent = quickstartAgentPod('node-a', 'spire-agent-x7k2p');
    const helmServer = source.pods[3];
    source.pods = [
      workloadPod(),
      { ...helmAgent, metadata: { name: 'spire-agent-x7k2p', namespace: 'spire-system', labels: { 'app.kubernetes.io/name': 'agent' } } },
      { ...helmServer, metadata: { name: 'spire-server-0', namespace: 'spire-server', labels: { 'app.kubernetes.io/name': 'server' } } },
    ];
    source.configMaps = source.configMaps.map((configMap) => ({
      ...configMap,
      metadata: { ...configMap.metadata, namespace: configMap.data?.['agent.conf'] ? 'spire-system' : 'spire-server' },
    }));
    source.logs = { 'spire-system/spire-agent-x7k2p/spire-agent': 'a\n', 'spire-server/spire-server-0/spire-server': 's\n' };

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.gatherErrors).toBeUndefined();
    expect(evidence.agentPods?.[0]?.metadata?.namespace).toBe('spire-system');
    expect(evidence.agentLogs).toEqual(['a']);
    expect(evidence.serverLogs).toEqual(['s']);
    expect(source.calls).toContain('listPods spire-server app.kubernetes.io/name=server');
  });

  it('follows layout options', async () => {
    const source = quickstartCluster();
    source.pods = source.pods.map((pod) =>
      pod.metadata?.labels?.app === 'spire-server' ? { ...pod, metadata: { ...pod.metadata, labels: { role: 'ca' } } } : pod,
    );

    await gatherPodEvidence(request, source, {
      spire: { serverLabelSelector: 'role=ca', serverBinary: '/usr/bin/spire-server', serverSocketPath: '/run/spire/server.sock' },
    });

    expect(source.execCalls.map((call) => call.command.join(' '))).toContain('/usr/bin/spire-server entry show -output json -socketPath /run/spire/server.sock');
  });

  it('takes the socket path from SPIFFE_ENDPOINT_SOCKET', async () => {
    const source = quickstartCluster();
    source.pods[0] = workloadPod({ env: [{ name: 'SPIFFE_ENDPOINT_SOCKET', value: 'unix:///spiffe-workload-api/spire-agent.sock' }] });

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.workloadFetch?.socketPath).toBe('/spiffe-workload-api/spire-agent.sock');
  });

  it.each([
    {
      name: 'unknown pod',
      prepare: () => quickstartCluster(),
      pod: 'api-0',
      message: 'pod "api-0" not found in namespace "shop"',
      suggestion: 'List the pods with kubectl get pods -n shop, then pass one of their names.',
    },
    {
      name: 'unreachable API server',
      prepare: () => {
        const source = quickstartCluster();
        source.failures.push({
          method: 'readPod',
          error: new KubeUnreachableError('could not reach the Kubernetes API server at https://127.0.0.1:6443: connect ECONNREFUSED', 'https://127.0.0.1:6443'),
        });
        return source;
      },
      pod: 'web-0',
      message:
        'could not reach the Kubernetes API server at https://127.0.0.1:6443: connect ECONNREFUSED (from kubeconfig /tmp/test-kubeconfig, context "test")',
      suggestion: 'Check that the cluster is up and that --kubeconfig and --context point at it (kubectl cluster-info).',
    },
    {
      name: 'forbidden pod read',
      prepare: () => {
        const source = quickstartCluster();
        source.failures.push({ method: 'readPod', error: forbidden('pods', 'shop', 'get') });
        return source;
      },
      pod: 'web-0',
      message: 'could not read pod "web-0": forbidden; grant get on pods in namespace shop',
      suggestion: 'Check your access with kubectl auth can-i get pods -n shop.',
    },
    {
      name: 'unknown container',
      prepare: () => quickstartCluster(),
      pod: 'web-0',
      container: 'sidecar',
      message: 'container "sidecar" not found in pod "web-0"',
      suggestion: 'Pass one of its containers: web.',
    },
  ])('raises a user error for $name', async ({ prepare, pod, container, message, suggestion }) => {
    const error = await gatherPodEvidence({ namespace: 'shop', pod, container }, prepare()).catch((thrown: unknown) => thrown);

    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe(message);
    expect((error as { suggestions: string[] }).suggestions).toEqual([suggestion]);
  });

  it.each([
    {
      name: 'forbidden exec in the workload namespace',
      failure: { method: 'exec' as const, namespace: 'shop', error: forbidden('pods/exec', 'shop') },
      field: 'workloadFetch',
      text: 'forbidden: grant pods/exec in namespace shop (pods/exec is forbidden: User "system:serviceaccount:ops:doctor" cannot create resource "pods/exec" in API group "" in the namespace "shop")',
    },
    {
      name: 'forbidden logs in the agent namespace',
      failure: { method: 'readPodLog' as const, namespace: 'spire', error: forbidden('pods/log', 'spire', 'get') },
      field: 'agentLogs',
      text: 'forbidden: grant pods/log in namespace spire (pods/log is forbidden: User "system:serviceaccount:ops:doctor" cannot get resource "pods/log" in API group "" in the namespace "spire")',
    },
    {
      name: 'forbidden node read',
      failure: { method: 'readNode' as const, error: forbidden('nodes', '', 'get') },
      field: 'node',
      text: 'forbidden: grant get on nodes (cluster-wide)',
    },
    {
      name: 'forbidden event list',
      failure: { method: 'listEvents' as const, error: forbidden('events', 'shop', 'list') },
      field: 'events',
      text: 'forbidden: grant list on events in namespace shop',
    },
  ])('records $name as a gather error', async ({ failure, field, text }) => {
    const source = quickstartCluster();
    source.failures.push(failure);

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.gatherErrors?.[field]).toContain(text);
    expect(evidence[field]).toBeUndefined();
    expect(evidence.pod).toBeDefined();
  });

  it('records forbidden server pod listing on server fields', async () => {
    const source = quickstartCluster();
    source.failures.push({ method: 'listPods', namespace: 'spire', error: forbidden('pods', 'spire', 'list') });

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.gatherErrors?.agentPods).toContain('forbidden: grant list on pods in namespace spire');
    expect(evidence.gatherErrors?.entries).toContain('could not list SPIRE server pods: forbidden: grant list on pods in namespace spire');
    expect(evidence.gatherErrors?.serverPods).toContain('forbidden: grant list on pods in namespace spire');
    expect(evidence.gatherErrors?.agentHealth).toContain('not gathered because agent pods were not listed: forbidden');
  });

  it('records a missing agent on the node', async () => {
    const source = quickstartCluster();
    source.pods = source.pods.filter((pod) => pod.metadata?.name !== 'spire-agent-node-a');

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.agentPods?.map((pod) => pod.spec?.nodeName)).toEqual(['node-b']);
    expect(evidence.gatherErrors?.agentHealth).toBe('no SPIRE agent pod runs on node node-a');
    expect(evidence.gatherErrors?.agentLogs).toBe('no SPIRE agent pod runs on node node-a');
    expect(evidence.workloadFetch?.socketPath).toBe('/spiffe-workload-api/agent.sock');
  });

  it('records a cluster without SPIRE', async () => {
    const source = quickstartCluster();
    source.pods = [workloadPod()];

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.gatherErrors?.agentPods).toBe('no SPIRE agent pods found in spire (app=spire-agent), spire-system (app.kubernetes.io/name=agent)');
    expect(evidence.gatherErrors?.entries).toBe(
      'no SPIRE server pod found in spire (app=spire-server), spire-server (app.kubernetes.io/name=server), spire-system (app.kubernetes.io/name=server)',
    );
    expect(evidence.gatherErrors?.serverPods).toBe(evidence.gatherErrors?.entries);
  });

  it('records an unhealthy agent', async () => {
    const source = quickstartCluster();
    const healthy = source.execHandler;
    source.execHandler = (call) =>
      call.command.includes('healthcheck') ? exited(1, 'Agent is unhealthy: unable to determine health\n') : healthy(call);

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.agentHealth).toEqual({ node: 'node-a', healthy: false, output: 'Agent is unhealthy: unable to determine health' });
  });

  it('reads the previous log of a crash-looping agent', async () => {
    const source = quickstartCluster();
    const agent = source.pods[1];
    source.pods[1] = {
      ...agent,
      status: {
        phase: 'Running',
        containerStatuses: [{ name: 'spire-agent', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } }],
      },
    };
    source.logs['spire/spire-agent-node-a/spire-agent/previous'] = 'time="2024-05-14T09:59:00Z" level=error msg="Agent crashed" error="x509: certificate has expired"\n';

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.gatherErrors?.agentHealth).toBe('container spire-agent is not running (CrashLoopBackOff), so the health check cannot run');
    expect(evidence.agentLogs).toEqual(['time="2024-05-14T09:59:00Z" level=error msg="Agent crashed" error="x509: certificate has expired"']);
  });

  it('reads the previous log of a crash-looping server', async () => {
    const source = quickstartCluster();
    const server = source.pods[3];
    source.pods[3] = {
      ...server,
      status: {
        phase: 'Running',
        containerStatuses: [{ name: 'spire-server', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } }],
      },
    };
    source.logs['spire/spire-server-0/spire-server/previous'] = 'time="2024-05-14T09:59:00Z" level=error msg="Fatal run error" error="datastore-sql: dial tcp: connection refused"\n';

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.serverLogs).toEqual(['time="2024-05-14T09:59:00Z" level=error msg="Fatal run error" error="datastore-sql: dial tcp: connection refused"']);
    expect(evidence.gatherErrors?.entries).toBe('container spire-server is not running (CrashLoopBackOff), so spire-server entry show cannot run');
    expect(evidence.gatherErrors?.agents).toBe('container spire-server is not running (CrashLoopBackOff), so spire-server agent list cannot run');
  });

  it('records a failing entry show', async () => {
    const source = quickstartCluster();
    const healthy = source.execHandler;
    source.execHandler = (call) =>
      call.command.includes('entry')
        ? exited(1, 'Error: connection error: desc = "transport: Error while dialing: dial unix /tmp/spire-server/private/api.sock: connect: no such file or directory"\n')
        : healthy(call);

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.gatherErrors?.entries).toBe(
      'failed: /opt/spire/bin/spire-server entry show -output json -socketPath /tmp/spire-server/private/api.sock exited with code 1: Error: connection error: desc = "transport: Error while dialing: dial unix /tmp/spire-server/private/api.sock: connect: no such file or directory"',
    );
    expect(evidence.agents).toEqual(JSON.parse(AGENT_LIST_JSON));
  });

  it('keeps a failed fetch as evidence', async () => {
    const source = quickstartCluster();
    const healthy = source.execHandler;
    source.execHandler = (call) =>
      call.command.includes('fetch') ? exited(1, 'rpc error: code = PermissionDenied desc = no identity issued\n') : healthy(call);

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.workloadFetch).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'rpc error: code = PermissionDenied desc = no identity issued\n',
      socketPath: '/spiffe-workload-api/agent.sock',
      container: 'web',
    });
  });

  it('names the debug container when the image has no binary', async () => {
    const source = quickstartCluster();
    const healthy = source.execHandler;
    source.execHandler = (call) => (call.namespace === 'shop' ? notStarted(call.command[0] ?? '') : healthy(call));

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.workloadFetch).toBeUndefined();
    expect(evidence.gatherErrors?.workloadFetch).toBe(
      'container web has no spire-agent binary (tried spire-agent, /opt/spire/bin/spire-agent); allow an ephemeral debug container (--allow-debug-container) to run the fetch from a container that mounts the same socket volume',
    );
    expect(source.ephemeralContainers).toEqual([]);
  });

  it('fetches from a debug container when allowed', async () => {
    const source = quickstartCluster();
    const healthy = source.execHandler;
    source.execHandler = (call) => (call.namespace === 'shop' ? notStarted(call.command[0] ?? '') : healthy(call));
    const original = source.addEphemeralContainer.bind(source);
    source.addEphemeralContainer = async (namespace, pod, container) => {
      const workload = source.pods[0];
      source.pods[0] = { ...workload, status: { ...workload?.status, ephemeralContainerStatuses: [{ name: container.name, state: { terminated: { exitCode: 0 } } }] } };
      source.logs[`shop/web-0/${container.name}`] = FETCH_X509_JSON;
      return original(namespace, pod, container);
    };

    const evidence = await gatherPodEvidence(request, source, { allowDebugContainer: true, debugImage: 'example.org/spire-agent:test' });

    const added = source.ephemeralContainers[0]?.container;
    expect(added?.image).toBe('example.org/spire-agent:test');
    expect(added?.command).toEqual(['/opt/spire/bin/spire-agent', 'api', 'fetch', 'x509', '-socketPath', '/spiffe-workload-api/agent.sock', '-output', 'json']);
    expect(added?.volumeMounts).toEqual([{ name: 'spire-agent-socket', mountPath: '/spiffe-workload-api', readOnly: true }]);
    expect(added?.targetContainerName).toBe('web');
    expect(evidence.workloadFetch?.exitCode).toBe(0);
    expect(evidence.workloadFetch?.stdout).toBe(FETCH_X509_JSON);
    expect(evidence.workloadFetch?.viaDebugContainer).toBe(true);
    expect(evidence.workloadFetch?.container).toBe(added?.name);
    expect(evidence.workloadFetch?.note).toContain("its k8s:container-name and k8s:container-image selectors differ from web's");
  });

  it('records a probe that times out', async () => {
    const source = quickstartCluster();
    const healthy = source.execHandler;
    source.execHandler = (call) => (call.command.includes('healthcheck') ? new Promise(() => {}) : healthy(call));

    const evidence = await gatherPodEvidence(request, source, { probeTimeoutMs: 50 });

    expect(evidence.gatherErrors?.agentHealth).toBe('timed out after 0.05s');
    expect(evidence.agentLogs).toBeDefined();
  });

  it('includes Controller Manager resources when installed', async () => {
    const source = quickstartCluster();
    source.customObjects = { clusterspiffeids: [{ metadata: { name: 'default' }, spec: { spiffeIDTemplate: 'spiffe://{{ .TrustDomain }}/x' } }] };
    source.configMaps.push({
      metadata: { name: 'spire-controller-manager', namespace: 'spire' },
      data: { 'controller-manager-config.yaml': 'clusterName: demo\ntrustDomain: example.org\n' },
    });

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.clusterSPIFFEIDs?.map((resource) => resource.metadata?.name)).toEqual(['default']);
    expect(evidence.clusterStaticEntries).toBeUndefined();
    expect(evidence.controllerManagerConfig).toBe('clusterName: demo\ntrustDomain: example.org\n');
    expect(evidence.gatherErrors).toBeUndefined();
  });

  it('reports progress for every probe', async () => {
    const source = quickstartCluster();
    const states: string[] = [];

    await gatherPodEvidence(request, source, { onProbe: (name: string, state: ProbeState) => states.push(`${name} ${state}`) });

    for (const field of ['pod', 'node', 'events', 'agentPods', 'agentHealth', 'agentLogs', 'agentConfig', 'entries', 'agents', 'serverPods', 'serverLogs', 'serverConfig', 'workloadFetch']) {
      expect(states).toContain(`${field} started`);
      expect(states).toContain(`${field} succeeded`);
    }
  });

  it('copies the expected SPIFFE ID', async () => {
    const evidence = await gatherPodEvidence({ ...request, expectedSpiffeId: 'spiffe://example.org/web' }, quickstartCluster());

    expect(evidence.expectedSpiffeId).toBe('spiffe://example.org/web');
  });

  it.each([
    { name: 'pending pod', status: { phase: 'Pending' }, text: 'pod web-0 is Pending, so it cannot run the fetch' },
    {
      name: 'crash-looping container',
      status: { phase: 'Running', containerStatuses: [{ name: 'web', state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
      text: 'container web is not running (CrashLoopBackOff), so it cannot run the fetch',
    },
  ])('skips the fetch for a $name', async ({ status, text }) => {
    const source = quickstartCluster();
    source.pods[0] = { ...workloadPod(), status };

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.gatherErrors?.workloadFetch).toBe(text);
    expect(source.execCalls.filter((call) => call.namespace === 'shop')).toEqual([]);
  });

  it('records a workload without a socket mount', async () => {
    const source = quickstartCluster();
    source.pods[0] = workloadPod({ mountSocket: false });

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.workloadFetch).toBeUndefined();
    expect(evidence.gatherErrors?.workloadFetch).toBe(
      'container web sets no SPIFFE_ENDPOINT_SOCKET and mounts no volume with the agent socket, so there is no socket path to fetch from',
    );
  });

  it('uses a CSI socket volume', async () => {
    const source = quickstartCluster();
    source.pods[0] = workloadPod({ csi: true });

    const evidence = await gatherPodEvidence(request, source);

    expect(evidence.workloadFetch?.socketPath).toBe('/spiffe-workload-api/agent.sock');
    expect(source.execCalls.find((call) => call.namespace === 'shop')?.command).toContain('/spiffe-workload-api/agent.sock');
  });
});
