/**
 * Uniform access to evidence fields whose shape varies: `agentHealth`, `agentLogs`
 * and `agentConfig` are single values for one workload and objects keyed by node
 * name for fleet evidence.
 */
import type { AgentHealth, ByNode, Evidence } from '../../evidence/types.js';
import type { KubePod } from '../../evidence/kube-types.js';

function isAgentHealth(value: unknown): value is AgentHealth {
  return typeof value === 'object' && value !== null && typeof (value as { healthy?: unknown }).healthy === 'boolean';
}

/** Returns the node the workload pod is scheduled on, if known. */
export function findPodNode(pod: KubePod | undefined): string | undefined {
  return pod?.spec?.nodeName ?? undefined;
}

/** Returns the agent log lines for `node`, or the single list when the evidence has one. */
export function findAgentLogs(evidence: Evidence, node: string | undefined): readonly string[] | undefined {
  const logs = evidence.agentLogs;
  if (logs === undefined) {
    return undefined;
  }
  if (Array.isArray(logs)) {
    return logs as readonly string[];
  }

  return node === undefined ? undefined : (logs as ByNode<readonly string[]>)[node];
}

/** Returns the agent health check result for `node`, or the single result when the evidence has one. */
export function findAgentHealth(evidence: Evidence, node: string | undefined): AgentHealth | undefined {
  const health = evidence.agentHealth;
  if (health === undefined) {
    return undefined;
  }
  if (isAgentHealth(health)) {
    // A single result taken on another node says nothing about this node's agent.
    return health.node !== undefined && node !== undefined && health.node !== node ? undefined : health;
  }

  const byNode = health as ByNode<AgentHealth>;
  return node === undefined ? undefined : byNode[node];
}

/** Returns the agent.conf text for `node`, or the single text when the evidence has one. */
export function findAgentConfig(evidence: Evidence, node: string | undefined): string | undefined {
  const config = evidence.agentConfig;
  if (config === undefined || typeof config === 'string') {
    return config;
  }

  return node === undefined ? undefined : (config as ByNode<string>)[node];
}

/** Returns why `field` could not be gathered, when the gatherer recorded a reason. */
export function findGatherError(evidence: Evidence, field: string): string | undefined {
  return evidence.gatherErrors?.[field];
}
