/**
 * Replays every variant folder in this directory (evidence.json plus expected.json)
 * through `diagnose` and judges it like the real-world cases. The root cause must equal
 * `cause`, where "none" means verdict svid-ok, no cause in `mustNotBlame` may rank
 * first, and the verdict must be the one the diagnosis contract gives for the outcome.
 * The variants change names, formats, versions and the flavour of each failure kind,
 * so a pass means the diagnosis covers the kind rather than one evidence file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CAUSES } from '../../src/diagnosis/causes.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { Diagnosis } from '../../src/diagnosis/types.js';
import type { Evidence } from '../../src/evidence/types.js';

interface ExpectedOutcome {
  readonly id: string;
  /** The shared case this varies, or "new" for a cause no shared case covers. */
  readonly variantOf: string;
  readonly cause: string;
  /** The verdict the contract gives for this outcome: no-svid, svid-problem, svid-ok or unknown. */
  readonly verdict: string;
  readonly detail: string;
  readonly explanation: string;
  readonly mustNotBlame: readonly string[];
}

const casesRoot = path.dirname(fileURLToPath(import.meta.url));

const variants = readdirSync(casesRoot, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => {
    const folder = path.join(casesRoot, entry.name);
    return {
      name: entry.name,
      evidence: JSON.parse(readFileSync(path.join(folder, 'evidence.json'), 'utf8')) as Evidence,
      expected: JSON.parse(readFileSync(path.join(folder, 'expected.json'), 'utf8')) as ExpectedOutcome,
    };
  });

const knownCauses: readonly string[] = [...CAUSES, 'none'];

/** Names the concluded cause: "none" for a working SVID, else the root cause or the bare verdict. */
function concludedCause(diagnosis: Diagnosis): string {
  if (diagnosis.verdict === 'svid-ok' && diagnosis.rootCause === null) {
    return 'none';
  }
  return diagnosis.rootCause?.cause ?? `verdict ${diagnosis.verdict} without a root cause`;
}

/** Lists the causes blamed first: the root cause, and the first finding when it failed. */
function causesBlamedFirst(diagnosis: Diagnosis): string[] {
  const first = diagnosis.findings[0];
  const blamed = diagnosis.rootCause === null ? [] : [diagnosis.rootCause.cause];
  if (first?.status === 'fail' && first.cause !== null) {
    blamed.push(first.cause);
  }
  return blamed;
}

describe('case variants', () => {
  it('finds the variant folders', () => {
    expect(variants.length).toBeGreaterThanOrEqual(25);
  });

  it.each(variants)('$name expectation uses the cause vocabulary', ({ name, expected }) => {
    expect(expected.id).toBe(name);
    expect(knownCauses).toContain(expected.cause);
    expect(expected.mustNotBlame).not.toContain(expected.cause);
    for (const decoy of expected.mustNotBlame) {
      expect(CAUSES).toContain(decoy);
    }
  });

  it.each(variants)('$name root cause', ({ evidence, expected }) => {
    const diagnosis = diagnose(evidence, { toolVersion: 'test' });

    expect(concludedCause(diagnosis)).toBe(expected.cause);
  });

  it.each(variants)('$name verdict', ({ evidence, expected }) => {
    const diagnosis = diagnose(evidence, { toolVersion: 'test' });

    expect(diagnosis.verdict).toBe(expected.verdict);
  });

  it.each(variants)('$name blames no decoy first', ({ evidence, expected }) => {
    const diagnosis = diagnose(evidence, { toolVersion: 'test' });

    for (const blamed of causesBlamedFirst(diagnosis)) {
      expect(expected.mustNotBlame).not.toContain(blamed);
    }
  });
});
