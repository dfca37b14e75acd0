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

function suggestUpdate(candidate: CandidateEntry): string {
  const replacements = new Map(candidate.missing.map((missing) => [missing.selector, missing.workloadHas[0]]));
  const selectors = entrySelectors(candidate.entry)
    .map((selector) => (replacements.has(selector) ? replacements.get(selector) : selector))
    .filter((selector): selector is string => selector !== undefined);
  return `spire-server entry update -entryID ${candidate.entry.id ?? 'ENTRY_ID'} -parentID ${entryParentId(candidate.entry)} -spiffeID ${entrySpiffeId(candidate.entry)} ${selectors.map((selector) => `-selector ${selector}`).join(' ')}`;
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
