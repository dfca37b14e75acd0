import { existsSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { LabScenarios } from '../../src/commands/lab/scenarios.js';
import { LabStart } from '../../src/commands/lab/start.js';
import { serveLab } from '../../src/lab/index.js';
import type { LabHandle } from '../../src/lab/index.js';
import { execInPod, startLabClients } from './lab-fixtures.js';

/** Returns the socket path a pod's SPIFFE_ENDPOINT_SOCKET names, as a workload would dial it. */
async function endpointSocketOf(clients: Awaited<ReturnType<typeof startLabClients>>, namespace: string, pod: string): Promise<string> {
  const object = await clients.core.readNamespacedPod({ namespace, name: pod });
  const value = object.spec?.containers[0]?.env?.find((variable) => variable.name === 'SPIFFE_ENDPOINT_SOCKET')?.value ?? '';
  return value.replace(/^unix:\/\//, '');
}

describe('bundled scenarios', () => {
  it.each([
    { name: 'healthy', namespace: 'shop', pod: 'web-7d9f8b6c5-x2x9q', exitCode: '0', output: 'SPIFFE ID:\t\tspiffe://example.org/ns/shop/sa/web\n' },
    { name: 'helm-chart', namespace: 'shop', pod: 'web-5c8d7b9f4-k7m2t', exitCode: '0', output: 'SPIFFE ID:\t\tspiffe://example.org/ns/shop/sa/web\n' },
    { name: 'selector-mismatch', namespace: 'shop', pod: 'web-7d9f8b6c5-x2x9q', exitCode: '1', output: 'rpc error: code = PermissionDenied desc = no identity issued\n' },
    { name: 'node-alias-mismatch', namespace: 'shop', pod: 'web-7d9f8b6c5-x2x9q', exitCode: '1', output: 'rpc error: code = PermissionDenied desc = no identity issued\n' },
    {
      name: 'socket-path-mismatch',
      namespace: 'shop',
      pod: 'web-7d9f8b6c5-x2x9q',
      exitCode: '1',
      output: 'dial unix /run/spire/sockets/api.sock: connect: no such file or directory',
    },
    {
      name: 'agent-missing',
      namespace: 'shop',
      pod: 'web-7d9f8b6c5-x2x9q',
      exitCode: '1',
      output: 'dial unix /run/spire/sockets/agent.sock: connect: no such file or directory',
    },
    {
      name: 'agent-crashloop',
      namespace: 'shop',
      pod: 'web-7d9f8b6c5-x2x9q',
      exitCode: '1',
      output: 'dial unix /run/spire/sockets/agent.sock: connect: connection refused',
    },
  ])('fetch in $name', async ({ name, namespace, pod, exitCode, output }) => {
    const clients = await startLabClients(name);
    try {
      const socketPath = await endpointSocketOf(clients, namespace, pod);

      const outcome = await execInPod(clients.kubeConfig, namespace, pod, 'app', ['spire-agent', 'api', 'fetch', 'x509', '-socketPath', socketPath]);

      const code = outcome.status.status === 'Success' ? '0' : outcome.status.details?.causes?.[0]?.message;
      expect(code).toBe(exitCode);
      expect(outcome.stdout + outcome.stderr).toContain(output);
    } finally {
      await clients.lab.stop();
    }
  });

  it('agent-missing has no agent on the tainted node', async () => {
    const clients = await startLabClients('agent-missing');
    try {
      const agents = await clients.core.listPodForAllNamespaces({ labelSelector: 'app=spire-agent', fieldSelector: 'spec.nodeName=lab-worker-2' });
      const node = await clients.core.readNode({ name: 'lab-worker-2' });

      expect(agents.items).toEqual([]);
      expect(node.spec?.taints).toEqual([{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }]);
    } finally {
      await clients.lab.stop();
    }
  });

  it('agent-crashloop keeps the crashed instance logs', async () => {
    const clients = await startLabClients('agent-crashloop');
    try {
      const current = await clients.core.readNamespacedPodLog({ namespace: 'spire', name: 'spire-agent-q9w4m' });
      const previous = await clients.core.readNamespacedPodLog({ namespace: 'spire', name: 'spire-agent-q9w4m', previous: true });
      const agents = await execInPod(clients.kubeConfig, 'spire', 'spire-server-0', 'spire-server', ['spire-server', 'agent', 'list', '-output', 'json']);

      expect(current).toContain('time="2026-12-04T09:41:03Z" level=error msg="Agent crashed"');
      expect(previous).toContain('time="2026-12-04T09:35:59Z" level=error msg="Agent crashed"');
      expect((JSON.parse(agents.stdout) as { agents: unknown[] }).agents).toHaveLength(1);
    } finally {
      await clients.lab.stop();
    }
  });

  it('helm-chart runs the server in spire-server', async () => {
    const clients = await startLabClients('helm-chart');
    try {
      const outcome = await execInPod(clients.kubeConfig, 'spire-server', 'spire-server-0', 'spire-server', ['/opt/spire/bin/spire-server', 'entry', 'show', '-output', 'json']);
      const entries = (JSON.parse(outcome.stdout) as { entries: { parent_id: { path: string } }[] }).entries;

      expect(entries.map((entry) => entry.parent_id.path)).toEqual(['/spire/agent/k8s_psat/example-cluster/6a1f0c3e-2b4d-4e8a-9c7f-0d2e4b6a8c01']);
    } finally {
      await clients.lab.stop();
    }
  });
});

describe('lab commands', () => {
  it('lab scenarios lists names and descriptions', async () => {
    // oclif's `this.log` writes through console.log.
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    let lines: unknown[];
    try {
      await LabScenarios.run([], import.meta.url);
      lines = log.mock.calls.map((call) => call[0]);
    } finally {
      log.mockRestore();
    }

    expect(lines).toEqual([
      'agent-crashloop       The agent on the web pod\'s node crashes in a loop because its trust bundle is stale.',
      "agent-missing         No agent runs on the web pod's node, whose taint the agent DaemonSet does not tolerate.",
      'forbidden-exec        RBAC forbids pods/exec in namespace shop; everything else is healthy.',
      'healthy               The web pod in namespace shop gets its X509-SVID (quickstart layout).',
      'helm-chart            The web pod gets its X509-SVID through the SPIFFE CSI driver (Helm chart layout).',
      'node-alias-mismatch   The node alias selects cluster demo, but the agents attested in demo-cluster.',
      "selector-mismatch     The web pod's entry selects namespace default, but the pod runs in shop.",
      "socket-path-mismatch  The web pod's SPIFFE_ENDPOINT_SOCKET names api.sock; the agent serves agent.sock.",
    ]);
  });

  it('lab start exits 2 for an unknown scenario', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let failure: unknown;
    let written: string;
    try {
      failure = await LabStart.run(['--scenario', 'no-such-scenario'], import.meta.url).catch((error: unknown) => error);
      written = stderr.mock.calls.map((call) => String(call[0])).join('');
    } finally {
      stderr.mockRestore();
    }

    expect((failure as { oclif?: { exit?: number } }).oclif?.exit).toBe(2);
    expect(written).toMatch(/^Error: could not read lab scenario .*no-such-scenario\.yaml: ENOENT/);
    expect(written).toContain('  - Pass a bundled scenario name or the path of a scenario file. Bundled scenarios: agent-crashloop,');
  });

  it('serveLab removes the kubeconfig when stopped', async () => {
    const controller = new AbortController();
    let started: LabHandle | undefined;

    await serveLab({
      scenario: 'healthy',
      signal: controller.signal,
      onReady: (lab) => {
        started = lab;
        expect(existsSync(lab.kubeconfigPath)).toBe(true);
        controller.abort();
      },
    });

    expect(started?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(existsSync(started?.kubeconfigPath ?? '')).toBe(false);
  });

  it('serveLab rejects an unknown scenario', async () => {
    const failure = serveLab({ scenario: 'no-such-scenario', onReady: () => {} });

    await expect(failure).rejects.toThrow(/^could not read lab scenario /);
  });
});
