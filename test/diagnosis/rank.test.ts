/**
 * Ranking: the root cause is the first failure in causal order that no other failing
 * check explains; every other failure is marked as its consequence.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/checks/types.js';
import type { Cause } from '../../src/diagnosis/causes.js';
import { rankFindings } from '../../src/diagnosis/rank.js';

function finding(checkId: string, status: Finding['status'], cause: Cause | null, extra: Partial<Finding> = {}): Finding {
  return { checkId, status, cause, confidence: 'certain', summary: checkId, evidence: [], fix: [], ...extra };
}

interface RankCase {
  readonly name: string;
  readonly findings: readonly Finding[];
  readonly root: string | undefined;
  readonly consequences: Readonly<Record<string, string | null>>;
}

const cases: readonly RankCase[] = [
  {
    name: 'causal layer beats registry order',
    findings: [finding('entry-selectors-match', 'fail', 'selector-mismatch'), finding('agent-healthy', 'fail', 'agent-unhealthy')],
    root: 'agent-healthy',
    consequences: { 'entry-selectors-match': 'agent-healthy', 'agent-healthy': null },
  },
  {
    name: 'explained failure yields to its explainer',
    findings: [finding('agent-healthy', 'fail', 'agent-unhealthy', { explainedBy: ['agent-attested'] }), finding('agent-attested', 'fail', 'agent-not-attested')],
    root: 'agent-attested',
    consequences: { 'agent-healthy': 'agent-attested', 'agent-attested': null },
  },
  {
    name: 'explainer that passed is ignored',
    findings: [finding('agent-healthy', 'fail', 'agent-unhealthy', { explainedBy: ['server-available'] }), finding('server-available', 'pass', null)],
    root: 'agent-healthy',
    consequences: { 'agent-healthy': null, 'server-available': null },
  },
  {
    name: 'registrar explains a missing entry',
    findings: [finding('entry-exists', 'fail', 'entry-missing', { explainedBy: ['registrar-selects-pod'] }), finding('registrar-selects-pod', 'fail', 'registrar-mismatch')],
    root: 'registrar-selects-pod',
    consequences: { 'entry-exists': 'registrar-selects-pod' },
  },
  {
    name: 'certain beats likely in one layer',
    findings: [finding('a-check', 'fail', 'entry-missing', { confidence: 'likely' }), finding('b-check', 'fail', 'entry-missing')],
    root: 'b-check',
    consequences: { 'a-check': 'b-check' },
  },
  {
    name: 'symptom without cause is never root',
    findings: [finding('workload-fetch-succeeds', 'fail', null), finding('socket-mounted', 'fail', 'socket-not-mounted')],
    root: 'socket-mounted',
    consequences: { 'workload-fetch-succeeds': 'socket-mounted' },
  },
  {
    name: 'warnings never become root',
    findings: [finding('entry-unique', 'warn', 'wrong-identity'), finding('pod-found', 'pass', null)],
    root: undefined,
    consequences: { 'entry-unique': null, 'pod-found': null },
  },
  {
    name: 'explanation cycle falls back to causal order',
    findings: [finding('x', 'fail', 'agent-unhealthy', { explainedBy: ['y'] }), finding('y', 'fail', 'agent-not-attested', { explainedBy: ['x'] })],
    root: 'x',
    consequences: { y: 'x' },
  },
];

describe('rankFindings', () => {
  it.each(cases)('$name', ({ findings, root, consequences }) => {
    const ranking = rankFindings(findings);

    expect(ranking.root?.checkId).toBe(root);
    if (root !== undefined) {
      expect(ranking.ordered[0]?.finding.checkId).toBe(root);
    }
    for (const [checkId, expected] of Object.entries(consequences)) {
      expect(ranking.ordered.find((item) => item.finding.checkId === checkId)?.consequenceOf, checkId).toBe(expected);
    }
  });

  it('restricts root causes when asked', () => {
    const findings = [finding('entry-exists', 'fail', 'entry-missing'), finding('svid-identity-expected', 'fail', 'wrong-identity')];
    const ranking = rankFindings(findings, { rootCauses: new Set(['wrong-identity']) });

    expect(ranking.root?.checkId).toBe('svid-identity-expected');
    expect(ranking.ordered.find((item) => item.finding.checkId === 'entry-exists')?.consequenceOf).toBe('svid-identity-expected');
  });

  it('keeps every finding', () => {
    const findings = cases.flatMap((rankCase) => rankCase.findings);

    expect(rankFindings(findings).ordered).toHaveLength(findings.length);
  });
});
