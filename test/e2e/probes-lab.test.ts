/**
 * Gathers evidence from the lab's loopback API server through the real client-node
 * adapter: the same code path as a live cluster.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { isUserError } from '../../src/errors.js';
import { startLab, loadLabScenario, type LabHandle, type LabScenario } from '../../src/lab/index.js';
import { ClientNodeSource } from '../../src/probes/kube/client-node-source.js';
import { gatherPodEvidence } from '../../src/probes/kube/gather-pod.js';
import { loadKubeConfig } from '../../src/probes/kube/kube-config.js';

const WEB_POD = { namespace: 'shop', pod: 'web-7d9f8b6c5-x2x9q' };

let lab: LabHandle | undefined;

afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

async function sourceFor(scenario: string, change: (loaded: LabScenario) => LabScenario = (loaded) => loaded): Promise<ClientNodeSource> {
  lab = await startLab(change(await loadLabScenario(scenario)));
  const { config, description } = loadKubeConfig({ kubeconfigPath: lab.kubeconfigPath, env: {} });
  return new ClientNodeSource(config, description);
}

describe('pod evidence from the lab', () => {
  it('gathers a healthy pod', async () => {
    const source = await sourceFor('healthy');

    const evidence = await gatherPodEvidence(WEB_POD, source);

    expect(evidence.gatherErrors).toBeUndefined();
    expect(evidence.pod?.metadata?.name).toBe('web-7d9f8b6c5-x2x9q');
    expect(evidence.node?.metadata?.name).toBe('lab-worker-2');
    expect(evidence.pod?.metadata?.creationTimestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(evidence.agentPods?.map((pod) => pod.metadata?.name).sort()).toEqual(['spire-agent-7xk2p', 'spire-agent-q9w4m']);
    expect(evidence.agentHealth).toMatchObject({ node: 'lab-worker-2', healthy: true });
    expect(JSON.stringify(evidence.agentLogs)).toContain('Starting Workload and SDS APIs');
    expect(evidence.agentConfig).toContain('socket_path = "/run/spire/sockets/agent.sock"');
    expect(evidence.serverConfig).toContain('trust_domain = "example.org"');
    expect(evidence.workloadFetch?.exitCode).toBe(0);
    expect(evidence.workloadFetch?.socketPath).toBe('/run/spire/sockets/agent.sock');
    expect(JSON.parse(evidence.workloadFetch?.stdout ?? '{}').svids?.[0]?.spiffe_id).toBe('spiffe://example.org/ns/shop/sa/web');
    const entries = evidence.entries as unknown as { entries: { spiffe_id: { path: string } }[] };
    expect(entries.entries.map((entry) => entry.spiffe_id.path)).toContain('/ns/shop/sa/web');
  });

  it('gathers a selector mismatch', async () => {
    const source = await sourceFor('selector-mismatch');

    const evidence = await gatherPodEvidence(WEB_POD, source);

    expect(evidence.workloadFetch?.exitCode).toBe(1);
    expect(evidence.workloadFetch?.stderr).toContain('no identity issued');
    expect(evidence.entries).toBeDefined();
  });

  it('gathers a node without an agent', async () => {
    const source = await sourceFor('agent-missing');

    const evidence = await gatherPodEvidence(WEB_POD, source);

    expect(evidence.agentPods?.some((pod) => pod.spec?.nodeName === evidence.pod?.spec?.nodeName)).toBe(false);
    expect(evidence.gatherErrors?.agentHealth).toBe(`no SPIRE agent pod runs on node ${evidence.pod?.spec?.nodeName}`);
  });

  it('names the debug container for an image without spire-agent', async () => {
    const source = await sourceFor('healthy', (loaded) => ({ ...loaded, spire: { ...loaded.spire, agentBinaryContainers: [] } }));

    const evidence = await gatherPodEvidence(WEB_POD, source);

    expect(evidence.workloadFetch).toBeUndefined();
    expect(evidence.gatherErrors?.workloadFetch).toBe(
      'container app has no spire-agent binary (tried spire-agent, /opt/spire/bin/spire-agent); allow an ephemeral debug container (--allow-debug-container) to run the fetch from a container that mounts the same socket volume',
    );
  });

  it('records forbidden exec as a gather error', async () => {
    const source = await sourceFor('forbidden-exec');

    const evidence = await gatherPodEvidence(WEB_POD, source);

    expect(evidence.gatherErrors?.workloadFetch).toBe(
      'forbidden: grant pods/exec in namespace shop (pods "web-7d9f8b6c5-x2x9q" is forbidden: User "system:serviceaccount:default:spiffe-doctor" cannot create resource "pods/exec" in API group "" in the namespace "shop")',
    );
    expect(evidence.entries).toBeDefined();
  });

  it('raises a user error for a stopped API server', async () => {
    const source = await sourceFor('healthy');
    const url = lab?.url;
    await lab?.stop();
    lab = undefined;

    const error = await gatherPodEvidence(WEB_POD, source).catch((thrown: unknown) => thrown);

    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toContain(`could not reach the Kubernetes API server at ${url}: `);
    expect((error as Error).message).toMatch(/\(from kubeconfig .*kubeconfig, context ".+"\)$/);
  });

  it('raises a user error for rejected credentials', async () => {
    lab = await startLab(await loadLabScenario('healthy'), { token: 'right-token' });
    const kubeconfigPath = join(dirname(lab.kubeconfigPath), 'wrong-token');
    await writeFile(kubeconfigPath, lab.kubeconfig.replace('right-token', 'wrong-token'));
    const { config, description } = loadKubeConfig({ kubeconfigPath, env: {} });

    const error = await gatherPodEvidence(WEB_POD, new ClientNodeSource(config, description)).catch((thrown: unknown) => thrown);

    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe(`the API server at ${lab.url} rejected the credentials from ${description}`);
  });

  it('raises a user error for an unknown pod', async () => {
    const source = await sourceFor('healthy');

    const error = await gatherPodEvidence({ namespace: 'shop', pod: 'nope' }, source).catch((thrown: unknown) => thrown);

    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe('pod "nope" not found in namespace "shop"');
  });
});
