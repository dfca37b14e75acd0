/**
 * The SVID the workload receives is valid at the time the evidence was taken:
 * not expired and not yet to come (clock skew, or rotation stuck while the agent
 * cannot reach the server).
 */
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import type { FetchedSvid } from '../support/fetch-output.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Check } from '../types.js';

function describeInvalid(svid: FetchedSvid, now: Date): string | undefined {
  if (svid.validUntil !== undefined && svid.validUntil.getTime() <= now.getTime()) {
    return `${svid.spiffeId} expired at ${svid.validUntil.toISOString()}`;
  }
  if (svid.validAfter !== undefined && svid.validAfter.getTime() > now.getTime()) {
    return `${svid.spiffeId} is not valid before ${svid.validAfter.toISOString()}`;
  }
  return undefined;
}

export const svidValidNowCheck = {
  id: 'svid-valid-now',
  category: 'svid',
  title: "The workload's SVID is within its validity period",
  severity: 'error',
  requires: ['workloadFetch'],
  run({ evidence, now }) {
    const svids = viewWorkload(evidence).fetch?.output?.svids ?? [];
    if (svids.length === 0) {
      return [skippedFor(this.id, 'The fetch returned no SVID to judge.')];
    }
    if (now === undefined) {
      return [skippedFor(this.id, 'Could not judge validity: the evidence has no gatheredAt and no timestamped log lines.', ['Add "gatheredAt" to the evidence.'])];
    }
    const problems = svids.flatMap((svid) => describeInvalid(svid, now) ?? []);
    if (problems.length === 0) {
      return [passed(this.id, `${svids.length} SVID(s) valid at ${now.toISOString()}.`)];
    }
    return [
      failed(this.id, {
        cause: 'svid-expired',
        confidence: 'certain',
        summary: `The agent serves an SVID outside its validity period at ${now.toISOString()}: ${problems.join('; ')}.`,
        evidence: problems,
        fix: ['Check that the agent can reach the server to rotate SVIDs (agent log "Synchronize failed"), and that the node clock is synchronised (NTP).'],
        explainedBy: ['agent-attested', 'server-available'],
      }),
    ];
  },
} satisfies Check;
