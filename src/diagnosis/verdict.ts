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

/** Decides the verdict from the root cause (if any) and whether issuance is shown or predicted. */
export function decideVerdict(root: Finding | undefined, issued: boolean, predicted: boolean): Verdict {
  if (root?.cause !== undefined && root.cause !== null) {
    return SVID_PROBLEM_CAUSES.has(root.cause) ? 'svid-problem' : 'no-svid';
  }
  return issued || predicted ? 'svid-ok' : 'unknown';
}
