/**
 * The facts most checks share about one workload, derived once per evidence record:
 * its pod and node, the agent pod and agent record on that node, the agent log facts,
 * the registration entries and agents, and the parsed in-pod fetch. Derivation is
 * pure and memoised per evidence object, so checks stay independent of one another.
 */
import type { Evidence } from '../../evidence/types.js';
import type { KubePod } from '../../evidence/kube-types.js';
import { agentSelectors, agentSpiffeId, readAgents, readEntries } from '../../spire/entries.js';
import type { AgentJson, EntryJson } from '../../spire/types.js';
import { AGENT_MESSAGES, collectAgentLogFacts, type AgentLogFacts } from './agent-log-facts.js';
import { findAgentConfig, findAgentHealth, findAgentLogs, findPodNode } from './evidence-access.js';
import { parseFetchOutput, type FetchOutput } from './fetch-output.js';
import { findDialFailure, parseGrpcStatus, type DialFailure, type GrpcStatus } from './grpc-status.js';
import { parseLogRecords } from './log-records.js';

/** Evidence that tied the agent record to the workload's node; `assumed` means it is the only agent listed. */
export type AgentMatch = 'node-selector' | 'agent-log' | 'node-uid' | 'assumed';

export interface NodeAgent {
  readonly agent: AgentJson;
  readonly id: string;
  readonly selectors: readonly string[];
  readonly match: AgentMatch;
}

export interface FetchView {
  readonly exitCode: number;
  readonly status: GrpcStatus | undefined;
  readonly dial: DialFailure | undefined;
  readonly output: FetchOutput | undefined;
  /** Exit code 0 and at least one SVID printed. */
  readonly succeeded: boolean;
  readonly stderr: string;
  /** The `-socketPath` the fetch was run with, when the gatherer recorded it. */
  readonly socketPath?: string;
  /** The container the fetch ran in, when the gatherer recorded it. */
  readonly container?: string;
}

export interface WorkloadView {
  readonly pod: KubePod | undefined;
  readonly node: string | undefined;
  readonly entries: readonly EntryJson[] | undefined;
  readonly agents: readonly AgentJson[] | undefined;
  /** Agent pods scheduled on the workload's node, the one most likely serving first. */
  readonly agentPodsOnNode: readonly KubePod[] | undefined;
  readonly nodeAgent: NodeAgent | undefined;
  readonly agentLog: AgentLogFacts | undefined;
  readonly agentConfigText: string | undefined;
  readonly agentHealthy: boolean | undefined;
  readonly fetch: FetchView | undefined;
}

const views = new WeakMap<Evidence, WorkloadView>();

function agentIdFromLog(facts: AgentLogFacts | undefined): string | undefined {
  const records = facts?.records ?? [];
  return records.find((record) => record.message === AGENT_MESSAGES.nodeAttested)?.fields.spiffe_id;
}

function toNodeAgent(agent: AgentJson, match: AgentMatch): NodeAgent {
  return { agent, id: agentSpiffeId(agent), selectors: agentSelectors(agent), match };
}

function expiryOf(agent: AgentJson): number {
  return Number(agent.x509svid_expires_at ?? 0);
}

/**
 * Picks the current record among several for one node name: a re-created node leaves
 * the old node's record behind until it is purged. The record the agent logged as its
 * own wins, then the one named after the node's UID, then the latest expiry.
 */
function pickCurrentRecord(records: readonly AgentJson[], loggedId: string | undefined, nodeUid: string | undefined): AgentJson | undefined {
  return (
    records.find((agent) => agentSpiffeId(agent) === loggedId) ??
    records.find((agent) => nodeUid !== undefined && agent.id.path.endsWith(`/${nodeUid}`)) ??
    [...records].sort((a, b) => expiryOf(b) - expiryOf(a))[0]
  );
}

/** Finds the agent record of the workload's node: by node-name selector, by the ID the agent logged, by node UID, or the only agent. */
export function findNodeAgent(evidence: Evidence, agents: readonly AgentJson[], node: string | undefined, facts: AgentLogFacts | undefined): NodeAgent | undefined {
  const loggedId = agentIdFromLog(facts);
  const nodeUid = evidence.node?.metadata?.uid;
  const byNodeName = agents.filter((agent) => node !== undefined && agentSelectors(agent).some((selector) => selector.endsWith(`:agent_node_name:${node}`)));
  const current = pickCurrentRecord(byNodeName, loggedId, nodeUid);
  if (current !== undefined) {
    return toNodeAgent(current, 'node-selector');
  }

  const byLog = agents.find((agent) => agentSpiffeId(agent) === loggedId);
  if (byLog !== undefined) {
    return toNodeAgent(byLog, 'agent-log');
  }

  const byUid = agents.find((agent) => nodeUid !== undefined && agent.id.path.endsWith(`/${nodeUid}`));
  if (byUid !== undefined) {
    return toNodeAgent(byUid, 'node-uid');
  }

  // A lone agent that names no node may be this node's; one that names another node is not.
  const [only, ...others] = agents;
  const namesANode = only !== undefined && agentSelectors(only).some((selector) => selector.includes(':agent_node_name:'));
  return only !== undefined && others.length === 0 && facts !== undefined && !namesANode ? toNodeAgent(only, 'assumed') : undefined;
}

function servingScore(pod: KubePod): number {
  const deleting = pod.metadata?.deletionTimestamp !== undefined ? 4 : 0;
  const notRunning = pod.status?.phase === 'Running' ? 0 : 2;
  const notReady = (pod.status?.containerStatuses ?? []).every((status) => status.ready === true) ? 0 : 1;
  return deleting + notRunning + notReady;
}

/**
 * Orders a node's agent pods so the one serving comes first: during a DaemonSet
 * rollout the old pod is terminating while the new one already runs.
 */
function rankAgentPods(pods: readonly KubePod[]): readonly KubePod[] {
  return [...pods].sort((a, b) => servingScore(a) - servingScore(b));
}

function readFetch(evidence: Evidence): FetchView | undefined {
  const fetch = evidence.workloadFetch;
  if (fetch === undefined) {
    return undefined;
  }
  const output = parseFetchOutput(fetch.stdout);
  const stderr = fetch.stderr ?? '';
  return {
    exitCode: fetch.exitCode,
    status: parseGrpcStatus(stderr),
    dial: findDialFailure(stderr),
    output,
    succeeded: fetch.exitCode === 0 && (output?.svids.length ?? 0) > 0,
    stderr,
    ...(fetch.socketPath === undefined ? {} : { socketPath: fetch.socketPath }),
    ...(fetch.container === undefined ? {} : { container: fetch.container }),
  };
}

function buildView(evidence: Evidence): WorkloadView {
  const pod = evidence.pod;
  const node = findPodNode(pod);
  const logLines = findAgentLogs(evidence, node);
  const agentLog = logLines === undefined ? undefined : collectAgentLogFacts(parseLogRecords(logLines), pod);
  const agents = evidence.agents === undefined ? undefined : readAgents(evidence.agents);

  return {
    pod,
    node,
    entries: evidence.entries === undefined ? undefined : readEntries(evidence.entries),
    agents,
    agentPodsOnNode: evidence.agentPods === undefined ? undefined : rankAgentPods(evidence.agentPods.filter((agentPod) => node !== undefined && agentPod.spec?.nodeName === node)),
    nodeAgent: agents === undefined ? undefined : findNodeAgent(evidence, agents, node, agentLog),
    agentLog,
    agentConfigText: findAgentConfig(evidence, node),
    agentHealthy: findAgentHealth(evidence, node)?.healthy,
    fetch: readFetch(evidence),
  };
}

/** Returns the shared facts about the evidence's workload, computing them on first use. */
export function viewWorkload(evidence: Evidence): WorkloadView {
  const cached = views.get(evidence);
  if (cached !== undefined) {
    return cached;
  }
  const view = buildView(evidence);
  views.set(evidence, view);
  return view;
}
