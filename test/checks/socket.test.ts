/**
 * The socket checks: mounted, at the agent's path, reachable. An emptyDir at the
 * socket path is not the agent socket. A "connection refused" proves that a socket
 * file exists at the path, so the path itself is right.
 */
import { describe, expect, it } from 'vitest';
import { socketMountedCheck } from '../../src/checks/socket/socket-mounted.js';
import { socketPathMatchesCheck } from '../../src/checks/socket/socket-path-matches.js';
import { socketReachableCheck } from '../../src/checks/socket/socket-reachable.js';
import type { Finding } from '../../src/checks/types.js';
import type { Evidence } from '../../src/evidence/types.js';
import { logLine, makeEvidence, makePod } from './fixtures.js';
import { runCheck } from './run-check.js';

interface SocketCase {
  readonly name: string;
  readonly evidence: Evidence;
  readonly status: Finding['status'];
  readonly cause?: Finding['cause'];
  readonly summary?: string;
}

function dialError(path: string, reason: string): Evidence['workloadFetch'] {
  return { exitCode: 1, stderr: `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix ${path}: connect: ${reason}"` };
}

function expectCase(finding: Finding, expected: SocketCase): void {
  expect(finding.status).toBe(expected.status);
  if (expected.cause !== undefined) {
    expect(finding.cause).toBe(expected.cause);
  }
  if (expected.summary !== undefined) {
    expect(finding.summary).toContain(expected.summary);
  }
}

describe('socket-mounted', () => {
  const cases: readonly SocketCase[] = [
    { name: 'CSI volume passes', evidence: makeEvidence(), status: 'pass' },
    { name: 'hostPath volume passes', evidence: makeEvidence({ pod: makePod({ volume: { hostPath: { path: '/run/spire/agent-sockets', type: 'Directory' } } }) }), status: 'pass' },
    {
      name: 'emptyDir is not the agent socket',
      evidence: makeEvidence({ pod: makePod({ volume: { emptyDir: {} } }) }),
      status: 'fail',
      cause: 'socket-not-mounted',
      summary: 'private to the pod',
    },
    {
      name: 'fetch socketPath outside mount',
      evidence: makeEvidence({ pod: makePod({ env: {} }), workloadFetch: { exitCode: 1, stderr: 'rpc error: code = DeadlineExceeded desc = context deadline exceeded', socketPath: '/run/other/api.sock' } }),
      status: 'pass',
      summary: 'although its socket path /run/other/api.sock',
    },
    {
      name: 'native sidecar mounts the socket',
      evidence: makeEvidence({
        pod: (() => {
          const pod = makePod({ env: {}, volume: { csi: { driver: 'csi.spiffe.io' } } });
          const sidecar = { ...(pod.spec?.containers?.[0] ?? {}), name: 'spiffe-helper', restartPolicy: 'Always', env: [{ name: 'SPIFFE_ENDPOINT_SOCKET', value: 'unix:///spiffe-workload-api/spire-agent.sock' }] };
          return { ...pod, spec: { ...pod.spec, containers: [{ name: 'app', image: 'app:1' }], initContainers: [sidecar] } };
        })(),
      }),
      status: 'pass',
    },
    {
      name: 'mounted elsewhere is still mounted',
      evidence: makeEvidence({ pod: makePod({ env: { SPIFFE_ENDPOINT_SOCKET: 'unix:///run/spire/sockets/agent.sock' } }) }),
      status: 'pass',
      summary: 'is outside it',
    },
    {
      name: 'no socket volume at all',
      evidence: makeEvidence({ pod: makePod({ env: { SPIFFE_ENDPOINT_SOCKET: 'unix:///run/spire/sockets/agent.sock' }, volume: { configMap: { name: 'settings' } }, mountPath: '/etc/settings' }) }),
      status: 'fail',
      cause: 'socket-not-mounted',
      summary: 'No volume is mounted at the directory',
    },
  ];

  it.each(cases)('$name', (testCase) => {
    expectCase(runCheck(socketMountedCheck, testCase.evidence), testCase);
  });
});

describe('socket-path-matches', () => {
  const agentStart = (address: string) => logLine('2024-05-14T08:00:00Z', 'info', 'Starting Workload and SDS APIs', { address, network: 'unix', subsystem_name: 'endpoints' });
  const cases: readonly SocketCase[] = [
    { name: 'same file name passes', evidence: makeEvidence({ agentLogs: [agentStart('/tmp/spire-agent/public/spire-agent.sock')] }), status: 'pass' },
    {
      name: 'file name differs from agent log',
      evidence: makeEvidence({ pod: makePod({ env: { SPIFFE_ENDPOINT_SOCKET: 'unix:///spiffe-workload-api/api.sock' } }), agentLogs: [agentStart('/tmp/spire-agent/public/spire-agent.sock')] }),
      status: 'fail',
      cause: 'socket-path-mismatch',
      summary: "the agent's socket file is named spire-agent.sock, not api.sock",
    },
    {
      name: 'file name differs from config',
      evidence: makeEvidence({ agentLogs: [], agentConfig: 'agent {\n  socket_path = "/run/spire/sockets/agent.sock"\n}' }),
      status: 'fail',
      cause: 'socket-path-mismatch',
    },
    {
      name: 'default socket path only warns',
      evidence: makeEvidence({ agentLogs: [], agentConfig: 'agent {\n  trust_domain = "example.org"\n}' }),
      status: 'warn',
    },
    {
      name: 'refused connection proves the path',
      evidence: makeEvidence({ agentLogs: [], agentConfig: 'agent {\n  trust_domain = "example.org"\n}', workloadFetch: dialError('/spiffe-workload-api/spire-agent.sock', 'connection refused') }),
      status: 'pass',
    },
    { name: 'agent path unknown', evidence: makeEvidence({ agentLogs: [] }), status: 'skipped' },
    {
      name: 'path outside mounted directory',
      evidence: makeEvidence({ pod: makePod({ env: { SPIFFE_ENDPOINT_SOCKET: 'unix:///run/spire/sockets/spire-agent.sock' } }), agentLogs: [] }),
      status: 'fail',
      cause: 'socket-path-mismatch',
      summary: 'but the agent socket directory is mounted at /spiffe-workload-api',
    },
    {
      name: 'fetch default path outside mount',
      evidence: makeEvidence({ pod: makePod({ env: {} }), agentLogs: [], workloadFetch: dialError('/tmp/spire-agent/public/api.sock', 'no such file or directory') }),
      status: 'fail',
      cause: 'socket-path-mismatch',
    },
    {
      name: 'workload setting beats fetch default',
      evidence: makeEvidence({
        agentLogs: [agentStart('/tmp/spire-agent/public/spire-agent.sock')],
        workloadFetch: dialError('/tmp/spire-agent/public/api.sock', 'connection refused'),
      }),
      status: 'pass',
      summary: 'The workload uses /spiffe-workload-api/spire-agent.sock',
    },
  ];

  it.each(cases)('$name', (testCase) => {
    expectCase(runCheck(socketPathMatchesCheck, testCase.evidence), testCase);
  });
});

describe('socket-reachable', () => {
  const cases: readonly SocketCase[] = [
    { name: 'successful fetch passes', evidence: makeEvidence({ workloadFetch: { exitCode: 0, stdout: 'Received 1 svid after 8ms\n\nSPIFFE ID:\t\tspiffe://example.org/ns/shop/sa/web\n' } }), status: 'pass' },
    {
      name: 'permission denied fails',
      evidence: makeEvidence({ workloadFetch: dialError('/spiffe-workload-api/spire-agent.sock', 'permission denied') }),
      status: 'fail',
      cause: 'socket-unreachable',
      summary: 'does not let the workload user connect',
    },
    {
      name: 'SELinux denial is named',
      evidence: makeEvidence({
        workloadFetch: dialError('/spiffe-workload-api/spire-agent.sock', 'permission denied'),
        events: [{ reason: 'AVC', message: 'avc:  denied  { write } for comm="web" name="spire-agent.sock" tcontext=system_u:object_r:container_var_run_t:s0 tclass=sock_file' }],
      }),
      status: 'fail',
      summary: 'SELinux denies',
    },
    { name: 'gVisor without fetch only warns', evidence: makeEvidence({ pod: makePod({ runtimeClassName: 'gvisor' }) }), status: 'warn', cause: 'socket-unreachable' },
    {
      name: 'gVisor with dial error fails',
      evidence: makeEvidence({ pod: makePod({ runtimeClassName: 'gvisor' }), workloadFetch: dialError('/spiffe-workload-api/spire-agent.sock', 'connection refused') }),
      status: 'fail',
      cause: 'socket-unreachable',
    },
    {
      name: 'gVisor call that reached the agent',
      evidence: makeEvidence({ pod: makePod({ runtimeClassName: 'kata' }), workloadFetch: { exitCode: 1, stderr: 'rpc error: code = DeadlineExceeded desc = context deadline exceeded' } }),
      status: 'pass',
    },
    { name: 'missing socket is not a permission problem', evidence: makeEvidence({ workloadFetch: dialError('/spiffe-workload-api/spire-agent.sock', 'no such file or directory') }), status: 'pass' },
    { name: 'no fetch to judge', evidence: makeEvidence(), status: 'skipped' },
  ];

  it.each(cases)('$name', (testCase) => {
    expectCase(runCheck(socketReachableCheck, testCase.evidence), testCase);
  });
});
