/**
 * One identity matches the workload. When several entries with different SPIFFE IDs
 * match, the agent serves them all, sorted by entry ID, and a client that takes the
 * first SVID may get another identity than its peers expect.
 */
import { entrySpiffeId } from '../../spire/entries.js';
import { findEntryCandidates } from '../support/entry-candidates.js';
import { passed, skippedFor, warned } from '../support/finding-builders.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Check } from '../types.js';

export const entryUniqueCheck = {
  id: 'entry-unique',
  category: 'registration',
  title: 'Exactly one SPIFFE ID matches the workload',
  severity: 'warning',
  requires: ['entries'],
  dependsOn: ['entry-exists'],
  run({ evidence }) {
    const matching = findEntryCandidates(evidence, viewWorkload(evidence))?.matching ?? [];
    if (matching.length === 0) {
      return [skippedFor(this.id, 'No entry matches the workload.')];
    }
    const ids = [...new Set(matching.map(entrySpiffeId))];
    if (ids.length === 1) {
      return [passed(this.id, `The workload matches ${matching.length} entr${matching.length === 1 ? 'y' : 'ies'}, all for ${ids[0] ?? ''}.`)];
    }
    return [
      warned(this.id, {
        cause: 'wrong-identity',
        confidence: 'possible',
        summary: `${ids.length} different SPIFFE IDs match the workload (${ids.join(', ')}); the agent serves all of them, and a client that takes the first may present the wrong one.`,
        evidence: matching.map((entry) => `entry ${entry.id ?? '(no ID)'}: ${entrySpiffeId(entry)}`),
        fix: ['Make the selectors of the entries disjoint, or give each a hint and have the workload pick its SVID by hint.'],
      }),
    ];
  },
} satisfies Check;
