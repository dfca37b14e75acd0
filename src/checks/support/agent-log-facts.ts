/**
 * Facts the agent log on the workload's node records about this workload: which PIDs
 * were attested as this pod and with which selectors, which calls got "No identity
 * issued", which entries reached the agent's cache and which SVIDs it served.
 * Message texts read from SPIRE v1.15.3 (`pkg/agent/endpoints/workload/handler.go`,
 * `pkg/agent/attestor/workload/workload.go`, `pkg/agent/manager/cache`).
 */
import type { KubePod } from '../../evidence/kube-types.js';
import { parseLoggedSelectors } from '../../spire/logs.js';
import type { LogRecord } from './log-records.js';
import { numberBounds } from '../../util/number-bounds.js';

export const AGENT_MESSAGES = {
  pidAttested: 'PID attested to have selectors',
  noIdentity: 'No identity issued',
  fetchedX509: 'Fetched X.509 SVID',
  fetchedJwt: 'Fetched JWT SVID',
  entryCreated: 'Entry created',
  creatingX509: 'Creating X509-SVID',
  agentCrashed: 'Agent crashed',
  syncFailed: 'Synchronize failed',
  nodeAttested: 'Node attestation was successful',
} as const;

export interface PidAttestation {
  readonly pid: string;
  /** Selectors as SPIRE prints them, `type:value`. */
  readonly selectors: readonly string[];
  readonly record: LogRecord;
}

export interface AgentLogFacts {
  readonly records: readonly LogRecord[];
  readonly attestations: readonly PidAttestation[];
  /** PIDs attested with this pod's UID or name. */
  readonly workloadPids: ReadonlySet<string>;
  /** Selectors the agent attested for this pod's processes, from the newest attestation. */
  readonly workloadSelectors: readonly string[] | undefined;
  /** "No identity issued" lines for this pod's PIDs. */
  readonly workloadNoIdentity: readonly LogRecord[];
  /** "Fetched X.509 SVID" and "Fetched JWT SVID" lines for this pod's PIDs. */
  readonly workloadFetched: readonly LogRecord[];
  /** Entry IDs the agent logged "Entry created" or "Creating X509-SVID" for. */
  readonly entriesSeen: ReadonlySet<string>;
  /** Whether any "Entry created" line is present, so debug-level cache events are logged at all. */
  readonly logsEntryEvents: boolean;
  readonly firstTime: Date | undefined;
  readonly lastTime: Date | undefined;
}

function isWorkloadAttestation(selectors: readonly string[], pod: KubePod | undefined): boolean {
  const uid = pod?.metadata?.uid;
  const name = pod?.metadata?.name;
  const namespace = pod?.metadata?.namespace;
  if (uid !== undefined && selectors.includes(`k8s:pod-uid:${uid}`)) {
    return true;
  }
  return name !== undefined && selectors.includes(`k8s:pod-name:${name}`) && (namespace === undefined || selectors.includes(`k8s:ns:${namespace}`));
}

function timeBounds(records: readonly LogRecord[]): { first: Date | undefined; last: Date | undefined } {
  const times = records.flatMap((record) => (record.time === undefined ? [] : [record.time.getTime()]));
  const bounds = numberBounds(times);
  if (bounds === undefined) {
    return { first: undefined, last: undefined };
  }
  return { first: new Date(bounds.min), last: new Date(bounds.max) };
}

/** Collects the facts about `pod` from its node's agent log records. */
export function collectAgentLogFacts(records: readonly LogRecord[], pod: KubePod | undefined): AgentLogFacts {
  const attestations = records
    .filter((record) => record.message === AGENT_MESSAGES.pidAttested && record.fields.pid !== undefined)
    .map((record) => ({ pid: record.fields.pid as string, selectors: parseLoggedSelectors(record.fields.selectors ?? '') ?? [], record }));
  const ours = attestations.filter((attestation) => isWorkloadAttestation(attestation.selectors, pod));
  const workloadPids = new Set(ours.map((attestation) => attestation.pid));
  const forWorkload = (message: string): LogRecord[] =>
    records.filter((record) => record.message === message && workloadPids.has(record.fields.pid ?? ''));

  const entriesSeen = new Set<string>();
  for (const record of records) {
    if (record.message === AGENT_MESSAGES.entryCreated && record.fields.entry !== undefined) {
      entriesSeen.add(record.fields.entry);
    }
    if (record.message === AGENT_MESSAGES.creatingX509 && record.fields.entry_id !== undefined) {
      entriesSeen.add(record.fields.entry_id);
    }
  }

  const { first, last } = timeBounds(records);
  return {
    records,
    attestations,
    workloadPids,
    workloadSelectors: ours.at(-1)?.selectors,
    workloadNoIdentity: forWorkload(AGENT_MESSAGES.noIdentity),
    workloadFetched: [...forWorkload(AGENT_MESSAGES.fetchedX509), ...forWorkload(AGENT_MESSAGES.fetchedJwt)],
    entriesSeen,
    logsEntryEvents: records.some((record) => record.message === AGENT_MESSAGES.entryCreated),
    firstTime: first,
    lastTime: last,
  };
}
