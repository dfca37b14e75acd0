/**
 * Gathers the evidence about one Kubernetes workload pod. Every probe runs concurrently
 * with its own timeout, and a failure becomes a `gatherErrors` entry. Only a pod that
 * cannot be read at all (unknown pod, unreachable API server) stops the gather.
 */
import type { KubeEvent, KubePod } from '../../evidence/kube-types.js';
import { UserError } from '../../errors.js';
import { EVIDENCE_API_VERSION, type Evidence } from '../../evidence/types.js';
import { silentLogger, type Logger } from '../../logger.js';
import { ProbeSkippedError } from '../errors.js';
import { dropUndefined } from '../compact.js';
import { type ProbeObserver, ProbeRunner } from '../probe-runner.js';
import { describeGatherFailure, type Permission } from './gather-failure.js';
import { readWorkloadPod } from './read-workload-pod.js';
import { findWorkloadSocketPath } from './socket-path.js';
import { SpireGather } from './spire-gather.js';
import { DEFAULT_AGENT_SOCKET_PATH, resolveSpireLayout, type SpireLayoutOptions } from './spire-layout.js';
import { describeNotRunning, pickWorkloadContainer } from './spire-pods.js';
import type { KubeSource } from './source.js';
import { readServedCertificates } from './served-certificates.js';
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
  /**
   * Also connect to each TCP port the workload declares, through a port-forward, and
   * record the certificates it serves (`servedCertificates`). Default false.
   */
  readonly probeServedCertificates?: boolean;
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

/**
 * Gathers evidence about a pod from a cluster. It reads the pod, its node and events,
 * and the SPIRE agent on its node (health check, logs, config). From the server it reads
 * registration entries, agents, logs and config. It also reads Controller Manager
 * resources and config, and runs a Workload API fetch inside the workload container.
 *
 * @throws UserError when the pod does not exist, access to it is denied, the API server
 *   cannot be reached, or the pod has no container of the requested name.
 */
export async function gatherPodEvidence(request: PodGatherRequest, source: KubeSource, options: PodGatherOptions = {}): Promise<Evidence> {
  const gatheredAt = (options.now ?? (() => new Date()))().toISOString();
  const logger = (options.logger ?? silentLogger).child({ namespace: request.namespace, pod: request.pod });
  const runner = new ProbeRunner<Permission>(options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, options.onProbe ?? (() => {}), logger, describeGatherFailure);

  const pod = await readWorkloadPod(source, request, options.onProbe, options.probeTimeoutMs);
  requireRequestedContainer(pod, request);
  const spire = new SpireGather(source, runner, resolveSpireLayout(options.spire), options.logTailLines ?? DEFAULT_LOG_TAIL_LINES);
  const gather = new PodGather(request, pod, source, runner, spire, options);
  const fields = await gather.run();

  logger.debug('Evidence gathered', { gatherErrors: Object.keys(runner.gatherErrors).length });
  return dropUndefined({
    apiVersion: EVIDENCE_API_VERSION,
    kind: 'Evidence',
    gatheredAt,
    pod,
    ...fields,
    expectedSpiffeId: request.expectedSpiffeId,
    gatherErrors: Object.keys(runner.gatherErrors).length > 0 ? { ...runner.gatherErrors } : undefined,
  });
}

/** One gather run about one pod. */
class PodGather {
  private readonly namespace: string;
  private readonly nodeName: string | undefined;

  constructor(
    private readonly request: PodGatherRequest,
    private readonly pod: KubePod,
    private readonly source: KubeSource,
    private readonly runner: ProbeRunner<Permission>,
    private readonly spire: SpireGather,
    private readonly options: PodGatherOptions,
  ) {
    this.namespace = request.namespace;
    this.nodeName = pod.spec?.nodeName;
  }

  async run(): Promise<Partial<Evidence>> {
    const spire = this.spire;
    const [node, events, agentPods, agentHealth, agentLogs, agentConfig, entries, agents, serverLogs, serverConfig] = await Promise.all([
      this.node(),
      this.events(),
      spire.agentPods().then((found) => found?.pods),
      spire.agentHealth('agentHealth', this.nodeName),
      spire.agentLogs('agentLogs', this.nodeName),
      spire.agentConfig(),
      spire.entries(),
      spire.agents(),
      spire.serverLogs(),
      spire.serverConfig(),
    ]);
    const [serverPods, controllerManagerConfig, workloadFetch, controllerResources, servedCertificates] = await Promise.all([
      spire.serverPodList(),
      spire.controllerManagerConfig(),
      this.workloadFetch(),
      spire.controllerResources(),
      this.servedCertificates(),
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
      serverPods,
      serverLogs,
      serverConfig,
      controllerManagerConfig,
      workloadFetch,
      servedCertificates,
      ...controllerResources,
    };
  }

  private servedCertificates() {
    if (this.options.probeServedCertificates !== true) return Promise.resolve(undefined);
    return this.runner.run('servedCertificates', { verb: 'create', resource: 'pods/portforward', namespace: this.namespace }, (signal) =>
      readServedCertificates(this.source, this.namespace, this.pod, signal),
    );
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

  private workloadFetch() {
    return this.runner.run('workloadFetch', { verb: 'create', resource: 'pods/exec', namespace: this.namespace }, async (signal) => {
      const container = pickWorkloadContainer(this.pod, this.request.container);
      if (container === undefined) throw new ProbeSkippedError(`pod ${this.request.pod} has no container ${this.request.container ?? ''}`.trim());
      const notRunning = describeNotRunning(this.pod, container.name ?? '');
      if (notRunning !== undefined) throw new ProbeSkippedError(`${notRunning}, so it cannot run the fetch`);

      // DaemonSet pods share one spec, so another node's agent pod shows the socket's host path when this node has none.
      const agentPod = (await this.spire.agentOnNode(this.nodeName).catch(() => undefined))?.pod ?? (await this.spire.agentPods())?.pods[0];
      const agentSocketPath = (await this.spire.agentSocketPath(true)) ?? DEFAULT_AGENT_SOCKET_PATH;
      const socket = findWorkloadSocketPath(container, this.pod, { pod: agentPod, container: this.spire.layout.agentContainer, socketPath: agentSocketPath });
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
          binaries: this.spire.layout.workloadAgentBinaries,
          allowDebugContainer: this.options.allowDebugContainer ?? false,
          debugImage: this.options.debugImage ?? DEFAULT_DEBUG_IMAGE,
        },
        signal,
      );
    });
  }
}

function requireRequestedContainer(pod: KubePod, request: PodGatherRequest): void {
  if (request.container === undefined || pickWorkloadContainer(pod, request.container) !== undefined) return;

  const names = (pod.spec?.containers ?? []).map((container) => container.name ?? '').join(', ');
  throw new UserError(`container "${request.container}" not found in pod "${request.pod}"`, {
    suggestions: [`Pass one of its containers: ${names || '(none)'}.`],
  });
}

function sortOldestFirst(events: readonly KubeEvent[]): KubeEvent[] {
  const time = (event: KubeEvent) => Date.parse(event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? '') || 0;
  return [...events].sort((a, b) => time(a) - time(b));
}
