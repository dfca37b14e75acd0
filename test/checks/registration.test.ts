/**
 * The registration checks: entry exists, selectors match, parent authorises the agent,
 * not expired, synced, unique, one trust domain. Includes the trap where every
 * selector matches but the entry's node alias excludes the agent.
 */
import { describe, expect, it } from 'vitest';
import { entryExistsCheck } from '../../src/checks/registration/entry-exists.js';
import { entryNotExpiredCheck } from '../../src/checks/registration/entry-not-expired.js';
import { entryParentAuthorizedCheck } from '../../src/checks/registration/entry-parent-authorized.js';
import { entrySelectorsMatchCheck } from '../../src/checks/registration/entry-selectors-match.js';
import { entrySyncedCheck } from '../../src/checks/registration/entry-synced.js';
import { entryUniqueCheck } from '../../src/checks/registration/entry-unique.js';
import { trustDomainConsistentCheck } from '../../src/checks/registration/trust-domain-consistent.js';
import type { Finding } from '../../src/checks/types.js';
import type { Evidence } from '../../src/evidence/types.js';
import { AGENT_ID_PATH, POD_UID, TRUST_DOMAIN, WORKLOAD_SELECTORS, logLine, loggedSelectors, makeAgent, makeEntry, makeEvidence, makePod } from './fixtures.js';
import { runCheck } from './run-check.js';

const ALIAS_PATH = '/ns/spire/sa/spire-agent';
const aliasEntry = (cluster: string) =>
  makeEntry({ id: 'alias', path: ALIAS_PATH, parentPath: '/spire/server', selectors: [`k8s_psat:cluster:${cluster}`, 'k8s_psat:agent_ns:spire'] });
const attestedLine = logLine('2024-05-14T09:55:12Z', 'debug', 'PID attested to have selectors', { pid: '48211', selectors: loggedSelectors(['k8s:ns:platform', 'k8s:sa:web', `k8s:pod-uid:${POD_UID}`]) });

interface CheckCase {
  readonly name: string;
  readonly evidence: Evidence;
  readonly status: Finding['status'];
  readonly cause?: Finding['cause'];
  readonly summary?: string;
}

function expectFinding(finding: Finding, expected: CheckCase): void {
  expect(finding.status).toBe(expected.status);
  if (expected.cause !== undefined) {
    expect(finding.cause).toBe(expected.cause);
  }
  if (expected.summary !== undefined) {
    expect(finding.summary).toContain(expected.summary);
  }
}

describe('entry-exists', () => {
  const cases: readonly CheckCase[] = [
    { name: 'matching entry passes', evidence: makeEvidence(), status: 'pass' },
    { name: 'near entry leaves it to selectors', evidence: makeEvidence({ pod: makePod({ namespace: 'platform' }), agentLogs: [] }), status: 'pass', summary: 'see entry-selectors-match' },
    {
      name: 'entry for another pod does not count',
      evidence: makeEvidence({ entries: [makeEntry({ selectors: ['k8s:sa:web', 'k8s:pod-uid:another-pod'] })] }),
      status: 'fail',
      cause: 'entry-missing',
    },
    {
      name: 'same namespace alone does not count',
      evidence: makeEvidence({ entries: [makeEntry({ path: '/ns/shop/sa/cart', selectors: ['k8s:ns:shop', 'k8s:sa:cart'] })] }),
      status: 'fail',
      cause: 'entry-missing',
      summary: 'No registration entry is meant for this workload',
    },
    { name: 'entries not gathered', evidence: makeEvidence({ entries: undefined }), status: 'skipped' },
  ];

  it.each(cases)('$name', (testCase) => {
    expectFinding(runCheck(entryExistsCheck, testCase.evidence), testCase);
  });
});

describe('entry-selectors-match', () => {
  const cases: readonly CheckCase[] = [
    { name: 'matching entry passes', evidence: makeEvidence(), status: 'pass' },
    {
      name: 'wrong namespace named exactly',
      evidence: makeEvidence({ pod: makePod({ namespace: 'platform' }), agentLogs: [attestedLine] }),
      status: 'fail',
      cause: 'selector-mismatch',
      summary: 'entry wants k8s:ns:shop, the workload has k8s:ns:platform',
    },
    {
      name: 'wrong service account named',
      evidence: makeEvidence({ pod: makePod({ serviceAccount: 'default' }), agentLogs: [] }),
      status: 'fail',
      cause: 'selector-mismatch',
      summary: 'entry wants k8s:sa:web, the workload has k8s:sa:default',
    },
    {
      name: 'missing label selector kind',
      evidence: makeEvidence({ entries: [makeEntry({ selectors: ['k8s:sa:web', 'k8s:pod-label:tier:front'] })] }),
      status: 'fail',
      cause: 'selector-mismatch',
      summary: 'the workload has no k8s:pod-label:tier selector',
    },
  ];

  it.each(cases)('$name', (testCase) => {
    expectFinding(runCheck(entrySelectorsMatchCheck, testCase.evidence), testCase);
  });

  it('is certain with attested selectors', () => {
    const finding = runCheck(entrySelectorsMatchCheck, makeEvidence({ pod: makePod({ namespace: 'platform' }), agentLogs: [attestedLine] }));

    expect(finding.confidence).toBe('certain');
  });

  it('keeps the entry fields in its update command', () => {
    const entry = { ...makeEntry(), dns_names: ['web.shop.svc'], jwt_svid_ttl: 600, admin: true, hint: 'external' };

    const finding = runCheck(entrySelectorsMatchCheck, makeEvidence({ pod: makePod({ namespace: 'platform' }), agentLogs: [attestedLine], entries: [entry] }));

    const update = finding.fix.find((line) => line.startsWith('spire-server entry update'));
    expect(update).toContain('-selector k8s:ns:platform');
    expect(update).toContain('-x509SVIDTTL 3600 -jwtSVIDTTL 600 -dns web.shop.svc -admin -hint external');
  });

  it('creates rather than updates when entries tie', () => {
    const staging = makeEntry({ id: 'entry-staging', path: '/ns/staging/sa/web', selectors: ['k8s:ns:staging', 'k8s:sa:web'] });
    const evidence = makeEvidence({ pod: makePod({ namespace: 'platform' }), agentLogs: [attestedLine], entries: [makeEntry(), staging] });

    const finding = runCheck(entrySelectorsMatchCheck, evidence);

    expect(finding.cause).toBe('selector-mismatch');
    expect(finding.summary).toContain('2 entries are equally near');
    expect(finding.fix.some((line) => line.startsWith('spire-server entry update'))).toBe(false);
    expect(finding.fix).toContain(`spire-server entry create -parentID spiffe://${TRUST_DOMAIN}${AGENT_ID_PATH} -spiffeID spiffe://${TRUST_DOMAIN}/ns/platform/sa/web -selector k8s:ns:platform -selector k8s:sa:web`);
  });
});

describe('entry-parent-authorized', () => {
  const aliasChild = makeEntry({ parentPath: ALIAS_PATH });
  const cases: readonly CheckCase[] = [
    { name: 'direct child passes', evidence: makeEvidence(), status: 'pass', summary: 'as a direct child of the agent' },
    { name: 'alias member passes', evidence: makeEvidence({ entries: [aliasEntry('demo'), aliasChild] }), status: 'pass', summary: 'through node alias' },
    {
      name: 'selectors match but alias excludes agent',
      evidence: makeEvidence({ entries: [aliasEntry('example-cluster'), aliasChild] }),
      status: 'fail',
      cause: 'parent-id-mismatch',
      summary: 'matches the workload, but the server never sends it',
    },
    {
      name: 'parented to another agent',
      evidence: makeEvidence({ entries: [makeEntry({ parentPath: '/spire/agent/k8s_psat/demo/other-node' })] }),
      status: 'fail',
      cause: 'parent-id-mismatch',
    },
    { name: 'no matching entry', evidence: makeEvidence({ entries: [] }), status: 'skipped' },
  ];

  it.each(cases)('$name', (testCase) => {
    expectFinding(runCheck(entryParentAuthorizedCheck, testCase.evidence), testCase);
  });

  it('proposes the agent selector', () => {
    const finding = runCheck(entryParentAuthorizedCheck, makeEvidence({ entries: [aliasEntry('example-cluster'), aliasChild] }));

    expect(finding.fix[0]).toContain('-selector k8s_psat:cluster:demo');
    expect(finding.evidence).toContain('alias needs: k8s_psat:cluster:example-cluster');
  });
});

describe('entry-not-expired', () => {
  const cases: readonly CheckCase[] = [
    { name: 'entry without expiry passes', evidence: makeEvidence(), status: 'pass' },
    { name: 'expired entry fails', evidence: makeEvidence({ entries: [makeEntry({ expiresAt: 1715600000 })] }), status: 'fail', cause: 'entry-expired' },
    { name: 'future expiry passes', evidence: makeEvidence({ entries: [makeEntry({ expiresAt: 1815600000 })] }), status: 'pass' },
  ];

  it.each(cases)('$name', (testCase) => {
    expectFinding(runCheck(entryNotExpiredCheck, testCase.evidence), testCase);
  });
});

describe('entry-synced', () => {
  const otherEntryLine = logLine('2024-05-14T09:00:00Z', 'debug', 'Entry created', { entry: 'entry-other', spiffe_id: 'spiffe://example.org/ns/shop/sa/other' });
  const noIdentityLine = (time: string) => logLine(time, 'error', 'No identity issued', { method: 'FetchX509SVID', pid: '48211', registered: 'false' });
  const workloadAttested = (time: string) => logLine(time, 'debug', 'PID attested to have selectors', { pid: '48211', selectors: loggedSelectors(WORKLOAD_SELECTORS) });
  // 2024-05-14T09:20:00Z: after the first log line, long before the last.
  const createdInWindow = makeEntry({ createdAt: 1715678400 });

  const cases: readonly CheckCase[] = [
    { name: 'entry seen in log passes', evidence: makeEvidence(), status: 'pass' },
    {
      name: 'entry never arrives',
      evidence: makeEvidence({ entries: [createdInWindow], agentLogs: [otherEntryLine, workloadAttested('2024-05-14T09:55:00Z'), noIdentityLine('2024-05-14T09:55:00Z')] }),
      status: 'fail',
      cause: 'entry-not-synced',
      summary: 'has no "Entry created" for it',
    },
    {
      name: 'log starts after creation',
      evidence: makeEvidence({ entries: [makeEntry({ createdAt: 1715500000 })], agentLogs: [otherEntryLine, noIdentityLine('2024-05-14T09:55:00Z')] }),
      status: 'skipped',
    },
    {
      name: 'info-level log cannot judge',
      evidence: makeEvidence({ entries: [createdInWindow], agentLogs: [logLine('2024-05-14T09:00:00Z', 'info', 'Starting agent'), noIdentityLine('2024-05-14T09:55:00Z')] }),
      status: 'skipped',
    },
  ];

  it.each(cases)('$name', (testCase) => {
    expectFinding(runCheck(entrySyncedCheck, testCase.evidence), testCase);
  });
});

describe('entry-unique', () => {
  it.each([
    { name: 'one identity passes', entries: [makeEntry()], status: 'pass' },
    { name: 'two identities warn', entries: [makeEntry(), makeEntry({ id: 'entry-2', path: '/ns/shop/sa/admin' })], status: 'warn' },
  ] as const)('$name', ({ entries, status }) => {
    const finding = runCheck(entryUniqueCheck, makeEvidence({ entries: [...entries] }));

    expect(finding.status).toBe(status);
  });
});

describe('trust-domain-consistent', () => {
  const cases: readonly CheckCase[] = [
    { name: 'one trust domain passes', evidence: makeEvidence(), status: 'pass' },
    {
      name: 'entry in other trust domain',
      evidence: makeEvidence({ entries: [makeEntry({ trustDomain: 'other.org' })], agents: [makeAgent()] }),
      status: 'fail',
      cause: 'trust-domain-mismatch',
      summary: 'names other.org',
    },
    {
      name: 'agent and server disagree',
      evidence: makeEvidence({ agentConfig: 'agent {\n  trust_domain = "b.org"\n}', serverConfig: 'server {\n  trust_domain = "example.org"\n}' }),
      status: 'fail',
      cause: 'trust-domain-mismatch',
    },
  ];

  it.each(cases)('$name', (testCase) => {
    expectFinding(runCheck(trustDomainConsistentCheck, testCase.evidence), testCase);
  });
});
