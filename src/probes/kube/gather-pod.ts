/**
 * Gathers the evidence about one Kubernetes workload pod. Every probe runs concurrently
 * with its own timeout, and a failure becomes a `gatherErrors` entry. Only a pod that
 * cannot be read at all (unknown pod, unreachable API server) stops the gather.
 */
import type { KubeCustomResource, KubeEvent, KubePod } from '../../evidence/kube-types.js';
import { EVIDENCE_API_VERSION, type Evidence } from '../../evidence/types.js';
import { silentLogger, type Logger } from '../../logger.js';
import { ProbeSkippedError } from '../errors.js';
import { isKubeApiError } from './errors.js';
import { describeGatherFailure, type Permission } from './gather-failure.js';
import { type ProbeObserver, ProbeRunner } from '../probe-runner.js';
import { readWorkloadPod } from './read-workload-pod.js';
import { findConfiguredSocketPath, findWorkloadSocketPath } from './socket-path.js';
import { runAgentHealthcheck, runSpireJsonCommand, splitLogLines, type ExecTarget } from './spire-cli.js';
import { DEFAULT_AGENT_SOCKET_PATH, resolveSpireLayout, type SpireLayout, type SpireLayoutOptions } from './spire-layout.js';
import {
  describeLocations,
  findConfigText,
  findPodOnNode,
  findSpirePods,
  pickContainer,
  pickServerPod,
  pickWorkloadContainer,
  type FoundPods,
} from './spire-pods.js';
import type { KubeConfigMap, KubeSource } from './source.js';
import { DEFAULT_DEBUG_IMAGE, fetchInWorkload } from './workload-fetch.js';

/** The workload to diagnose. */
export interface PodGatherRequest {
  readonly namespace: string;
  readonly pod: string;
  /** Workload container; default: the `kubectl.kubernetes.io/default-container` annotation, else the first container. */
  readonly container?: string;
  /** The SPIFFE ID the workload or its peers expect, copied into the evidence. */
  readonly expectedSpiffeId?: string;
}

export interface PodGatherOptions {
  /** Namespaces, labels, containers, binaries and sockets of the SPIRE deployment; see {@link SpireLayoutOptions} for defaults. */
  readonly spire?: SpireLayoutOptions;
  /** Timeout of each probe in milliseconds; default 15000. */
  readonly probeTimeoutMs?: number;
  /** Log lines to read from the end of the agent and server logs; default 200. */
  readonly logTailLines?: number;
  /**
   * Allow an ephemeral debug container for the Workload API fetch when the workload image
   * has no spire-agent binary. It PATCHes `pods/ephemeralcontainers`, which changes the
   * pod, so the caller must ask the user first. Default false.
   */
  readonly allowDebugContainer?: boolean;
  /** Image of the debug container; default `ghcr.io/spiffe/spire-agent:1.15.3`. */
  readonly debugImage?: string;
  /** Called when each probe starts and ends. */
  readonly onProbe?: ProbeObserver;
  readonly logger?: Logger;
  /** Clock for `gatheredAt`; default the system clock. */
  readonly now?: () => Date;
}

const DEFAULT_PROBE_TIMEOUT_MS = 15_000;
const DEFAULT_LOG_TAIL_LINES = 200;

/** The custom resources of the SPIRE Controller Manager (group `spire.spiffe.io`, version `v1alpha1`). */
const CONTROLLER_RESOURCES = [
  { field: 'clusterSPIFFEIDs', plural: 'clusterspiffeids' },
  { field: 'clusterStaticEntries', plural: 'clusterstaticentries' },
] as const;

/**
 * Gathers evidence about a pod from a cluster. It reads the pod, its node and events,
 * and the SPIRE agent on its node (health check, logs, config). From the server it reads
 * registration entries, agents, logs and config. It also reads Controller Manager
 * resources and config, and runs a Workload API fetch inside the workload container.
 *
 * @throws UserError when the pod does not exist, access to it is denied, or the API
 *   server cannot be reached.
 */
export async function gatherPodEvidence(request: PodGatherRequest, source: KubeSource, options: PodGatherOptions = {}): Promise<Evidence> {
  const gatheredAt = (options.now ?? (() => new Date()))().toISOString();
  const logger = (options.logger ?? silentLogger).child({ namespace: request.namespace, pod: request.pod });
  const runner = new ProbeRunner<Permission>(options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, options.onProbe ?? (() => {}), logger, describeGatherFailure);

  const pod = await readWorkloadPod(source, request, options.onProbe);
  const gather = new PodGather(request, pod, source, runner, resolveSpireLayout(options.spire), options);
  const fields = await gather.run();

  logger.debug('Evidence gathered', { gatherErrors: Object.keys(runner.gatherErrors).length });
  return compact({
    apiVersion: EVIDENCE_API_VERSION,
    kind: 'Evidence',
    gatheredAt,
    pod,
    ...fields,
    expectedSpiffeId: request.expectedSpiffeId,
    gatherErrors: Object.keys(runner.gatherErrors).length > 0 ? { ...runner.gatherErrors } : undefined,
  });
}

/** One gather run: each probe is a memoised promise, so dependent probes share results. */
class PodGather {
  private readonly namespace: string;
  private readonly nodeName: string | undefined;
  private readonly logTailLines: number;
  private agentPodsPromise: Promise<FoundPods | undefined> | undefined;
  private serverPodsPromise: Promise<FoundPods | undefined> | undefined;
  private agentConfigPromise: Promise<string | undefined> | undefined;
  private serverConfigMapsPromise: Promise<KubeConfigMap[]> | undefined;
  private agentNamespace: string | undefined;
  private serverNamespace: string | undefined;

  constructor(
    private readonly request: PodGatherRequest,
    private readonly pod: KubePod,
    private readonly source: KubeSource,
    private readonly runner: ProbeRunner<Permission>,
    private readonly layout: SpireLayout,
    private readonly options: PodGatherOptions,
  ) {
    this.namespace = request.namespace;
    this.nodeName = pod.spec?.nodeName;
    this.logTailLines = options.logTailLines ?? DEFAULT_LOG_TAIL_LINES;
  }

  async run(): Promise<Partial<Evidence>> {
    const [node, events, agentPods, agentHealth, agentLogs, agentConfig, entries, agents, serverLogs, serverConfig] = await Promise.all([
      this.node(),
      this.events(),
      this.agentPods().then((found) => found?.pods),
      this.agentHealth(),
      this.agentLogs(),
      this.agentConfig(),
      this.serverJson('entries', ['entry', 'show', '-output', 'json']),
      this.serverJson('agents', ['agent', 'list', '-output', 'json']),
      this.serverLogs(),
      this.serverConfig(),
    ]);
    const [controllerManagerConfig, workloadFetch, ...customResources] = await Promise.all([
      this.controllerManagerConfig(),
      this.workloadFetch(),
      ...CONTROLLER_RESOURCES.map((resource) => this.customResources(resource.field, resource.plural)),
    ]);

    return {
      node,
      events,
      agentPods,
      agentHealth,
      agentLogs,
      agentConfig,
      entries: entries as Evidence['entries'],
      agents: agents as Evidence['agents'],
      serverLogs,
      serverConfig,
      controllerManagerConfig,
      workloadFetch,
      clusterSPIFFEIDs: customResources[0],
      clusterStaticEntries: customResources[1],
    };
  }

  private node() {
    const nodeName = this.nodeName;
    if (nodeName === undefined) return Promise.resolve(this.runner.skip('node', 'the pod is not scheduled to a node yet'));
    return this.runner.run('node', { verb: 'get', resource: 'nodes' }, () => this.source.readNode(nodeName));
  }

  private events() {
    const fieldSelector = `involvedObject.name=${this.request.pod},involvedObject.namespace=${this.namespace}`;
    return this.runner.run('events', { verb: 'list', resource: 'events', namespace: this.namespace }, async () =>
      sortOldestFirst(await this.source.listEvents(this.namespace, { fieldSelector })),
    );
  }

  private agentPods(): Promise<FoundPods | undefined> {
    this.agentPodsPromise ??= this.runner.run('agentPods', () => this.inAgentNamespace('list', 'pods'), async () => {
      const found = await findSpirePods(this.source, this.layout.agentLocations);
      if (found === undefined) throw new ProbeSkippedError(`no SPIRE agent pods found in ${describeLocations(this.layout.agentLocations)}`);
      this.agentNamespace = found.location.namespace;
      return found;
    });
    return this.agentPodsPromise;
  }

  /** Finds the agent pod on the workload's node, or throws ProbeSkippedError naming why there is none. */
  private async agentOnNode(): Promise<{ pod: KubePod; target: ExecTarget }> {
    const found = await this.agentPods();
    if (found === undefined) throw new ProbeSkippedError(`not gathered because agent pods were not listed: ${this.runner.gatherErrors.agentPods ?? ''}`);
    if (this.nodeName === undefined) throw new ProbeSkippedError('the pod is not scheduled to a node yet');

    const pod = findPodOnNode(found.pods, this.nodeName);
    if (pod === undefined) throw new ProbeSkippedError(`no SPIRE agent pod runs on node ${this.nodeName}`);

    const container = pickContainer(pod, this.layout.agentContainer) ?? pickContainer(pod, undefined);
    return { pod, target: { namespace: found.location.namespace, pod: pod.metadata?.name ?? '', container: container?.name ?? '' } };
  }

  private agentHealth() {
    return this.runner.run('agentHealth', () => this.inAgentNamespace('create', 'pods/exec'), async (signal) => {
      const { target } = await this.agentOnNode();
      const socketPath = await this.agentSocketPath(false);
      const command = [this.layout.agentBinary, 'healthcheck', ...(socketPath === undefined ? [] : ['-socketPath', socketPath])];
      return runAgentHealthcheck(this.source, { ...target, node: this.nodeName ?? '' }, command, signal);
    });
  }

  private agentLogs() {
    return this.runner.run('agentLogs', () => this.inAgentNamespace('get', 'pods/log'), async () => {
      const { target } = await this.agentOnNode();
      const text = await this.source.readPodLog(target.namespace, target.pod, { container: target.container, tailLines: this.logTailLines });
      return splitLogLines(text);
    });
  }

  private agentConfig(): Promise<string | undefined> {
    this.agentConfigPromise ??= this.runner.run('agentConfig', () => this.inAgentNamespace('list', 'configmaps'), async () => {
      const found = await this.agentPods();
      if (found === undefined) throw new ProbeSkippedError(`not gathered because agent pods were not listed: ${this.runner.gatherErrors.agentPods ?? ''}`);

      const configMaps = await this.source.listConfigMaps(found.location.namespace);
      const text = findConfigText(configMaps, (key) => key === 'agent.conf', found.pods[0]);
      if (text === undefined) throw new ProbeSkippedError(`no ConfigMap in namespace ${found.location.namespace} has an agent.conf key`);
      return text;
    });
    return this.agentConfigPromise;
  }

  /**
   * Returns the agent's socket path inside its container: the layout option, else
   * `socket_path` from agent.conf, else (when `withDefault`) SPIRE's default.
   */
  private async agentSocketPath(withDefault: boolean): Promise<string | undefined> {
    if (this.layout.agentSocketPath !== undefined) return this.layout.agentSocketPath;
    const config = await this.agentConfig();
    const configured = config === undefined ? undefined : findConfiguredSocketPath(config);
    return configured ?? (withDefault ? DEFAULT_AGENT_SOCKET_PATH : undefined);
  }

  private serverPods(): Promise<FoundPods | undefined> {
    this.serverPodsPromise ??= findSpirePods(this.source, this.layout.serverLocations);
    return this.serverPodsPromise;
  }

  /** Finds the server pod and container to exec in, or throws ProbeSkippedError naming why there is none. */
  private async serverTarget(): Promise<ExecTarget> {
    let found: FoundPods | undefined;
    try {
      found = await this.serverPods();
    } catch (error) {
      const permission = { verb: 'list', resource: 'pods', namespace: this.layout.serverLocations[0]?.namespace ?? '' };
      throw new ProbeSkippedError(`could not list SPIRE server pods: ${describeGatherFailure(error, permission)}`);
    }

    const pod = found === undefined ? undefined : pickServerPod(found.pods);
    if (found === undefined || pod === undefined) {
      throw new ProbeSkippedError(`no SPIRE server pod found in ${describeLocations(this.layout.serverLocations)}`);
    }
    this.serverNamespace = found.location.namespace;
    const container = pickContainer(pod, this.layout.serverContainer) ?? pickContainer(pod, undefined);
    return { namespace: found.location.namespace, pod: pod.metadata?.name ?? '', container: container?.name ?? '' };
  }

  private serverJson(field: 'entries' | 'agents', subcommand: readonly string[]) {
    return this.runner.run(field, () => this.inServerNamespace('create', 'pods/exec'), async (signal) => {
      const target = await this.serverTarget();
      const command = [this.layout.serverBinary, ...subcommand, '-socketPath', this.layout.serverSocketPath];
      return runSpireJsonCommand(this.source, target, command, signal);
    });
  }

  private serverLogs() {
    return this.runner.run('serverLogs', () => this.inServerNamespace('get', 'pods/log'), async () => {
      const target = await this.serverTarget();
      const text = await this.source.readPodLog(target.namespace, target.pod, { container: target.container, tailLines: this.logTailLines });
      return splitLogLines(text);
    });
  }

  private serverConfigMaps(): Promise<KubeConfigMap[]> {
    this.serverConfigMapsPromise ??= this.serverTarget().then((target) => this.source.listConfigMaps(target.namespace));
    return this.serverConfigMapsPromise;
  }

  private serverConfig() {
    return this.runner.run('serverConfig', () => this.inServerNamespace('list', 'configmaps'), async () => {
      const configMaps = await this.serverConfigMaps();
      const serverPod = pickServerPod((await this.serverPods())?.pods ?? []);
      const text = findConfigText(configMaps, (key) => key === 'server.conf', serverPod);
      if (text === undefined) throw new ProbeSkippedError(`no ConfigMap in namespace ${this.serverNamespace ?? ''} has a server.conf key`);
      return text;
    });
  }

  /** Returns the permission a probe in the agent's namespace needs: the namespace discovery found, else the first one searched. */
  private inAgentNamespace(verb: string, resource: string): Permission {
    return { verb, resource, namespace: this.agentNamespace ?? this.layout.agentLocations[0]?.namespace ?? '' };
  }

  private inServerNamespace(verb: string, resource: string): Permission {
    return { verb, resource, namespace: this.serverNamespace ?? this.layout.serverLocations[0]?.namespace ?? '' };
  }

  /** Finds the optional Controller Manager config; it stays absent, with no gather error, when no ConfigMap contains it. */
  private async controllerManagerConfig(): Promise<string | undefined> {
    const configMaps = await this.serverConfigMaps().catch(() => undefined);
    if (configMaps === undefined) return undefined;
    return findConfigText(configMaps, (key) => /controller-manager.*\.ya?ml$/.test(key), undefined);
  }

  /** Lists optional custom resources; a 404 means their CRD is not installed, which leaves the field absent with no gather error. */
  private async customResources(field: string, plural: string): Promise<KubeCustomResource[] | undefined> {
    return this.runner.run(field, { verb: 'list', resource: `${plural}.spire.spiffe.io` }, async () => {
      try {
        return await this.source.listClusterCustomObjects('spire.spiffe.io', 'v1alpha1', plural);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  private workloadFetch() {
    return this.runner.run('workloadFetch', { verb: 'create', resource: 'pods/exec', namespace: this.namespace }, async (signal) => {
      const container = pickWorkloadContainer(this.pod, this.request.container);
      if (container === undefined) throw new ProbeSkippedError(`pod ${this.request.pod} has no container ${this.request.container ?? ''}`.trim());

      // DaemonSet pods share one spec, so another node's agent pod shows the socket's host path when this node has none.
      const agentPod = (await this.agentOnNode().catch(() => undefined))?.pod ?? (await this.agentPods())?.pods[0];
      const agentSocketPath = (await this.agentSocketPath(true)) ?? DEFAULT_AGENT_SOCKET_PATH;
      const socket = findWorkloadSocketPath(container, this.pod, { pod: agentPod, container: this.layout.agentContainer, socketPath: agentSocketPath });
      if (socket === undefined) {
        throw new ProbeSkippedError(`container ${container.name ?? ''} sets no SPIFFE_ENDPOINT_SOCKET and mounts no volume with the agent socket, so there is no socket path to fetch from`);
      }

      return fetchInWorkload(
        this.source,
        {
          namespace: this.namespace,
          pod: this.pod,
          container,
          socket,
          binaries: this.layout.workloadAgentBinaries,
          allowDebugContainer: this.options.allowDebugContainer ?? false,
          debugImage: this.options.debugImage ?? DEFAULT_DEBUG_IMAGE,
        },
        signal,
      );
    });
  }
}

function isNotFound(error: unknown): boolean {
  return isKubeApiError(error) && error.code === 404;
}

function sortOldestFirst(events: readonly KubeEvent[]): KubeEvent[] {
  const time = (event: KubeEvent) => Date.parse(event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? '') || 0;
  return [...events].sort((a, b) => time(a) - time(b));
}

/** Drops undefined fields so a field that was not gathered is absent, as the evidence format expects. */
function compact(evidence: Record<string, unknown>): Evidence {
  return Object.fromEntries(Object.entries(evidence).filter(([, value]) => value !== undefined)) as Evidence;
}
