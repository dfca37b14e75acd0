/**
 * Replays every real-world case folder (evidence.json plus expected.json) through
 * `diagnose` and checks the root cause and that no cause a naive reading would pick
 * ranks first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { Evidence } from '../../src/evidence/types.js';

interface ExpectedOutcome {
  readonly id: string;
  readonly cause: string;
  readonly mustNotBlame: readonly string[];
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const casesRoot = path.resolve(repoRoot, '..', 'shared', 'cases');

const cases = readdirSync(casesRoot, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => {
    const folder = path.join(casesRoot, entry.name);
    return {
      name: entry.name,
      evidence: JSON.parse(readFileSync(path.join(folder, 'evidence.json'), 'utf8')) as Evidence,
      expected: JSON.parse(readFileSync(path.join(folder, 'expected.json'), 'utf8')) as ExpectedOutcome,
    };
  });

describe('real-world cases', () => {
  it('finds every case folder', () => {
    expect(cases.length).toBeGreaterThanOrEqual(16);
  });

  it.each(cases)('$name root cause', ({ evidence, expected }) => {
    const diagnosis = diagnose(evidence, { toolVersion: 'test' });

    if (expected.cause === 'none') {
      expect(diagnosis.verdict).toBe('svid-ok');
      expect(diagnosis.rootCause).toBeNull();
    } else {
      expect(diagnosis.rootCause?.cause).toBe(expected.cause);
    }
  });

  it.each(cases)('$name blames no decoy first', ({ evidence, expected }) => {
    const diagnosis = diagnose(evidence, { toolVersion: 'test' });
    const first = diagnosis.findings[0];

    expect(expected.mustNotBlame).not.toContain(diagnosis.rootCause?.cause);
    expect(first?.status === 'fail' ? expected.mustNotBlame : []).not.toContain(first?.cause);
  });
});
