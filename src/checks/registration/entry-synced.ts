/**
 * The workload's entry has reached the agent. A new entry normally reaches the agent
 * within about 10 seconds (5 s server cache reload plus 5 s agent sync, SPIRE v1.15.3
 * defaults), and the agent logs "Entry created" for it at debug level. An entry
 * younger than that has simply not arrived yet. When the log covers an older entry's
 * creation, shows other entries arriving, and still has nothing for this one well
 * after that, the server is not delivering it to this agent.
 */
import { entryCreatedAt, entrySpiffeId } from '../../spire/entries.js';
import type { EntryJson } from '../../spire/types.js';
import { splitByAuthorization } from '../support/authorized-matches.js';
import { findEntryCandidates } from '../support/entry-candidates.js';
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import { viewWorkload } from '../support/workload-view.js';
import type { AgentLogFacts } from '../support/agent-log-facts.js';
import type { Check, Finding } from '../types.js';

/** How long past creation an entry may take to appear in the agent log before it counts as not delivered: 6 times the usual 10 s. */
export const SYNC_GRACE_MS = 60_000;

function youngEntryFinding(checkId: string, entry: EntryJson, ageMs: number): Finding {
  const seconds = Math.round(ageMs / 1000);
  return failed(checkId, {
    cause: 'entry-not-synced',
    confidence: 'likely',
    summary: `Entry ${entry.id ?? '(no ID)'} (${entrySpiffeId(entry)}) was created only ${seconds} seconds before the evidence was taken. A new entry normally reaches the agent within about 10 seconds, so it has most likely not arrived yet.`,
    evidence: [`entry ${entry.id ?? '(no ID)'} created_at ${String(entry.created_at)}, ${seconds} s before the evidence time`],
    fix: ['Wait a few seconds and fetch again; if the workload still has no SVID a minute after the entry was created, run the diagnosis again.'],
    explainedBy: ['agent-attested', 'agent-healthy', 'server-available'],
  });
}

function overdueEntryFinding(checkId: string, entry: EntryJson, facts: AgentLogFacts): Finding {
  const created = entryCreatedAt(entry) as Date;
  const last = facts.lastTime as Date;
  const minutes = Math.round((last.getTime() - created.getTime()) / 60_000);
  return failed(checkId, {
    cause: 'entry-not-synced',
    confidence: 'likely',
    summary: `Entry ${entry.id ?? '(no ID)'} (${entrySpiffeId(entry)}) was created at ${created.toISOString()}, matches the workload and is authorised for its agent, yet ${minutes} minutes later the agent log, which shows other entries arriving, has no "Entry created" for it: the server is not delivering it to this agent.`,
    evidence: [`entry ${entry.id ?? '(no ID)'} created_at ${String(entry.created_at)}`, `agent log from ${facts.firstTime?.toISOString() ?? '?'} to ${last.toISOString()}: other entries arrived (${facts.entriesSeen.size})`],
    fix: [
      'Restart the SPIRE server replicas to rebuild their authorized-entry cache, then watch the agent log for "Entry created" with this entry ID.',
      "If it recurs, compare the server version with SPIRE's release notes for entry cache fixes and upgrade or roll back.",
    ],
    explainedBy: ['agent-attested', 'agent-healthy', 'server-available'],
  });
}

/** Tells whether the log covers the entry's creation and runs well past it, with entry cache events visible. */
function isOverdue(entry: EntryJson, facts: AgentLogFacts): boolean {
  const created = entryCreatedAt(entry);
  const { firstTime: first, lastTime: last } = facts;
  if (!facts.logsEntryEvents || created === undefined || first === undefined || last === undefined) {
    return false;
  }
  return first <= created && last.getTime() - created.getTime() >= SYNC_GRACE_MS;
}

export const entrySyncedCheck = {
  id: 'entry-synced',
  category: 'registration',
  title: "The workload's entry has reached the agent",
  severity: 'error',
  requires: ['entries'],
  dependsOn: ['entry-exists'],
  run({ evidence, now }) {
    const view = viewWorkload(evidence);
    const facts = view.agentLog;
    const matching = findEntryCandidates(evidence, view)?.matching ?? [];
    const split = splitByAuthorization(view, matching);
    const relevant: readonly EntryJson[] = split === undefined ? matching : split.authorized.map((item) => item.entry);
    if (relevant.length === 0) {
      return [skippedFor(this.id, 'No entry both matches the workload and is authorised for its agent, so there is nothing to follow to the agent.')];
    }
    if ((facts?.workloadFetched.length ?? 0) > 0 || view.fetch?.succeeded === true) {
      return [passed(this.id, 'The workload received an SVID, so its entry is in the agent cache.')];
    }
    const seen = relevant.find((entry) => entry.id !== undefined && facts?.entriesSeen.has(entry.id) === true);
    if (seen !== undefined) {
      return [passed(this.id, `The agent logged entry ${seen.id ?? ''} (${entrySpiffeId(seen)}) arriving in its cache.`)];
    }

    const reference = now ?? facts?.lastTime;
    const young = relevant.find((entry) => {
      const created = entryCreatedAt(entry);
      return created !== undefined && reference !== undefined && reference.getTime() - created.getTime() < SYNC_GRACE_MS;
    });
    if (young !== undefined && reference !== undefined) {
      return [youngEntryFinding(this.id, young, reference.getTime() - (entryCreatedAt(young) as Date).getTime())];
    }
    const overdue = facts === undefined ? undefined : relevant.find((entry) => isOverdue(entry, facts));
    if (overdue !== undefined && facts !== undefined) {
      return [overdueEntryFinding(this.id, overdue, facts)];
    }
    return [skippedFor(this.id, "Could not judge: the agent log does not cover the entry's creation, or does not log entry cache events (they need log_level DEBUG).", ['Add "agentLogs" at log_level DEBUG from the agent on the workload\'s node, covering the time the entry was created.'])];
  },
} satisfies Check;
