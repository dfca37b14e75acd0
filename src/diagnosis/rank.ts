/**
 * Orders findings so the root cause comes first. Failing findings are ordered by
 * causal layer (`CAUSES` order: a server that cannot sign explains an agent that
 * cannot attest, which explains a workload without an SVID), then by confidence.
 * A finding that names, in `explainedBy`, a check that also failed is not a root
 * cause: it follows from that check. Every other failure is marked as a consequence
 * of the root cause, so a selector mismatch is not blamed while the agent is down.
 */
import type { Confidence, Finding } from '../checks/types.js';
import { causalRank, type Cause } from './causes.js';
import type { FindingStatus } from './types.js';

export interface RankedFinding {
  readonly finding: Finding;
  /** The check id this finding follows from, or null for the root cause and for passes and skips. */
  readonly consequenceOf: string | null;
}

export interface Ranking {
  /** The root cause finding, or undefined when no check failed with a cause. */
  readonly root: Finding | undefined;
  /** Every finding: the root cause first, then failures, warnings, errors, passes and skips. */
  readonly ordered: readonly RankedFinding[];
}

const CONFIDENCE_ORDER: Readonly<Record<Confidence, number>> = { certain: 0, likely: 1, possible: 2 };
const STATUS_ORDER: Readonly<Record<FindingStatus, number>> = { fail: 0, warn: 1, error: 2, pass: 3, skipped: 4 };

function compareFindings(a: Finding, b: Finding): number {
  return (
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    causalRank(a.cause ?? 'unknown') - causalRank(b.cause ?? 'unknown') ||
    CONFIDENCE_ORDER[a.confidence] - CONFIDENCE_ORDER[b.confidence]
  );
}

export interface RankOptions {
  /** Causes that may be the root; all by default. Other failures stay in the list but are never root. */
  readonly rootCauses?: ReadonlySet<Cause>;
}

/**
 * Ranks findings and picks the root cause: the first failing finding, in causal
 * order, that no other failing check explains. When every candidate is explained by
 * another (a cycle), the first in causal order is taken.
 */
export function rankFindings(findings: readonly Finding[], options: RankOptions = {}): Ranking {
  const failedChecks = new Set(findings.filter((finding) => finding.status === 'fail').map((finding) => finding.checkId));
  const explainerOf = (finding: Finding): string | undefined =>
    finding.explainedBy?.find((id) => id !== finding.checkId && failedChecks.has(id));

  // Array.prototype.sort is stable, so equal findings keep registry order.
  const sorted = [...findings].sort(compareFindings);
  const isRootCandidate = (finding: Finding): boolean =>
    finding.status === 'fail' && finding.cause !== null && (options.rootCauses === undefined || options.rootCauses.has(finding.cause));
  const candidates = sorted.filter(isRootCandidate);
  const root = candidates.find((finding) => explainerOf(finding) === undefined) ?? candidates[0];

  const consequenceOf = (finding: Finding): string | null => {
    if (finding === root || finding.status === 'pass' || finding.status === 'skipped') {
      return null;
    }
    const explainer = explainerOf(finding);
    if (explainer !== undefined) {
      return explainer;
    }
    return finding.status === 'fail' && root !== undefined ? root.checkId : null;
  };

  const ordered = root === undefined ? sorted : [root, ...sorted.filter((finding) => finding !== root)];
  return { root, ordered: ordered.map((finding) => ({ finding, consequenceOf: consequenceOf(finding) })) };
}
