import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import * as k8s from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLED_SCENARIO_DIR } from '../../src/lab/index.js';
import { captureApiFailure, startLabClients, type LabClients } from './lab-fixtures.js';

const WEB = { namespace: 'shop', name: 'web-7d9f8b6c5-x2x9q' } as const;
const DEBUGGER = {
  name: 'debugger-fetch',
  image: 'ghcr.io/spiffe/spire-agent:1.12.4',
  command: ['/opt/spire/bin/spire-agent', 'api', 'fetch', 'x509', '-socketPath', '/run/spire/sockets/agent.sock', '-output', 'json'],
  volumeMounts: [{ name: 'spire-agent-socket', mountPath: '/run/spire/sockets', readOnly: true }],
  targetContainerName: 'app',
};

let clients: LabClients | undefined;

afterEach(async () => {
  await clients?.lab.stop();
  clients = undefined;
});

function patchEphemeral(lab: LabClients, body: object, strategy: k8s.PatchStrategy = k8s.PatchStrategy.StrategicMergePatch) {
  return lab.core.patchNamespacedPodEphemeralcontainers({ ...WEB, body }, k8s.setHeaderOptions('Content-Type', strategy));
}

/** Reads the pod until the ephemeral container has terminated; gives up after 200 reads. */
async function waitForTermination(lab: LabClients, name: string): Promise<k8s.V1ContainerStateTerminated> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const pod = await lab.core.readNamespacedPod(WEB);
    const terminated = pod.status?.ephemeralContainerStatuses?.find((status) => status.name === name)?.state?.terminated;
    if (terminated) return terminated;
    await sleep(10);
  }
  throw new Error(`ephemeral container ${name} did not terminate`);
}

async function healthyWithContainerSelectorsDisabled(): Promise<string> {
  const text = await readFile(`${BUNDLED_SCENARIO_DIR}healthy.yaml`, 'utf8');
  return text.replace('spire:\n  trustDomain: example.org\n', 'spire:\n  trustDomain: example.org\n  disableContainerSelectors: true\n');
}

describe('ephemeral containers', () => {
  it('adds the container to the pod', async () => {
    clients = await startLabClients('healthy');

    const pod = await patchEphemeral(clients, { spec: { ephemeralContainers: [DEBUGGER] } });

    expect(pod.spec?.ephemeralContainers?.map((container) => container.name)).toEqual(['debugger-fetch']);
    expect(pod.status?.ephemeralContainerStatuses?.[0]?.state?.waiting?.reason).toBe('ContainerCreating');
  });

  it('times out attestation with container selectors', async () => {
    clients = await startLabClients('healthy');

    await patchEphemeral(clients, { spec: { ephemeralContainers: [DEBUGGER] } });
    const terminated = await waitForTermination(clients, DEBUGGER.name);
    const log = await clients.core.readNamespacedPodLog({ ...WEB, container: DEBUGGER.name });
    const agentLog = await clients.core.readNamespacedPodLog({ namespace: 'spire', name: 'spire-agent-q9w4m', tailLines: 2 });

    const stored = clients.lab.state.findPod(WEB.namespace, WEB.name)?.status?.ephemeralContainerStatuses?.[0]?.state?.terminated;

    expect(terminated.exitCode).toBe(1);
    expect(terminated.reason).toBe('Error');
    expect(stored?.finishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(log).toBe('rpc error: code = DeadlineExceeded desc = context deadline exceeded\n');
    expect(agentLog).toContain('level=error msg="Timed out collecting selectors"');
    expect(agentLog).toContain('level=error msg="Workload attestation failed"');
  });

  it('fetches when container selectors are disabled', async () => {
    clients = await startLabClients(await healthyWithContainerSelectorsDisabled());

    await patchEphemeral(clients, { spec: { ephemeralContainers: [DEBUGGER] } }, k8s.PatchStrategy.MergePatch);
    const terminated = await waitForTermination(clients, DEBUGGER.name);
    const log = await clients.core.readNamespacedPodLog({ ...WEB, container: DEBUGGER.name });

    expect(terminated.exitCode).toBe(0);
    expect(terminated.reason).toBe('Completed');
    expect((JSON.parse(log) as { svids: { spiffe_id: string }[] }).svids[0]?.spiffe_id).toBe('spiffe://example.org/ns/shop/sa/web');
  });

  it('keeps existing ephemeral containers', async () => {
    clients = await startLabClients('healthy');

    await patchEphemeral(clients, { spec: { ephemeralContainers: [DEBUGGER] } });
    const second = { ...DEBUGGER, name: 'debugger-two', image: 'busybox', command: ['sleep', '1'] };
    const pod = await patchEphemeral(clients, { spec: { $setElementOrder: [{ name: DEBUGGER.name }, { name: second.name }], ephemeralContainers: [second] } });

    expect(pod.spec?.ephemeralContainers?.map((container) => container.name)).toEqual(['debugger-fetch', 'debugger-two']);
    expect(pod.spec?.ephemeralContainers?.[0]?.image).toBe(DEBUGGER.image);
  });

  it('rejects a container without an image', async () => {
    clients = await startLabClients('healthy');
    const lab = clients;

    const failure = await captureApiFailure(() => patchEphemeral(lab, { spec: { ephemeralContainers: [{ name: 'debugger' }] } }));

    expect(failure.code).toBe(422);
    expect(failure.body?.message).toBe('Pod "web-7d9f8b6c5-x2x9q" is invalid: spec.ephemeralContainers[0].image: Required value');
    expect(failure.body?.details).toEqual({
      name: 'web-7d9f8b6c5-x2x9q',
      kind: 'Pod',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.ephemeralContainers[0].image' }],
    });
  });

  it('rejects a JSON patch body', async () => {
    clients = await startLabClients('healthy');
    const lab = clients;

    const failure = await captureApiFailure(() => patchEphemeral(lab, [{ op: 'add', path: '/spec/ephemeralContainers/-', value: DEBUGGER }], k8s.PatchStrategy.JsonPatch));

    expect(failure.code).toBe(415);
    expect(failure.body?.reason).toBe('UnsupportedMediaType');
  });

  it('forbids the patch where RBAC forbids it', async () => {
    const text = await readFile(`${BUNDLED_SCENARIO_DIR}healthy.yaml`, 'utf8');
    clients = await startLabClients(`${text}\nrbac:\n  forbidden: [{verb: patch, resource: pods/ephemeralcontainers, namespace: shop}]\n`);
    const lab = clients;

    const failure = await captureApiFailure(() => patchEphemeral(lab, { spec: { ephemeralContainers: [DEBUGGER] } }));

    expect(failure.code).toBe(403);
    expect(failure.body?.message).toBe(
      'pods "web-7d9f8b6c5-x2x9q" is forbidden: User "system:serviceaccount:default:spiffe-doctor" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "shop"',
    );
  });
});
