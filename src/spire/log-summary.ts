/**
 * A digest of an agent log that checks query without re-parsing: facts per workload
 * PID, the agent's own health (crashes, sync errors, node attestation) and the cache
 * entries it logged.
 */
import { classifySpireLog } from './log-classify.js';
import type {
  AgentCrashedEvent,
  ContainerNotFoundEvent,
  PodListFailedEvent,
  NoIdentityIssuedEvent,
  SelectorCollectionTimedOutEvent,
  SpireLogEvent,
  SpireLogEventKind,
  SvidFetchedEvent,
  SyncFailedEvent,
  WorkloadAttestationFailedEvent,
  WorkloadAttestorFailedEvent,
} from './log-events.js';
import { parseSpireLogLines, type SpireLogRecord } from './log-line.js';
import { timeSpan } from '../util/number-bounds.js';

/** Log facts about one workload process. */
export interface PidLogFacts {
  readonly pid: string;
  /** Selectors from the newest "PID attested to have selectors" line; undefined when none was logged (debug level off). */
  readonly selectors?: readonly string[];
  readonly noIdentity: readonly NoIdentityIssuedEvent[];
  readonly fetched: readonly SvidFetchedEvent[];
  readonly attestationFailures: readonly (WorkloadAttestorFailedEvent | WorkloadAttestationFailedEvent | SelectorCollectionTimedOutEvent)[];
  /**
   * True when every "No identity issued" line of this PID is a bundle call
   * (FetchX509Bundles or FetchJWTBundles) and the PID was never attested with
   * selectors, as with a health probe in the agent's pod.
   */
  readonly bundleCallsOnly: boolean;
}

/** A registration entry the agent's cache logged. */
export interface LoggedEntry {
  readonly entryId: string;
  readonly spiffeId?: string;
  /** The newest cache event for the entry. */
  readonly state: 'created' | 'updated' | 'removed' | 'svid-requested';
}

export interface AgentLogSummary {
  readonly records: readonly SpireLogRecord[];
  readonly events: readonly SpireLogEvent[];
  /** Number of events of each kind; kinds that did not occur are absent. */
  readonly counts: Readonly<Partial<Record<SpireLogEventKind, number>>>;
  readonly pids: ReadonlyMap<string, PidLogFacts>;
  /** The facts for `options.pid`, when given and present in the log. */
  readonly pid?: PidLogFacts;
  /** PIDs with at least one "No identity issued" line, in order of first appearance. */
  readonly noIdentityPids: readonly string[];
  readonly entries: ReadonlyMap<string, LoggedEntry>;
  /** True when debug lines are present, so silence about attestation or entries means something. */
  readonly debugEnabled: boolean;
  readonly lastSyncError?: SyncFailedEvent;
  /** True when a successful sync-related event (entry or SVID event) follows the last sync error. */
  readonly syncRecovered: boolean;
  readonly crashes: readonly AgentCrashedEvent[];
  /**
   * Kubernetes workload attestor lines that carry no PID: kubelet pod list failures and
   * containers not found in the pod list, oldest first.
   */
  readonly kubernetesAttestorProblems: readonly (PodListFailedEvent | ContainerNotFoundEvent)[];
  readonly nodeAttestation?: 'started' | 'succeeded' | 'failed';
  /** The agent SPIFFE ID from "Node attestation was successful". */
  readonly agentSpiffeId?: string;
  /** SPIRE version from the newest "Starting agent" line. */
  readonly agentVersion?: string;
  /** Workload API address from the newest "Starting Workload and SDS APIs" line. */
  readonly workloadApiAddress?: string;
  readonly firstTime?: Date;
  readonly lastTime?: Date;
}

/** Parses, classifies and summarizes agent log lines (oldest first). */
export function summarizeAgentLog(lines: readonly string[], options: { pid?: string } = {}): AgentLogSummary {
  const records = parseSpireLogLines(lines);
  const events = records.map(classifySpireLog);
  const pids = collectPidFacts(events);
  const pidFacts = options.pid === undefined ? undefined : pids.get(options.pid);
  const agentState = collectAgentState(events);
  const times = records.flatMap((record) => (record.time === undefined ? [] : [record.time.getTime()]));

  return {
    records,
    events,
    counts: countEventKinds(events),
    pids,
    ...(pidFacts === undefined ? {} : { pid: pidFacts }),
    noIdentityPids: [...pids.values()].filter((facts) => facts.noIdentity.length > 0).map((facts) => facts.pid),
    entries: collectEntries(events),
    debugEnabled: records.some((record) => record.level === 'debug' || record.level === 'trace'),
    kubernetesAttestorProblems: events.filter(
      (event): event is PodListFailedEvent | ContainerNotFoundEvent => event.kind === 'pod-list-failed' || event.kind === 'container-not-found',
    ),
    ...agentState,
    ...timeSpan(times),
  };
}

/** Counts events by kind; kinds that do not occur are absent. */
export function countEventKinds(events: readonly SpireLogEvent[]): Partial<Record<SpireLogEventKind, number>> {
  const counts: Partial<Record<SpireLogEventKind, number>> = {};
  for (const event of events) counts[event.kind] = (counts[event.kind] ?? 0) + 1;
  return counts;
}

interface MutablePidFacts {
  pid: string;
  selectors?: readonly string[];
  noIdentity: NoIdentityIssuedEvent[];
  fetched: SvidFetchedEvent[];
  attestationFailures: (WorkloadAttestorFailedEvent | WorkloadAttestationFailedEvent | SelectorCollectionTimedOutEvent)[];
}

function collectPidFacts(events: readonly SpireLogEvent[]): Map<string, PidLogFacts> {
  const byPid = new Map<string, MutablePidFacts>();
  const factsFor = (pid: string): MutablePidFacts => {
    const existing = byPid.get(pid);
    if (existing !== undefined) return existing;
    const created: MutablePidFacts = { pid, noIdentity: [], fetched: [], attestationFailures: [] };
    byPid.set(pid, created);
    return created;
  };

  for (const event of events) {
    if (!('pid' in event) || event.pid === undefined) continue;
    const facts = factsFor(event.pid);
    if (event.kind === 'pid-attested' && event.selectors !== undefined) facts.selectors = event.selectors;
    if (event.kind === 'no-identity-issued') facts.noIdentity.push(event);
    if (event.kind === 'x509-svid-fetched' || event.kind === 'jwt-svid-fetched') facts.fetched.push(event);
    if (event.kind === 'workload-attestor-failed' || event.kind === 'workload-attestation-failed' || event.kind === 'selector-collection-timed-out') {
      facts.attestationFailures.push(event);
    }
  }

  return new Map([...byPid].map(([pid, facts]) => [pid, { ...facts, bundleCallsOnly: isBundleCallsOnly(facts) }]));
}

function isBundleCallsOnly(facts: MutablePidFacts): boolean {
  if (facts.noIdentity.length === 0 || facts.selectors !== undefined) return false;
  return facts.noIdentity.every((event) => event.method === 'FetchX509Bundles' || event.method === 'FetchJWTBundles');
}

function collectEntries(events: readonly SpireLogEvent[]): Map<string, LoggedEntry> {
  const entries = new Map<string, LoggedEntry>();
  for (const event of events) {
    const state = entryState(event.kind);
    if (state === undefined || !('entryId' in event) || event.entryId === undefined) continue;
    const previous = entries.get(event.entryId);
    const spiffeId = event.spiffeId ?? previous?.spiffeId;
    entries.set(event.entryId, { entryId: event.entryId, ...(spiffeId === undefined ? {} : { spiffeId }), state });
  }
  return entries;
}

function entryState(kind: SpireLogEventKind): LoggedEntry['state'] | undefined {
  switch (kind) {
    case 'entry-created':
      return 'created';
    case 'entry-updated':
      return 'updated';
    case 'entry-removed':
      return 'removed';
    case 'x509-svid-creating':
    case 'x509-svid-renewing':
      return 'svid-requested';
    default:
      return undefined;
  }
}

type AgentState = Pick<
  AgentLogSummary,
  'lastSyncError' | 'syncRecovered' | 'crashes' | 'nodeAttestation' | 'agentSpiffeId' | 'agentVersion' | 'workloadApiAddress'
>;

function collectAgentState(events: readonly SpireLogEvent[]): AgentState {
  const crashes: AgentCrashedEvent[] = [];
  const state: { -readonly [K in keyof AgentState]: AgentState[K] } = { syncRecovered: false, crashes };

  for (const event of events) {
    switch (event.kind) {
      case 'sync-failed':
        state.lastSyncError = event;
        state.syncRecovered = false;
        break;
      case 'entry-created':
      case 'entry-updated':
      case 'entry-removed':
      case 'x509-svid-creating':
      case 'x509-svid-renewing':
        state.syncRecovered = state.lastSyncError !== undefined;
        break;
      case 'agent-crashed':
        crashes.push(event);
        if (event.duringNodeAttestation) state.nodeAttestation = 'failed';
        break;
      case 'node-attestation-started':
        state.nodeAttestation = 'started';
        break;
      case 'node-attestation-succeeded':
        state.nodeAttestation = 'succeeded';
        if (event.spiffeId !== undefined) state.agentSpiffeId = event.spiffeId;
        break;
      case 'agent-started':
        if (event.version !== undefined) state.agentVersion = event.version;
        break;
      case 'api-listening':
        if (event.api === 'workload' && event.address !== undefined) state.workloadApiAddress = event.address;
        break;
      default:
        break;
    }
  }
  return state;
}
