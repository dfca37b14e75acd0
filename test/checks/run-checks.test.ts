/**
 * The check runner: skips for missing evidence (naming the field and how to gather
 * it), skips after a failed dependency, orders by dependencies, and resolves "now".
 */
import { describe, expect, it } from 'vitest';
import { createCheckContext, orderByDependencies, runChecks } from '../../src/checks/run-checks.js';
import type { Check } from '../../src/checks/types.js';
import { logLine, makeEvidence } from './fixtures.js';

function fakeCheck(id: string, overrides: Partial<Check> = {}, status: 'pass' | 'fail' = 'pass'): Check {
  return {
    id,
    category: 'workload',
    title: id,
    severity: 'error',
    requires: [],
    run: () => [{ checkId: id, status, cause: status === 'fail' ? 'pod-not-found' : null, confidence: 'certain', summary: id, evidence: [], fix: [] }],
    ...overrides,
  };
}

describe('runChecks', () => {
  it('skips for a missing field', () => {
    const [finding] = runChecks(makeEvidence(), [fakeCheck('needs-logs', { requires: ['serverLogs'] })]);

    expect(finding?.status).toBe('skipped');
    expect(finding?.summary).toBe('Could not run: evidence field "serverLogs" was not gathered.');
    expect(finding?.fix).toEqual(['Add "serverLogs" to the evidence: kubectl logs of the SPIRE server pod.']);
  });

  it('quotes the gather error', () => {
    const [finding] = runChecks(makeEvidence({ gatherErrors: { serverLogs: 'forbidden' } }), [fakeCheck('needs-logs', { requires: ['serverLogs'] })]);

    expect(finding?.summary).toBe('Could not run: evidence field "serverLogs" could not be gathered: forbidden.');
  });

  it('skips when no alternative is present', () => {
    const [finding] = runChecks({}, [fakeCheck('any-of', { requiresAnyOf: ['agentLogs', 'workloadFetch'] })]);

    expect(finding?.status).toBe('skipped');
    expect(finding?.summary).toContain('"agentLogs", "workloadFetch"');
  });

  it('skips after a failed dependency', () => {
    const findings = runChecks({}, [fakeCheck('second', { dependsOn: ['first'] }), fakeCheck('first', {}, 'fail')]);

    expect(findings.map((finding) => finding.checkId)).toEqual(['first', 'second']);
    expect(findings[1]?.status).toBe('skipped');
    expect(findings[1]?.summary).toBe('Skipped because check "first" failed.');
  });

  it('runs after a passed dependency', () => {
    const findings = runChecks({}, [fakeCheck('second', { dependsOn: ['first'] }), fakeCheck('first')]);

    expect(findings[1]?.status).toBe('pass');
  });
});

describe('orderByDependencies', () => {
  it('keeps order without dependencies', () => {
    expect(orderByDependencies([fakeCheck('b'), fakeCheck('a')]).map((check) => check.id)).toEqual(['b', 'a']);
  });

  it('survives a dependency cycle', () => {
    const ordered = orderByDependencies([fakeCheck('a', { dependsOn: ['b'] }), fakeCheck('b', { dependsOn: ['a'] })]);

    expect(ordered.map((check) => check.id).sort()).toEqual(['a', 'b']);
  });
});

describe('createCheckContext', () => {
  it('uses gatheredAt as now', () => {
    const context = createCheckContext(makeEvidence({ gatheredAt: '2024-05-14T10:00:00Z' }));

    expect(context.now?.toISOString()).toBe('2024-05-14T10:00:00.000Z');
    expect(context.nowSource).toBe('gatheredAt');
  });

  it('falls back to the newest log time', () => {
    const context = createCheckContext({ agentLogs: [logLine('2024-05-14T09:00:00Z', 'info', 'a'), logLine('2024-05-14T09:30:00Z', 'info', 'b')], serverLogs: [logLine('2024-05-14T09:10:00Z', 'info', 'c')] });

    expect(context.now?.toISOString()).toBe('2024-05-14T09:30:00.000Z');
    expect(context.nowSource).toBe('logs');
  });

  it('leaves now undefined without times', () => {
    const context = createCheckContext({ agentLogs: ['not a log line'] });

    expect(context.now).toBeUndefined();
    expect(context.nowSource).toBeUndefined();
  });
});
