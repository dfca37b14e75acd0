import { describe, expect, it } from 'vitest';

import { isUserError } from '../../../src/errors.js';
import { gatherNamespaceEvidence } from '../../../src/probes/kube/gather-namespace.js';
import { quickstartCluster, workloadPod } from './cluster-fixtures.js';
import { exited, forbidden } from './fake-kube-source.js';

function twoNodeCluster() {
  const source = quickstartCluster();
  source.pods.push(workloadPod({ name: 'web-1', nodeName: 'node-b' }));
  return source;
}

describe('gatherNamespaceEvidence', () => {
  it('gathers pods and per-node agent evidence', async () => {
    const source = twoNodeCluster();
    const healthy = source.execHandler;
    source.execHandler = (call) =>
      call.pod === 'spire-agent-node-b' && call.command.includes('healthcheck') ? exited(1, 'Agent is unhealthy: unable to determine health\n') : healthy(call);

    const evidence = await gatherNamespaceEvidence({ namespace: 'shop' }, source, { now: () => new Date('2024-05-14T10:00:00Z') });

    expect(evidence.pods?.map((pod) => pod.metadata?.name)).toEqual(['web-0', 'web-1']);
    expect(evidence.agentHealth).toEqual({
      'node-a': { node: 'node-a', healthy: true, output: 'Agent is healthy.' },
      'node-b': { node: 'node-b', healthy: false, output: 'Agent is unhealthy: unable to determine health' },
    });
    expect(evidence.agentLogs).toEqual({ 'node-a': ['time="2024-05-14T09:49:00Z" level=info msg="Starting Workload and SDS APIs"', 'line two'] });
    expect(evidence.gatherErrors).toEqual({ 'agentLogs.node-b': 'not found (pods "spire-agent-node-b" not found)' });
    expect(evidence.entries).toBeDefined();
    expect(evidence.agents).toBeDefined();
    expect(evidence.workloadFetch).toBeUndefined();
    expect(evidence.gatheredAt).toBe('2024-05-14T10:00:00.000Z');
  });

  it('leaves SPIRE pods out of the workloads', async () => {
    const evidence = await gatherNamespaceEvidence({ namespace: 'spire' }, twoNodeCluster());

    expect(evidence.pods).toEqual([]);
    expect(evidence.agentPods?.length).toBe(2);
  });

  it('narrows workloads by label', async () => {
    const source = twoNodeCluster();
    source.pods.push({ ...workloadPod({ name: 'db-0' }), metadata: { name: 'db-0', namespace: 'shop', labels: { app: 'db' } } });

    const evidence = await gatherNamespaceEvidence({ namespace: 'shop', labelSelector: 'app=db' }, source);

    expect(evidence.pods?.map((pod) => pod.metadata?.name)).toEqual(['db-0']);
  });

  it('raises a user error when pods cannot be listed', async () => {
    const source = twoNodeCluster();
    source.failures.push({ method: 'listPods', namespace: 'shop', error: forbidden('pods', 'shop', 'list') });

    const error = await gatherNamespaceEvidence({ namespace: 'shop' }, source).catch((thrown: unknown) => thrown);

    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe('could not list pods in namespace "shop": forbidden; grant list on pods in namespace shop');
  });
});
