/**
 * Gathers fleet evidence for `check`: the workload pods of a namespace, and per node the
 * SPIRE agent's health and logs, plus the server-side evidence that every pod shares.
 * In-pod Workload API fetches are left to the single-pod gather, because an exec per
 * pod would make a fleet check slow and noisy.
 */
import type { KubePod } from '../../evidence/kube-types.js';
import { UserError } from '../../errors.js';
import { EVIDENCE_API_VERSION, type Evidence } from '../../evidence/types.js';
import { silentLogger, type Logger } from '../../logger.js';
import { dropUndefined } from '../compact.js';
import { ProbeRunner, type ProbeObserver } from '../probe-runner.js';
import { isKubeApiError, isKubeUnreachableError } from './errors.js';
import { describeGatherFailure, describePermission, type Permission } from './gather-failure.js';
import { unreachableUserError } from './read-workload-pod.js';
import { SpireGather } from './spire-gather.js';
import { resolveSpireLayout, type SpireLayoutOptions } from './spire-layout.js';
import type { KubeSource } from './source.js';

/** The workloads to check: the pods of one namespace, optionally narrowed by labels. */
export interface NamespaceGatherRequest {
  readonly namespace: string;
  /** Label selector of the workload pods; default: every pod in the namespace. */
  readonly labelSelector?: string;
}

export interface NamespaceGatherOptions {
  readonly spire?: SpireLayoutOptions;
  /** Timeout of each probe in milliseconds; default 15000. */
  readonly probeTimeoutMs?: number;
  /** Log lines to read from the end of each agent log and the server log; default 200. */
  readonly logTailLines?: number;
  readonly onProbe?: ProbeObserver;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

/**
 * Gathers evidence about every workload pod in a namespace. SPIRE's own agent and
 * server pods are left out of `pods` when they share the namespace.
 *
 * @throws UserError when the pods cannot be listed (forbidden) or the API server cannot be reached.
 */
export async function gatherNamespaceEvidence(
  request: NamespaceGatherRequest,
  source: KubeSource,
  options: NamespaceGatherOptions = {},
): Promise<Evidence> {
  const gatheredAt = (options.now ?? (() => new Date()))().toISOString();
  const logger = (options.logger ?? silentLogger).child({ namespace: request.namespace });
  const runner = new ProbeRunner<Permission>(options.probeTimeoutMs ?? 15_000, options.onProbe ?? (() => {}), logger, describeGatherFailure);
  const spire = new SpireGather(source, runner, resolveSpireLayout(options.spire), options.logTailLines ?? 200);

  const listed = await listWorkloadPods(source, request);
  const spirePods = new Set([...((await spire.agentPods())?.pods ?? []), ...((await spire.serverPods().catch(() => undefined))?.pods ?? [])].map(podKey));
  const pods = listed.filter((pod) => !spirePods.has(podKey(pod)));
  const nodes = [...new Set(pods.map((pod) => pod.spec?.nodeName).filter((node): node is string => node !== undefined))].sort();

  const [agentHealth, agentLogs, agentConfig, entries, agents, serverPods, serverLogs, serverConfig, controllerManagerConfig, controllerResources] = await Promise.all([
    perNode(nodes, (node) => spire.agentHealth(`agentHealth.${node}`, node)),
    perNode(nodes, (node) => spire.agentLogs(`agentLogs.${node}`, node)),
    spire.agentConfig(),
    spire.entries(),
    spire.agents(),
    spire.serverPodList(),
    spire.serverLogs(),
    spire.serverConfig(),
    spire.controllerManagerConfig(),
    spire.controllerResources(),
  ]);

  return dropUndefined({
    apiVersion: EVIDENCE_API_VERSION,
    kind: 'Evidence',
    gatheredAt,
    pods,
    agentPods: (await spire.agentPods())?.pods,
    agentHealth,
    agentLogs,
    agentConfig,
    entries: entries as Evidence['entries'],
    agents: agents as Evidence['agents'],
    serverPods,
    serverLogs,
    serverConfig,
    controllerManagerConfig,
    ...controllerResources,
    gatherErrors: Object.keys(runner.gatherErrors).length > 0 ? { ...runner.gatherErrors } : undefined,
  });
}

async function listWorkloadPods(source: KubeSource, request: NamespaceGatherRequest): Promise<KubePod[]> {
  try {
    return await source.listPods(request.namespace, { labelSelector: request.labelSelector });
  } catch (error) {
    if (isKubeUnreachableError(error)) throw unreachableUserError(error, source);
    if (isKubeApiError(error) && error.code === 403) {
      const permission = describePermission({ verb: 'list', resource: 'pods', namespace: request.namespace });
      throw new UserError(`could not list pods in namespace "${request.namespace}": forbidden; grant ${permission}`, {
        cause: error,
        suggestions: [`Check your access with kubectl auth can-i list pods -n ${request.namespace}.`],
      });
    }
    throw error;
  }
}

/** Runs a probe per node and keeps the results that were gathered, keyed by node name. */
async function perNode<T>(nodes: readonly string[], probe: (node: string) => Promise<T | undefined>): Promise<Record<string, T> | undefined> {
  const results = await Promise.all(nodes.map(async (node) => ({ node, value: await probe(node) })));
  const gathered: Record<string, T> = {};
  for (const { node, value } of results) {
    if (value !== undefined) gathered[node] = value;
  }
  return Object.keys(gathered).length > 0 ? gathered : undefined;
}

function podKey(pod: KubePod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}
