/**
 * The workload's entry has reached the agent. A new entry normally reaches the agent
 * within about 10 seconds (5 s server cache reload plus 5 s agent sync, SPIRE v1.15.3
 * defaults), and the agent logs "Entry created" for it at debug level. When the log
 * covers the entry's creation, shows other entries arriving, and still has nothing
 * for this one well after that, the server is not delivering it to this agent.
 */
import { entryCreatedAt, entrySpiffeId } from '../../spire/entries.js';
import type { EntryJson } from '../../spire/types.js';
import { splitByAuthorization } from '../support/authorized-matches.js';
import { findEntryCandidates } from '../support/entry-candidates.js';
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Check } from '../types.js';

/** How long past creation an entry may take to appear in the agent log before it counts as not delivered: 6 times the usual 10 s. */
export const SYNC_GRACE_MS = 60_000;

export const entrySyncedCheck = {
  id: 'entry-synced',
  category: 'registration',
  title: "The workload's entry has reached the agent",
  severity: 'error',
  requires: ['entries', 'agentLogs'],
  dependsOn: ['entry-exists'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const facts = view.agentLog;
    const matching = findEntryCandidates(evidence, view)?.matching ?? [];
    const split = splitByAuthorization(view, matching);
    const relevant: readonly EntryJson[] = split === undefined ? matching : split.authorized.map((item) => item.entry);
    if (facts === undefined || relevant.length === 0) {
      return [skippedFor(this.id, 'No entry both matches the workload and is authorised for its agent, so there is nothing to follow to the agent.')];
    }
    if (facts.workloadFetched.length > 0) {
      return [passed(this.id, 'The agent served an SVID to this workload, so its entry is in the agent cache.')];
    }
    const seen = relevant.find((entry) => entry.id !== undefined && facts.entriesSeen.has(entry.id));
    if (seen !== undefined) {
      return [passed(this.id, `The agent logged entry ${seen.id ?? ''} (${entrySpiffeId(seen)}) arriving in its cache.`)];
    }

    const first = facts.firstTime;
    const last = facts.lastTime;
    const overdue = relevant.filter((entry) => {
      const created = entryCreatedAt(entry);
      return created !== undefined && first !== undefined && last !== undefined && first <= created && last.getTime() - created.getTime() >= SYNC_GRACE_MS;
    });
    const entry = overdue[0];
    if (!facts.logsEntryEvents || entry === undefined || last === undefined) {
      return [skippedFor(this.id, 'Could not judge: the agent log does not cover the entry\'s creation, or does not log entry cache events (they need log_level DEBUG).')];
    }

    const created = entryCreatedAt(entry) as Date;
    const minutes = Math.round((last.getTime() - created.getTime()) / 60_000);
    return [
      failed(this.id, {
        cause: 'entry-not-synced',
        confidence: 'likely',
        summary: `Entry ${entry.id ?? '(no ID)'} (${entrySpiffeId(entry)}) was created at ${created.toISOString()}, matches the workload and is authorised for its agent, yet ${minutes} minutes later the agent log, which shows other entries arriving, has no "Entry created" for it: the server is not delivering it to this agent.`,
        evidence: [`entry ${entry.id ?? '(no ID)'} created_at ${String(entry.created_at)}`, `agent log from ${first?.toISOString() ?? '?'} to ${last.toISOString()}: ${facts.entriesSeen.size} other entries arrived`],
        fix: [
          'Restart the SPIRE server replicas to rebuild their authorized-entry cache, then watch the agent log for "Entry created" with this entry ID.',
          "If it recurs, compare the server version with SPIRE's release notes for entry cache fixes and upgrade or roll back.",
        ],
        explainedBy: ['agent-attested', 'agent-healthy', 'server-available'],
      }),
    ];
  },
} satisfies Check;
