/**
 * A digest of a SPIRE server log: datastore errors, federation bundle polling per
 * trust domain, node attestation rejections and CA events.
 */
import { classifySpireLog } from './log-classify.js';
import type { DatastoreErrorEvent, FederationEvent, NodeAttestationEvent, ServerCaEvent, SpireLogEvent, SpireLogEventKind } from './log-events.js';
import { parseSpireLogLines, type SpireLogRecord } from './log-line.js';
import { countEventKinds } from './log-summary.js';
import { timeSpan } from '../util/number-bounds.js';

/** Bundle endpoint polling for one federated trust domain. */
export interface FederationLogFacts {
  readonly trustDomain: string;
  readonly failures: number;
  readonly lastFailure?: FederationEvent;
  /** The newest "Bundle refreshed" line. */
  readonly lastRefresh?: FederationEvent;
}

export interface ServerLogSummary {
  readonly records: readonly SpireLogRecord[];
  readonly events: readonly SpireLogEvent[];
  /** Number of events of each kind; kinds that did not occur are absent. */
  readonly counts: Readonly<Partial<Record<SpireLogEventKind, number>>>;
  readonly datastoreErrors: readonly DatastoreErrorEvent[];
  /** True when any datastore error shows the database rejects writes (read-only replica, recovery). */
  readonly datastoreReadOnly: boolean;
  /** Keyed by trust domain name, in order of first appearance. */
  readonly federation: ReadonlyMap<string, FederationLogFacts>;
  readonly nodeAttestationRejections: readonly NodeAttestationEvent[];
  readonly caEvents: readonly ServerCaEvent[];
  readonly firstTime?: Date;
  readonly lastTime?: Date;
}

/** Parses, classifies and summarizes server log lines (oldest first). */
export function summarizeServerLog(lines: readonly string[]): ServerLogSummary {
  const records = parseSpireLogLines(lines);
  const events = records.map(classifySpireLog);
  const datastoreErrors = events.filter((event): event is DatastoreErrorEvent => event.kind === 'datastore-error');
  const times = records.flatMap((record) => (record.time === undefined ? [] : [record.time.getTime()]));

  return {
    records,
    events,
    counts: countEventKinds(events),
    datastoreErrors,
    datastoreReadOnly: datastoreErrors.some((event) => event.readOnly),
    federation: collectFederation(events),
    nodeAttestationRejections: events.filter((event): event is NodeAttestationEvent => event.kind === 'node-attestation-failed'),
    caEvents: events.filter((event): event is ServerCaEvent => event.kind === 'server-ca'),
    ...timeSpan(times),
  };
}

function collectFederation(events: readonly SpireLogEvent[]): Map<string, FederationLogFacts> {
  const byTrustDomain = new Map<string, FederationLogFacts>();
  for (const event of events) {
    if ((event.kind !== 'federated-bundle-update-failed' && event.kind !== 'federated-bundle-refreshed') || event.trustDomain === undefined) continue;

    const previous = byTrustDomain.get(event.trustDomain) ?? { trustDomain: event.trustDomain, failures: 0 };
    const next: FederationLogFacts =
      event.kind === 'federated-bundle-update-failed'
        ? { ...previous, failures: previous.failures + 1, lastFailure: event }
        : { ...previous, lastRefresh: event };
    byTrustDomain.set(event.trustDomain, next);
  }
  return byTrustDomain;
}
