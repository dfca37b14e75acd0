/**
 * "Now" for time-based checks. A saved evidence file must replay the same way, so
 * the wall clock is never read: the evidence's `gatheredAt` is now, and without it
 * the newest timestamp in its agent or server logs is used instead.
 */
import type { Evidence } from '../../evidence/types.js';
import { parseLogRecords } from './log-records.js';

export interface ResolvedNow {
  readonly now: Date | undefined;
  readonly source?: 'gatheredAt' | 'logs';
}

function allLogLines(evidence: Evidence): readonly string[] {
  const agentLogs = evidence.agentLogs;
  const agentLines = Array.isArray(agentLogs) ? (agentLogs as readonly string[]) : Object.values(agentLogs ?? {}).flat();
  return [...agentLines, ...(evidence.serverLogs ?? [])];
}

/** Returns the newest log timestamp in the evidence, if any line has one. */
export function findNewestLogTime(evidence: Evidence): Date | undefined {
  let newest: Date | undefined;
  for (const record of parseLogRecords(allLogLines(evidence))) {
    if (record.time !== undefined && (newest === undefined || record.time > newest)) {
      newest = record.time;
    }
  }
  return newest;
}

/** Resolves "now" from `gatheredAt`, else from the newest log line, else leaves it undefined. */
export function resolveNow(evidence: Evidence): ResolvedNow {
  if (typeof evidence.gatheredAt === 'string') {
    const gatheredAt = new Date(evidence.gatheredAt);
    if (!Number.isNaN(gatheredAt.getTime())) {
      return { now: gatheredAt, source: 'gatheredAt' };
    }
  }

  const newest = findNewestLogTime(evidence);
  return newest === undefined ? { now: undefined } : { now: newest, source: 'logs' };
}
