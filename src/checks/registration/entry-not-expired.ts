/**
 * The matching entry has not expired. An entry whose `expires_at` has passed is not
 * used, although the server removes it only at its next prune (every 5 minutes,
 * SPIRE v1.15.3 `pkg/server/registration/manager.go`). "Now" is the evidence's time.
 */
import { entryExpiresAt, entrySpiffeId, isEntryExpired } from '../../spire/entries.js';
import { findEntryCandidates } from '../support/entry-candidates.js';
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Check } from '../types.js';

export const entryNotExpiredCheck = {
  id: 'entry-not-expired',
  category: 'registration',
  title: "The workload's entry has not expired",
  severity: 'error',
  requires: ['entries'],
  dependsOn: ['entry-exists'],
  run({ evidence, now }) {
    const matching = findEntryCandidates(evidence, viewWorkload(evidence))?.matching ?? [];
    if (matching.length === 0) {
      return [skippedFor(this.id, 'No entry matches the workload, so there is no expiry to judge.')];
    }
    if (now === undefined) {
      return [skippedFor(this.id, 'Could not judge expiry: the evidence has no gatheredAt and no timestamped log lines.', ['Add "gatheredAt" (the RFC 3339 time the evidence was taken).'])];
    }

    const live = matching.filter((entry) => !isEntryExpired(entry, now));
    if (live.length > 0) {
      return [passed(this.id, `Entry ${live[0]?.id ?? '(no ID)'} has not expired.`)];
    }
    return [
      failed(this.id, {
        cause: 'entry-expired',
        confidence: 'certain',
        summary: `Every entry matching the workload has expired: ${matching.map((entry) => `${entrySpiffeId(entry)} at ${entryExpiresAt(entry)?.toISOString() ?? '?'}`).join(', ')}.`,
        evidence: matching.map((entry) => `entry ${entry.id ?? '(no ID)'} expires_at ${String(entry.expires_at)}`),
        fix: matching.map((entry) => `Extend or remove the expiry: spire-server entry update -entryID ${entry.id ?? 'ENTRY_ID'} … -entryExpiry 0 (or recreate the entry without -entryExpiry)`),
      }),
    ];
  },
} satisfies Check;
