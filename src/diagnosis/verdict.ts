/**
 * The verdict of a diagnosis: whether the workload gets no SVID, gets one that does
 * not work for it, gets a working one, or the evidence does not settle it.
 */
import type { Finding } from '../checks/types.js';
import type { Cause } from './causes.js';
import type { Verdict } from './types.js';

/** Causes that leave the workload with an SVID that does not work for it, rather than none. */
export const SVID_PROBLEM_CAUSES: ReadonlySet<Cause> = new Set<Cause>(['svid-expired', 'wrong-identity', 'federation-bundle-missing', 'jwt-audience-mismatch']);

/**
 * Causes that can still be the root when the workload was seen receiving an SVID:
 * the SVID problems, and a trust domain other than the one its peers expect. A cause
 * that blocks issuance cannot explain a workload that got its SVID.
 */
export const CAUSES_AFTER_ISSUANCE: ReadonlySet<Cause> = new Set<Cause>([...SVID_PROBLEM_CAUSES, 'trust-domain-mismatch']);

/**
 * Checks whose passing together predicts issuance when nothing shows it directly:
 * an agent that serves, a mounted socket, and an entry that matches and is authorised.
 */
export const ISSUANCE_PREREQUISITES = ['agent-healthy', 'socket-mounted', 'entry-exists', 'entry-selectors-match', 'entry-parent-authorized'] as const;

/** Tells whether the findings show the workload received an SVID (a successful fetch, or the agent logging one served). */
export function showsIssuance(findings: readonly Finding[], issuanceLogged: boolean): boolean {
  return issuanceLogged || findings.some((finding) => finding.checkId === 'workload-fetch-succeeds' && finding.status === 'pass');
}

/** Tells whether every issuance prerequisite check passed. */
export function predictsIssuance(findings: readonly Finding[]): boolean {
  return ISSUANCE_PREREQUISITES.every((id) => findings.some((finding) => finding.checkId === id && finding.status === 'pass'));
}

/** Tells whether the findings show the workload failing to get an SVID: a failed in-pod fetch. */
export function showsFailure(findings: readonly Finding[], refusalLogged: boolean): boolean {
  return refusalLogged || findings.some((finding) => finding.checkId === 'workload-fetch-succeeds' && finding.status === 'fail');
}

/**
 * Decides the verdict from the root cause (if any) and what the evidence shows. With
 * no root cause, an observed SVID means svid-ok. Passing prerequisites alone count as
 * svid-ok only with `acceptPrediction` (fleet overviews, which run no per-pod fetch)
 * and when no failed fetch or refusal contradicts them. Otherwise the verdict is
 * unknown, because for one workload svid-ok would claim an SVID that was never observed.
 * A socket denied by SELinux, for example, passes every prerequisite.
 */
export function decideVerdict(
  root: Finding | undefined,
  outcome: { issued: boolean; failed: boolean; predicted: boolean; acceptPrediction: boolean },
): Verdict {
  if (root?.cause !== undefined && root.cause !== null) {
    // Any cause is an SVID problem once an SVID was seen issued: the workload has one that does not work.
    return SVID_PROBLEM_CAUSES.has(root.cause) || outcome.issued ? 'svid-problem' : 'no-svid';
  }
  if (outcome.issued) {
    return 'svid-ok';
  }
  return outcome.acceptPrediction && outcome.predicted && !outcome.failed ? 'svid-ok' : 'unknown';
}
