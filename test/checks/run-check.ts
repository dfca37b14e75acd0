/**
 * Runs one check against evidence and returns its single finding, for table tests.
 */
import { createCheckContext } from '../../src/checks/run-checks.js';
import type { Check, Finding } from '../../src/checks/types.js';
import type { Evidence } from '../../src/evidence/types.js';

/** Runs `check` and returns its first finding; throws when it returns none. */
export function runCheck(check: Check, evidence: Evidence): Finding {
  const [finding] = check.run(createCheckContext(evidence));
  if (finding === undefined) {
    throw new Error(`${check.id} returned no finding`);
  }
  return finding;
}
