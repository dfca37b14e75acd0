/**
 * A registration entry exists for the workload: one whose selectors all match it, or
 * at least one evidently written for it (sharing its service account, pod UID,
 * labels or expected SPIFFE ID) that the selector check can then compare. Entries for
 * another pod (another pod UID or name) do not count.
 */
import { entrySpiffeId } from '../../spire/entries.js';
import { findEntryCandidates } from '../support/entry-candidates.js';
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Check } from '../types.js';

function suggestCreate(namespace: string | undefined, serviceAccount: string | undefined, trustDomain: string | undefined, parentId: string | undefined): string {
  const td = trustDomain ?? 'TRUST_DOMAIN';
  return `spire-server entry create -parentID ${parentId ?? `spiffe://${td}/spire/agent/...`} -spiffeID spiffe://${td}/ns/${namespace ?? 'NAMESPACE'}/sa/${serviceAccount ?? 'SERVICE_ACCOUNT'} -selector k8s:ns:${namespace ?? 'NAMESPACE'} -selector k8s:sa:${serviceAccount ?? 'SERVICE_ACCOUNT'}`;
}

export const entryExistsCheck = {
  id: 'entry-exists',
  category: 'registration',
  title: 'A registration entry exists for the workload',
  severity: 'error',
  requires: ['entries'],
  dependsOn: ['pod-found'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const candidates = findEntryCandidates(evidence, view);
    if (candidates === undefined) {
      return [skippedFor(this.id, "Could not run: the workload's selectors are unknown (no pod, process or agent log attestation).")];
    }
    const first = candidates.matching[0];
    if (first !== undefined) {
      return [passed(this.id, `Entry ${first.id ?? '(no ID)'} (${entrySpiffeId(first)}) matches the workload's selectors.`)];
    }
    const nearest = candidates.near[0];
    if (nearest !== undefined) {
      return [passed(this.id, `Entry ${nearest.entry.id ?? '(no ID)'} (${entrySpiffeId(nearest.entry)}) is written for this workload but does not match it; see entry-selectors-match.`)];
    }

    const pod = view.pod;
    const entryCount = (view.entries ?? []).length;
    return [
      failed(this.id, {
        cause: 'entry-missing',
        confidence: candidates.workload.source === 'agent-log' ? 'certain' : 'likely',
        summary: `No registration entry is meant for this workload: none of the ${entryCount} entries matches its selectors or shares its service account, pod UID or labels.`,
        evidence: [`workload selectors (${candidates.workload.source}): ${candidates.workload.selectors.filter((selector) => /:(ns|sa|pod-uid):/.test(selector)).join(', ')}`],
        fix: [suggestCreate(pod?.metadata?.namespace, pod?.spec?.serviceAccountName, view.nodeAgent?.agent.id.trust_domain ?? view.entries?.[0]?.spiffe_id.trust_domain, view.nodeAgent?.id)],
        explainedBy: ['registrar-selects-pod', 'workload-attested'],
      }),
    ];
  },
} satisfies Check;
