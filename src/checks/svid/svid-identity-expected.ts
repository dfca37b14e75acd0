/**
 * The workload's SVID carries the SPIFFE ID it, or its peers, expect: the one given
 * as `expectedSpiffeId`, or, for Istio proxies, Istio's convention
 * `spiffe://<trust domain>/ns/<namespace>/sa/<service account>`, which Istio's peers
 * check. The issued IDs come from the in-pod fetch, else from the agent log, else
 * from the matching entries in entry ID order, the order the agent serves them in
 * (SPIRE v1.15.3 agent cache). A client that does not pick by hint uses the first.
 */
import { entrySpiffeId } from '../../spire/entries.js';
import { findEntryCandidates, findExpectedSpiffeId } from '../support/entry-candidates.js';
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Evidence } from '../../evidence/types.js';
import type { Check, Confidence } from '../types.js';

interface IssuedIds {
  readonly ids: readonly string[];
  readonly source: string;
  readonly confidence: Confidence;
}

function findIssuedIds(evidence: Evidence): IssuedIds | undefined {
  const view = viewWorkload(evidence);
  const fetched = view.fetch?.succeeded === true ? view.fetch.output?.svids.map((svid) => svid.spiffeId) ?? [] : [];
  if (fetched.length > 0) {
    return { ids: fetched, source: 'the in-pod fetch', confidence: 'certain' };
  }
  const logged = (view.agentLog?.workloadFetched ?? []).map((record) => record.fields.spiffe_id).filter((id): id is string => id !== undefined);
  if (logged.length > 0) {
    return { ids: [...new Set(logged)], source: 'the agent log', confidence: 'certain' };
  }
  const matching = evidence.entries === undefined ? [] : findEntryCandidates(evidence, view)?.matching ?? [];
  return matching.length === 0 ? undefined : { ids: matching.map(entrySpiffeId), source: 'the matching entries', confidence: 'likely' };
}

export const svidIdentityExpectedCheck = {
  id: 'svid-identity-expected',
  category: 'svid',
  title: 'The workload gets the SPIFFE ID it is expected to have',
  severity: 'error',
  requires: [],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const issued = findIssuedIds(evidence);
    const trustDomain = issued?.ids[0]?.match(/^spiffe:\/\/([^/]+)/)?.[1] ?? view.nodeAgent?.agent.id.trust_domain;
    const expected = findExpectedSpiffeId(evidence, trustDomain);
    if (expected === undefined || issued === undefined) {
      return [skippedFor(this.id, expected === undefined ? 'No expected SPIFFE ID is known (give expectedSpiffeId, or the pod is not an Istio proxy).' : 'No SVID or matching entry shows which SPIFFE ID the workload gets.', ['Add "expectedSpiffeId" (--expect-id) to the evidence.'])];
    }
    if (issued.ids[0] === expected) {
      return [passed(this.id, `The workload gets ${expected}, as expected (from ${issued.source}).`)];
    }
    if (issued.ids.includes(expected)) {
      return [
        failed(this.id, {
          cause: 'wrong-identity',
          confidence: issued.confidence,
          summary: `The workload receives ${issued.ids.length} SVIDs (from ${issued.source}) and a client takes the first, ${issued.ids[0] ?? '?'}, but it is expected to present ${expected}, which comes later.`,
          evidence: issued.ids.map((id, index) => `SVID #${index + 1}: ${id}`),
          fix: [
            `Make the selectors of the entries disjoint so only the entry for ${expected} matches this workload, or set a hint on each entry and have the workload pick its SVID by hint.`,
          ],
        }),
      ];
    }
    return [
      failed(this.id, {
        cause: 'wrong-identity',
        confidence: issued.confidence,
        summary: `The workload gets ${issued.ids.join(', ')} (from ${issued.source}), but ${evidence.expectedSpiffeId === undefined ? "Istio's naming convention expects" : 'it is expected to be'} ${expected}.`,
        evidence: [`issued: ${issued.ids.join(', ')}`, `expected: ${expected}`],
        fix: [`Change the entry (or the ClusterSPIFFEID spiffeIDTemplate) so it names ${expected}, or correct what the peers expect.`],
      }),
    ];
  },
} satisfies Check;
