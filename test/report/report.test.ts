import { describe, expect, it } from 'vitest';
import { renderDiagnosis, renderMarkdown, renderTerminal, shouldUseColor, stripControlSequences } from '../../src/report/index.js';
import type { Diagnosis } from '../../src/diagnosis/types.js';
import { selectorMismatchDiagnosis } from './fixtures.js';

const ESCAPE = '\u001b';

describe('renderTerminal', () => {
  it('prints root cause, evidence, fix and problems as plain text', () => {
    const output = renderTerminal(selectorMismatchDiagnosis, { color: false, width: 100 });

    expect(output).not.toContain(ESCAPE);
    expect(output).toMatchInlineSnapshot(`
      "spiffe-doctor diagnosis for pod platform/web-7c9d8b6f5-q2x7k on node node-a
      Verdict: NO SVID

      Root cause: selector-mismatch (check entry-selectors-match)
        Entry spiffe://example.org/ns/shop/sa/web wants k8s:ns:shop, but the pod runs in namespace platform.

      Evidence:
        - entry selector k8s:ns:shop; pod has k8s:ns:platform

      Fix:
        kubectl -n shop apply -f web.yaml

      More: spiffe-doctor explain entry-selectors-match

      Findings:
      ┌─────────┬──────────────────────────────┬────────────────────────────────────────────────────────┐
      │ status  │ check                        │ summary                                                │
      ├─────────┼──────────────────────────────┼────────────────────────────────────────────────────────┤
      │ fail    │ entry-selectors-match        │ Entry spiffe://example.org/ns/shop/sa/web wants        │
      │         │                              │ k8s:ns:shop, but the pod runs in namespace platform.   │
      │ fail    │ workload-fetch-succeeds      │ spire-agent api fetch failed: PermissionDenied no      │
      │         │                              │ identity issued (follows from entry-selectors-match)   │
      └─────────┴──────────────────────────────┴────────────────────────────────────────────────────────┘
      1 more finding(s) passed or were skipped; use --verbose to list them.

      Not gathered:
        - serverLogs: forbidden: grant pods/log in namespace spire
      "
    `);
  });

  it('adds escape codes only with colour on', () => {
    const output = renderTerminal(selectorMismatchDiagnosis, { color: true });

    expect(output).toContain(ESCAPE);
  });

  it('strips escape sequences carried by untrusted text', () => {
    const hostile: Diagnosis = {
      ...selectorMismatchDiagnosis,
      target: { namespace: 'shop', pod: `web${ESCAPE}]0;owned\u0007` },
      gatherErrors: { agentLogs: `${ESCAPE}[2Jcleared` },
    };

    const output = renderTerminal(hostile, { color: false });

    expect(output).not.toContain(ESCAPE);
    expect(output).toContain('diagnosis for pod shop/web\n');
    expect(output).toContain('agentLogs: cleared');
  });

  it('says the workload is fine when verdict is svid-ok', () => {
    const healthy: Diagnosis = { ...selectorMismatchDiagnosis, verdict: 'svid-ok', rootCause: null, findings: [], gatherErrors: {} };

    const output = renderTerminal(healthy, { color: false });

    expect(output).toContain('Verdict: SVID OK');
    expect(output).toContain('The workload gets its SVID.');
  });
});

describe('renderMarkdown', () => {
  it('lists every finding in a table and the fix in a code block', () => {
    const output = renderMarkdown(selectorMismatchDiagnosis);

    expect(output).toContain('| fail | `entry-selectors-match` | `selector-mismatch` |');
    expect(output).toContain('| pass | `agent-on-node` |');
    expect(output).toContain('## Fix\n\n```\nkubectl -n shop apply -f web.yaml\n```');
    expect(output).toContain('- `serverLogs`: forbidden: grant pods/log in namespace spire');
  });

  it('escapes table separators in summaries', () => {
    const piped: Diagnosis = {
      ...selectorMismatchDiagnosis,
      findings: [{ ...selectorMismatchDiagnosis.findings[0]!, summary: 'a | b' }],
    };

    expect(renderMarkdown(piped)).toContain('a \\| b');
  });
});

describe('renderDiagnosis json', () => {
  it('prints the diagnosis object unchanged', () => {
    const output = renderDiagnosis(selectorMismatchDiagnosis, 'json', { color: false });

    expect(JSON.parse(output)).toEqual(selectorMismatchDiagnosis);
  });
});

describe('shouldUseColor', () => {
  it.each([
    { name: 'terminal', tty: true, env: {}, expected: true },
    { name: 'pipe', tty: false, env: {}, expected: false },
    { name: 'NO_COLOR on a terminal', tty: true, env: { NO_COLOR: '1' }, expected: false },
    { name: 'dumb terminal', tty: true, env: { TERM: 'dumb' }, expected: false },
  ])('$name', ({ tty, env, expected }) => {
    expect(shouldUseColor({ isTTY: tty }, env)).toBe(expected);
  });
});

describe('stripControlSequences', () => {
  it.each([
    { name: 'CSI colour', input: `${ESCAPE}[31mred${ESCAPE}[0m`, expected: 'red' },
    { name: 'OSC title', input: `${ESCAPE}]0;title\u0007text`, expected: 'text' },
    { name: 'C1 CSI', input: '\u009b2Jtext', expected: 'text' },
    { name: 'bell and backspace', input: 'a\u0007b\u0008c', expected: 'abc' },
    { name: 'tabs and newlines kept', input: 'a\tb\nc', expected: 'a\tb\nc' },
  ])('$name', ({ input, expected }) => {
    expect(stripControlSequences(input)).toBe(expected);
  });
});
