/**
 * The agent checks: agent on the node, agent healthy, agent attested. Several cases
 * are ones where the naive reading is wrong, such as a green health check on an agent
 * whose own SVID has expired.
 */
import { describe, expect, it } from 'vitest';
import { agentAttestedCheck } from '../../src/checks/agent/agent-attested.js';
import { agentHealthyCheck } from '../../src/checks/agent/agent-healthy.js';
import { agentOnNodeCheck } from '../../src/checks/agent/agent-on-node.js';
import type { Finding } from '../../src/checks/types.js';
import type { Evidence } from '../../src/evidence/types.js';
import { NODE, logLine, makeAgent, makeAgentPod, makeEvidence } from './fixtures.js';
import { runCheck } from './run-check.js';

const CRASH_LOOP = {
  phase: 'Running',
  containerStatuses: [{ name: 'spire-agent', ready: false, restartCount: 14, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }],
};

function crashLine(error: string): string {
  return logLine('2024-05-14T09:59:00Z', 'error', 'Agent crashed', { error });
}

// Unix seconds of 2024-05-14T08:30:00Z, before every evidence time used below.
const EXPIRED_AT = 1715675400;

describe('agent-attested', () => {
  const cases: readonly { name: string; evidence: Evidence; status: Finding['status']; summary?: string; confidence?: string }[] = [
    { name: 'current SVID passes', evidence: makeEvidence(), status: 'pass' },
    {
      name: 'green health but expired SVID',
      evidence: makeEvidence({ agents: [makeAgent({ expiresAt: EXPIRED_AT })] }),
      status: 'fail',
      summary: 'holds an expired SVID',
      confidence: 'certain',
    },
    {
      name: 'expiry judged from log time',
      evidence: makeEvidence({ gatheredAt: undefined, agents: [makeAgent({ expiresAt: EXPIRED_AT })] }),
      status: 'fail',
      summary: 'minutes before the evidence was taken',
    },
    {
      name: 'no time leaves expiry unjudged',
      evidence: makeEvidence({ gatheredAt: undefined, agentLogs: ['not a log line'], agents: [makeAgent({ expiresAt: EXPIRED_AT })] }),
      status: 'pass',
      summary: 'its SVID expiry was not judged',
    },
    { name: 'banned agent', evidence: makeEvidence({ agents: [makeAgent({ banned: true })] }), status: 'fail', summary: 'is banned' },
    {
      name: 'stale bundle after CA rotation',
      evidence: makeEvidence({
        agentLogs: [crashLine('create attestation client: failed to dial dns:///spire-server.spire.svc:8081: context deadline exceeded: connection error: desc = "transport: authentication handshake failed: x509svid: could not verify leaf certificate: x509: certificate signed by unknown authority"')],
      }),
      status: 'fail',
      summary: 'predates a CA rotation',
    },
    {
      name: 'join token already used',
      evidence: makeEvidence({
        agentLogs: [crashLine('failed to get SVID: rpc error: code = InvalidArgument desc = failed to attest: join token does not exist or has already been used')],
      }),
      status: 'fail',
      summary: 'join token',
    },
    {
      name: 'sync rejected at handshake',
      evidence: makeEvidence({
        agentLogs: [logLine('2024-05-14T09:56:00Z', 'error', 'Synchronize failed', { error: 'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: remote error: tls: bad certificate"', subsystem_name: 'manager' })],
      }),
      status: 'fail',
      summary: "rejects the agent's own X509-SVID",
    },
    {
      name: 'stale record of re-created node',
      evidence: makeEvidence({ agents: [makeAgent({ path: '/spire/agent/k8s_psat/demo/old-node-uid', expiresAt: EXPIRED_AT }), makeAgent()] }),
      status: 'pass',
    },
    {
      name: 'node agent missing from agent list',
      evidence: makeEvidence({ agents: [makeAgent({ path: '/spire/agent/k8s_psat/demo/other', selectors: ['k8s_psat:agent_node_name:node-b'] })], agentLogs: [] }),
      status: 'fail',
      summary: 'has no agent for node node-a',
      confidence: 'likely',
    },
  ];

  it.each(cases)('$name', ({ evidence, status, summary, confidence }) => {
    const finding = runCheck(agentAttestedCheck, evidence);

    expect(finding.status).toBe(status);
    if (status === 'fail') {
      expect(finding.cause).toBe('agent-not-attested');
    }
    if (summary !== undefined) {
      expect(finding.summary).toContain(summary);
    }
    if (confidence !== undefined) {
      expect(finding.confidence).toBe(confidence);
    }
  });
});

describe('agent-attested fixes by version', () => {
  it.each([
    { version: '0.9.0', fix: 'keeps retrying with its expired SVID until restarted by hand' },
    { version: '1.9.6', fix: 'newer SPIRE agents re-attest on startup' },
  ])('$version', ({ version, fix }) => {
    const finding = runCheck(agentAttestedCheck, makeEvidence({ agents: [makeAgent({ expiresAt: EXPIRED_AT, version })] }));

    expect(finding.fix.join('\n')).toContain(fix);
  });

  it('names rebootstrap for old agents', () => {
    const evidence = makeEvidence({ agents: [makeAgent({ version: '1.8.2' })], agentLogs: [crashLine('x509: certificate signed by unknown authority')] });

    expect(runCheck(agentAttestedCheck, evidence).fix.join('\n')).toContain('predates rebootstrap_mode');
  });
});

describe('agent-healthy', () => {
  it('skips a host agent without a health check', () => {
    const evidence: Evidence = { process: { pid: 4242, uid: 1000 }, agentLogs: [], gatherErrors: { agentHealth: 'no spire-agent binary on PATH to run its health check' } };

    const finding = runCheck(agentHealthyCheck, evidence);

    expect(finding.status).toBe('skipped');
    expect(finding.summary).toContain('Could not tell whether the agent on this host runs: no spire-agent binary on PATH');
  });

  const cases: readonly { name: string; evidence: Evidence; status: Finding['status']; explainedBy?: readonly string[]; summary?: string }[] = [
    { name: 'running agent passes', evidence: makeEvidence(), status: 'pass' },
    {
      name: 'crash loop on unresolvable server',
      evidence: makeEvidence({
        agentPods: [makeAgentPod({ status: CRASH_LOOP })],
        agentLogs: [crashLine('create attestation client: failed to dial dns:///spire-server.spire-system.svc:8081: context deadline exceeded: last resolver error: dns: A record lookup error: lookup spire-server.spire-system.svc on 10.96.0.10:53: no such host')],
      }),
      status: 'fail',
      summary: 'no such host',
    },
    {
      name: 'crash from stale bundle defers',
      evidence: makeEvidence({ agentPods: [makeAgentPod({ status: CRASH_LOOP })], agentLogs: [crashLine('x509: certificate signed by unknown authority')] }),
      status: 'fail',
      explainedBy: ['agent-attested'],
    },
    {
      name: 'crash from server TLS error defers',
      evidence: makeEvidence({ agentPods: [makeAgentPod({ status: CRASH_LOOP })], agentLogs: [crashLine('transport: authentication handshake failed: remote error: tls: internal error')] }),
      status: 'fail',
      explainedBy: ['server-available'],
    },
    {
      name: 'crash on trust domain defers',
      evidence: makeEvidence({ agentPods: [makeAgentPod({ status: CRASH_LOOP })], agentLogs: [crashLine('failed to get SVID: unexpected trust domain in ID "spiffe://other.org/spire/server"')] }),
      status: 'fail',
      explainedBy: ['trust-domain-consistent'],
    },
    {
      name: 'pending agent pod',
      evidence: makeEvidence({ agentPods: [makeAgentPod({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', message: '0/3 nodes are available: insufficient cpu' }] } })] }),
      status: 'fail',
      summary: 'is Pending (0/3 nodes are available: insufficient cpu)',
    },
    {
      name: 'failing health check',
      evidence: makeEvidence({ agentLogs: [], agentHealth: { node: NODE, healthy: false, output: 'Agent is unhealthy: unable to determine health' } }),
      status: 'fail',
      summary: 'unable to determine health',
    },
    {
      name: 'health result from other node ignored',
      evidence: makeEvidence({ agentLogs: [], agentHealth: { node: 'node-z', healthy: false, output: 'Agent is unhealthy: agent returned status "NOT_SERVING"' } }),
      status: 'pass',
    },
    {
      name: 'terminating pod beside a ready one',
      evidence: makeEvidence({
        agentPods: [
          { ...makeAgentPod({ status: { phase: 'Running', containerStatuses: [{ name: 'spire-agent', ready: false, state: { terminated: { exitCode: 0 } } }] } }), metadata: { name: 'spire-agent-old', deletionTimestamp: '2024-05-14T09:59:00Z' } },
          makeAgentPod(),
        ],
      }),
      status: 'pass',
    },
    {
      name: 'failing check while serving SVIDs',
      evidence: makeEvidence({ agentHealth: { node: NODE, healthy: false, output: 'Agent is unhealthy: unable to determine health' } }),
      status: 'warn',
      summary: 'dialled another socket path',
    },
    {
      name: 'health-check log noise is harmless',
      evidence: makeEvidence({
        agentLogs: [logLine('2024-05-14T09:59:41Z', 'error', 'No identity issued', { method: 'FetchX509Bundles', pid: '4412', registered: 'false', service: 'WorkloadAPI', subsystem_name: 'endpoints' })],
      }),
      status: 'pass',
    },
  ];

  it.each(cases)('$name', ({ evidence, status, explainedBy, summary }) => {
    const finding = runCheck(agentHealthyCheck, evidence);

    expect(finding.status).toBe(status);
    if (status !== 'pass') {
      expect(finding.cause).toBe('agent-unhealthy');
      expect(finding.explainedBy).toEqual(explainedBy);
    }
    if (summary !== undefined) {
      expect(finding.summary).toContain(summary);
    }
  });
});

describe('agent-on-node', () => {
  const taintedNode = { metadata: { name: NODE, labels: {} }, spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } };
  const cases: readonly { name: string; evidence: Evidence; status: Finding['status']; summary?: string; fix?: string }[] = [
    { name: 'agent pod on node passes', evidence: makeEvidence(), status: 'pass' },
    {
      name: 'untolerated taint keeps agent off',
      evidence: makeEvidence({ node: taintedNode, agentPods: [makeAgentPod({ node: 'node-b' })] }),
      status: 'fail',
      summary: 'node taint dedicated=gpu:NoSchedule is not tolerated',
      fix: 'tolerations: [{key: dedicated, operator: Exists, effect: NoSchedule}]',
    },
    {
      name: 'tolerated taint is not blamed',
      evidence: makeEvidence({ node: taintedNode, agentPods: [makeAgentPod({ node: 'node-b', tolerations: [{ operator: 'Exists' }] })] }),
      status: 'fail',
      summary: 'No SPIRE agent pod runs on node node-a. Nothing',
    },
    { name: 'agent pods not gathered', evidence: makeEvidence({ agentPods: undefined }), status: 'skipped' },
    {
      name: 'agent pod cannot be scheduled',
      evidence: makeEvidence({
        agentPods: [
          {
            metadata: { name: 'spire-agent-pending' },
            spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [NODE] }] }] } } } },
            status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', message: '0/3 nodes are available: 1 Insufficient memory.' }] },
          },
        ],
      }),
      status: 'fail',
      summary: 'agent pod spire-agent-pending for this node is Pending: 0/3 nodes are available: 1 Insufficient memory.',
    },
    {
      name: 'gatherer found no agent pod',
      evidence: makeEvidence({ agentPods: undefined, gatherErrors: { agentHealth: `no spire-agent pod found on node ${NODE}` } }),
      status: 'fail',
      summary: 'No SPIRE agent pod runs on node node-a',
    },
  ];

  it.each(cases)('$name', ({ evidence, status, summary, fix }) => {
    const finding = runCheck(agentOnNodeCheck, evidence);

    expect(finding.status).toBe(status);
    if (status === 'fail') {
      expect(finding.cause).toBe('agent-not-on-node');
    }
    if (summary !== undefined) {
      expect(finding.summary).toContain(summary);
    }
    if (fix !== undefined) {
      expect(finding.fix.join('\n')).toContain(fix);
    }
  });
});
