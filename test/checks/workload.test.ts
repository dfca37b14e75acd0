/**
 * The workload, server and attestation checks. Includes "No identity issued" noise
 * from a health-check PID while the workload itself is attested fine, and the absence
 * of k8s selectors as evidence that the Kubernetes attestor failed.
 */
import { describe, expect, it } from 'vitest';
import { workloadAttestedCheck } from '../../src/checks/attestation/workload-attested.js';
import { serverAvailableCheck } from '../../src/checks/server/server-available.js';
import type { Finding } from '../../src/checks/types.js';
import { podFoundCheck } from '../../src/checks/workload/pod-found.js';
import { podRunningCheck } from '../../src/checks/workload/pod-running.js';
import type { Evidence } from '../../src/evidence/types.js';
import { POD_UID, logLine, loggedSelectors, makeAgentPod, makeEvidence, makePod } from './fixtures.js';
import { runCheck } from './run-check.js';

interface WorkloadCase {
  readonly name: string;
  readonly evidence: Evidence;
  readonly status: Finding['status'];
  readonly cause?: Finding['cause'];
  readonly summary?: string;
}

function expectCase(finding: Finding, expected: WorkloadCase): void {
  expect(finding.status).toBe(expected.status);
  if (expected.cause !== undefined) {
    expect(finding.cause).toBe(expected.cause);
  }
  if (expected.summary !== undefined) {
    expect(finding.summary).toContain(expected.summary);
  }
}

describe('pod-found', () => {
  const cases: readonly WorkloadCase[] = [
    { name: 'pod present passes', evidence: makeEvidence(), status: 'pass' },
    { name: 'process outside Kubernetes passes', evidence: { process: { pid: 42, uid: 1000 } }, status: 'pass' },
    { name: 'pod not found fails', evidence: { gatherErrors: { pod: 'pods "web" not found' } }, status: 'fail', cause: 'pod-not-found' },
  ];

  it.each(cases)('$name', (testCase) => {
    expectCase(runCheck(podFoundCheck, testCase.evidence), testCase);
  });

  it('strips escapes from quoted names', () => {
    const pod = makePod();
    const hostile = { ...pod, metadata: { ...pod.metadata, name: 'web\u001b[2J\u001b]0;owned\u0007' } };
    const finding = runCheck(podFoundCheck, makeEvidence({ pod: hostile }));

    expect(finding.summary).toBe('Pod shop/web found.');
  });
});

describe('pod-running', () => {
  const hookedPod = makePod({
    status: { phase: 'Running', containerStatuses: [{ name: 'web', ready: false, started: false, state: { waiting: { reason: 'ContainerCreating' } } }] },
  });
  const withHook = { ...hookedPod, spec: { ...hookedPod.spec, containers: (hookedPod.spec?.containers ?? []).map((container) => ({ ...container, lifecycle: { postStart: { exec: { command: ['/bin/wait-for-svid'] } } } })) } };
  const cases: readonly WorkloadCase[] = [
    { name: 'running pod passes', evidence: makeEvidence(), status: 'pass' },
    { name: 'pod without status skipped', evidence: makeEvidence({ pod: { ...makePod(), status: undefined } }), status: 'skipped' },
    { name: 'pending pod fails', evidence: makeEvidence({ pod: makePod({ status: { phase: 'Pending' } }) }), status: 'fail', cause: 'pod-not-running', summary: 'phase Pending' },
    { name: 'postStart hook named', evidence: makeEvidence({ pod: withHook }), status: 'fail', cause: 'pod-not-running', summary: 'postStart hook' },
    {
      name: 'crash loop defers to SVID causes',
      evidence: makeEvidence({
        pod: makePod({ status: { phase: 'Running', containerStatuses: [{ name: 'web', ready: false, restartCount: 6, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } }] } }),
      }),
      status: 'fail',
      cause: 'pod-not-running',
    },
    {
      name: 'started false but running passes',
      evidence: makeEvidence({ pod: makePod({ status: { phase: 'Running', containerStatuses: [{ name: 'web', ready: false, started: false, state: { running: { startedAt: '2024-05-14T09:50:00Z' } } }] } }) }),
      status: 'pass',
    },
  ];

  it.each(cases)('$name', (testCase) => {
    expectCase(runCheck(podRunningCheck, testCase.evidence), testCase);
  });

  it('lets a crash loop be explained', () => {
    const pod = makePod({ status: { phase: 'Running', containerStatuses: [{ name: 'web', ready: false, restartCount: 6, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } });

    expect(runCheck(podRunningCheck, makeEvidence({ pod })).explainedBy).toContain('entry-exists');
  });

  it('keeps a pending pod unexplained', () => {
    expect(runCheck(podRunningCheck, makeEvidence({ pod: makePod({ status: { phase: 'Pending' } }) })).explainedBy).toBeUndefined();
  });
});

describe('server-available', () => {
  const datastoreError = (time: string) =>
    logLine(time, 'error', 'Could not generate TLS config for gRPC client', { address: '10.47.0.21:51844', error: 'get bundle from datastore: datastore-sql: pq: cannot set transaction read-write mode during recovery', subsystem_name: 'endpoints' });
  const cases: readonly WorkloadCase[] = [
    { name: 'clean server log passes', evidence: makeEvidence({ serverLogs: [logLine('2024-05-14T09:00:00Z', 'info', 'Starting Server APIs', { address: '[::]:8081', network: 'tcp' })] }), status: 'pass' },
    {
      name: 'read-only datastore fails',
      evidence: makeEvidence({ serverLogs: [datastoreError('2024-05-14T09:58:00Z'), datastoreError('2024-05-14T09:59:00Z')] }),
      status: 'fail',
      cause: 'server-unavailable',
      summary: 'read-write mode during recovery',
    },
    {
      name: 'federation refresh errors are not outages',
      evidence: makeEvidence({ serverLogs: [logLine('2024-05-14T09:58:00Z', 'error', 'Error updating bundle', { error: "can't perform SPIFFE Authentication: local copy of bundle not found", subsystem_name: 'bundle_client', trust_domain: 'east.example' })] }),
      status: 'pass',
    },
  ];

  it.each(cases)('$name', (testCase) => {
    expectCase(runCheck(serverAvailableCheck, testCase.evidence), testCase);
  });

  it.each([
    { name: 'crash-looping server pod', evidence: makeEvidence({ serverPods: [makeAgentPod({ status: { phase: 'Running', containerStatuses: [{ name: 'spire-server', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } })] }), status: 'fail' },
    { name: 'gatherer saw server down', evidence: makeEvidence({ gatherErrors: { serverLogs: 'container spire-server in pod spire/spire-server-0 is not running (CrashLoopBackOff)' } }), status: 'fail' },
    { name: 'nothing about the server', evidence: makeEvidence(), status: 'skipped' },
  ] as const)('$name without logs', ({ evidence, status }) => {
    const finding = runCheck(serverAvailableCheck, evidence);

    expect(finding.status).toBe(status);
    if (status === 'fail') {
      expect(finding.cause).toBe('server-unavailable');
    }
  });
});

describe('workload-attested', () => {
  const noIdentity = (pid: string, method = 'FetchX509SVID') => logLine('2024-05-14T09:58:19Z', 'error', 'No identity issued', { method, pid, registered: 'false', service: 'WorkloadAPI', subsystem_name: 'endpoints' });
  const unixOnly = logLine('2024-05-14T09:58:19Z', 'debug', 'PID attested to have selectors', { pid: '2639581', selectors: loggedSelectors(['unix:uid:0', 'unix:gid:0']) });
  const kubeletRefused = logLine('2024-05-14T09:58:19Z', 'error', 'Failed to collect all selectors for PID', {
    error: 'workload attestor "k8s" failed: rpc error: code = Internal desc = workloadattestor(k8s): unable to perform request: Get "https://127.0.0.1:10250/pods": dial tcp 127.0.0.1:10250: connect: connection refused',
    pid: '2639581',
  });
  const cases: readonly WorkloadCase[] = [
    { name: 'attested with k8s selectors passes', evidence: makeEvidence(), status: 'pass' },
    {
      name: 'health-check noise beside a good workload',
      evidence: makeEvidence({ agentLogs: [noIdentity('4412', 'FetchX509Bundles'), ...(makeEvidence().agentLogs as string[]), noIdentity('4412', 'FetchX509Bundles')] }),
      status: 'pass',
    },
    { name: 'kubelet unreachable', evidence: makeEvidence({ agentLogs: [kubeletRefused, unixOnly, noIdentity('2639581')] }), status: 'fail', cause: 'workload-attestation-failed', summary: 'cannot reach the kubelet' },
    {
      name: 'kubelet refuses the agent',
      evidence: makeEvidence({
        agentLogs: [
          logLine('2024-05-14T09:58:19Z', 'error', 'workload attestor "k8s" failed', { error: 'rpc error: code = Unavailable desc = unexpected status code on pods response: 403 Forbidden (user=system:serviceaccount:spire:spire-agent, verb=get, resource=nodes, subresource=proxy)' }),
          unixOnly,
        ],
      }),
      status: 'fail',
      cause: 'workload-attestation-failed',
      summary: 'the kubelet rejects the agent (401/403)',
    },
    {
      name: 'kubelet certificate not trusted',
      evidence: makeEvidence({
        agentLogs: [
          logLine('2024-05-14T09:58:19Z', 'error', 'workload attestor "k8s" failed', {
            error: 'rpc error: code = Unavailable desc = unable to perform request: Get "https://10.1.2.3:10250/pods": tls: failed to verify certificate: x509: certificate signed by unknown authority',
          }),
          logLine('2024-05-14T09:58:19Z', 'error', 'Workload attestation failed', { error: 'rpc error: code = Unavailable desc = workload attestation failed', pid: '2639581' }),
          unixOnly,
        ],
      }),
      status: 'fail',
      cause: 'workload-attestation-failed',
      summary: 'rejects its serving certificate',
    },
    {
      name: 'kubelet client disabled',
      evidence: makeEvidence({
        agentLogs: [logLine('2024-05-14T09:58:19Z', 'error', 'workload attestor "k8s" failed', { error: 'rpc error: code = FailedPrecondition desc = kubelet client is disabled' }), unixOnly],
      }),
      status: 'fail',
      cause: 'workload-attestation-failed',
      summary: 'disable_kubelet_client = true',
    },
    {
      name: 'plugin error named over generic line',
      evidence: makeEvidence({
        agentLogs: [kubeletRefused, logLine('2024-05-14T09:58:19Z', 'error', 'Workload attestation failed', { error: 'rpc error: code = Unavailable desc = workload attestation failed', pid: '2639581' })],
      }),
      status: 'fail',
      cause: 'workload-attestation-failed',
      summary: 'cannot reach the kubelet',
    },
    { name: 'only unix selectors is evidence', evidence: makeEvidence({ agentLogs: [unixOnly, noIdentity('2639581')] }), status: 'fail', cause: 'workload-attestation-failed' },
    {
      name: 'missing hostPID named',
      evidence: makeEvidence({ agentLogs: [unixOnly], agentPods: [makeAgentPod({ hostPID: false })] }),
      status: 'fail',
      summary: 'hostPID',
    },
    {
      name: 'deadline exceeded means container not found',
      evidence: makeEvidence({ agentLogs: [], workloadFetch: { exitCode: 1, stderr: 'rpc error: code = DeadlineExceeded desc = context deadline exceeded' } }),
      status: 'fail',
      summary: 'never found the caller',
    },
    { name: 'no request reached the agent', evidence: makeEvidence({ agentLogs: [] }), status: 'skipped' },
    {
      name: 'sandboxed pod named',
      evidence: makeEvidence({
        pod: makePod({ runtimeClassName: 'gvisor' }),
        agentLogs: [logLine('2024-05-14T09:58:19Z', 'warning', 'Container id not found; giving up', { pod_uid: POD_UID, container_id: 'x' }), unixOnly],
      }),
      status: 'fail',
      summary: 'sandboxed runtime class gvisor',
    },
  ];

  it.each(cases)('$name', (testCase) => {
    expectCase(runCheck(workloadAttestedCheck, testCase.evidence), testCase);
  });
});
