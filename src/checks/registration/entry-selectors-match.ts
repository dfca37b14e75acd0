/**
 * The entry written for the workload matches it: every entry selector is among the
 * workload's selectors (SPIRE's agent hands an entry to a workload only when the
 * entry's selectors are a subset of the workload's, SPIRE v1.15.3
 * `pkg/agent/manager/cache`). When none matches, the nearest entry is compared and
 * each differing selector is named with what the workload has instead.
 */
import { entryParentId, entrySelectors, entrySpiffeId } from '../../spire/entries.js';
import type { CandidateEntry, MissingSelector } from '../../spire/workload-matching.js';
import { findEntryCandidates } from '../support/entry-candidates.js';
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Check } from '../types.js';

function describeMissing(missing: MissingSelector): string {
  if (missing.workloadHas.length === 0) {
    return `entry wants ${missing.selector}, the workload has no ${missing.kind} selector`;
  }
  return `entry wants ${missing.selector}, the workload has ${missing.workloadHas.join(', ')}`;
}

/**
 * Flags that keep an entry's other fields: SPIRE's `entry update` CLI sends the whole
 * entry with no field mask (SPIRE v1.15 `cmd/spire-server/cli/entry/update.go`), so a
 * field left off the command line is reset.
 */
function preservedFieldFlags(entry: CandidateEntry['entry']): string[] {
  const flags: string[] = [];
  if (entry.x509_svid_ttl) flags.push(`-x509SVIDTTL ${entry.x509_svid_ttl}`);
  if (entry.jwt_svid_ttl) flags.push(`-jwtSVIDTTL ${entry.jwt_svid_ttl}`);
  for (const name of entry.dns_names ?? []) flags.push(`-dns ${name}`);
  for (const trustDomain of entry.federates_with ?? []) flags.push(`-federatesWith ${trustDomain}`);
  if (entry.admin) flags.push('-admin');
  if (entry.downstream) flags.push('-downstream');
  if (entry.store_svid) flags.push('-storeSVID');
  if (entry.hint) flags.push(`-hint ${entry.hint}`);
  const expiresAt = Number(entry.expires_at ?? 0);
  if (expiresAt > 0) flags.push(`-entryExpiry ${expiresAt}`);
  return flags;
}

function suggestUpdate(candidate: CandidateEntry): string {
  const replacements = new Map(candidate.missing.map((missing) => [missing.selector, missing.workloadHas[0]]));
  const selectors = entrySelectors(candidate.entry)
    .map((selector) => (replacements.has(selector) ? replacements.get(selector) : selector))
    .filter((selector): selector is string => selector !== undefined);
  const flags = [
    `-entryID ${candidate.entry.id ?? 'ENTRY_ID'}`,
    `-parentID ${entryParentId(candidate.entry)}`,
    `-spiffeID ${entrySpiffeId(candidate.entry)}`,
    ...selectors.map((selector) => `-selector ${selector}`),
    ...preservedFieldFlags(candidate.entry),
  ];
  return `spire-server entry update ${flags.join(' ')}`;
}

/** Entries as near as the nearest one: when there are several, none is clearly this workload's. */
function equallyNear(near: readonly CandidateEntry[]): CandidateEntry[] {
  const first = near[0];
  if (first === undefined) return [];
  return near.filter((candidate) => candidate.missing.length === first.missing.length && candidate.matched.length === first.matched.length);
}

function suggestCreate(nearest: CandidateEntry, workloadSelectors: readonly string[]): string {
  const identifying = workloadSelectors.filter((selector) => selector.startsWith('k8s:ns:') || selector.startsWith('k8s:sa:'));
  const namespace = identifying.find((selector) => selector.startsWith('k8s:ns:'))?.slice('k8s:ns:'.length);
  const serviceAccount = identifying.find((selector) => selector.startsWith('k8s:sa:'))?.slice('k8s:sa:'.length);
  const trustDomain = nearest.entry.spiffe_id.trust_domain;
  const spiffeId = namespace && serviceAccount ? `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}` : `spiffe://${trustDomain}/WORKLOAD_PATH`;
  const selectors = identifying.length > 0 ? identifying : ['SELECTOR'];
  return `spire-server entry create -parentID ${entryParentId(nearest.entry)} -spiffeID ${spiffeId} ${selectors.map((selector) => `-selector ${selector}`).join(' ')}`;
}

export const entrySelectorsMatchCheck = {
  id: 'entry-selectors-match',
  category: 'registration',
  title: "The workload's entry selectors match what the agent attests",
  severity: 'error',
  requires: ['entries'],
  dependsOn: ['entry-exists'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const candidates = findEntryCandidates(evidence, view);
    const matching = candidates?.matching[0];
    if (matching !== undefined) {
      return [passed(this.id, `Every selector of entry ${matching.id ?? '(no ID)'} is among the workload's selectors.`)];
    }
    const nearest = candidates?.near[0];
    if (candidates === undefined || nearest === undefined) {
      return [skippedFor(this.id, 'No entry written for this workload to compare.')];
    }

    const differences = nearest.missing.map(describeMissing);
    const ties = equallyNear(candidates.near);
    if (ties.length > 1) {
      const names = ties.map((candidate) => `${candidate.entry.id ?? '(no ID)'} (${entrySpiffeId(candidate.entry)})`);
      return [
        failed(this.id, {
          cause: 'selector-mismatch',
          confidence: 'likely',
          summary: `No entry matches the workload, and ${ties.length} entries are equally near, so none is clearly its own: ${names.join(', ')}. The nearest differs in that ${differences.join('; ')}.`,
          evidence: [...ties.map((candidate) => `${candidate.entry.id ?? '(no ID)'}: ${candidate.missing.map(describeMissing).join('; ')}`)],
          fix: [
            'Changing one of these entries would take the identity from the workload it serves; create an entry for this workload instead, for example:',
            suggestCreate(nearest, candidates.workload.selectors),
          ],
          explainedBy: ['registrar-selects-pod', 'workload-attested'],
        }),
      ];
    }

    const podDifference = nearest.missing.find((missing) => missing.kind === 'k8s:ns' && missing.workloadHas.length > 0);
    const fix = [suggestUpdate(nearest)];
    if (podDifference !== undefined) {
      fix.unshift(`Deploy the workload into namespace ${podDifference.selector.replace('k8s:ns:', '')}, the one the entry expects, if that was intended; otherwise change the entry:`);
    }
    return [
      failed(this.id, {
        cause: 'selector-mismatch',
        confidence: candidates.workload.source === 'agent-log' ? 'certain' : 'likely',
        summary: `Entry ${nearest.entry.id ?? '(no ID)'} (${entrySpiffeId(nearest.entry)}) is meant for this workload, but ${differences.join('; ')}.`,
        evidence: [...differences, `workload selectors from ${candidates.workload.source === 'agent-log' ? 'the agent log' : 'the pod object'}`],
        fix,
        explainedBy: ['registrar-selects-pod', 'workload-attested'],
      }),
    ];
  },
} satisfies Check;
