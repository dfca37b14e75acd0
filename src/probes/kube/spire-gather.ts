/**
 * The probes of SPIRE's own side of a cluster, shared by the single-pod and the fleet
 * gather: agent pods, their config, health and logs, and the server's entries, agents,
 * logs and config, plus the Controller Manager's resources and config. Each probe is a
 * memoised promise, so dependent probes share results.
 */
import type { KubeCustomResource, KubePod } from '../../evidence/kube-types.js';
import { ProbeSkippedError } from '../errors.js';
import type { ProbeRunner } from '../probe-runner.js';
import { isKubeApiError } from './errors.js';
import { describeGatherFailure, type Permission } from './gather-failure.js';
import { findConfiguredSocketPath } from './socket-path.js';
import { runAgentHealthcheck, runSpireJsonCommand, splitLogLines, type ExecTarget } from './spire-cli.js';
import { DEFAULT_AGENT_SOCKET_PATH, type SpireLayout } from './spire-layout.js';
import { describeLocations, describeNotRunning, findConfigText, findPodOnNode, findSpirePods, pickContainer, pickServerPod, type FoundPods } from './spire-pods.js';
import type { KubeConfigMap, KubeSource } from './source.js';

/** The custom resources of the SPIRE Controller Manager (group `spire.spiffe.io`, version `v1alpha1`). */
export const CONTROLLER_RESOURCES = [
  { field: 'clusterSPIFFEIDs', plural: 'clusterspiffeids' },
  { field: 'clusterStaticEntries', plural: 'clusterstaticentries' },
] as const;

/** SPIRE-side probes of one gather run. */
export class SpireGather {
  private agentPodsPromise: Promise<FoundPods | undefined> | undefined;
  private serverPodsPromise: Promise<FoundPods | undefined> | undefined;
  private agentConfigPromise: Promise<string | undefined> | undefined;
  private serverConfigMapsPromise: Promise<KubeConfigMap[]> | undefined;
  private agentNamespace: string | undefined;
  private serverNamespace: string | undefined;

  constructor(
    private readonly source: KubeSource,
    private readonly runner: ProbeRunner<Permission>,
    readonly layout: SpireLayout,
    private readonly logTailLines: number,
  ) {}

  /** Reads registration entries from the server by exec (`spire-server entry show -output json`). */
  entries() {
    return this.serverJson('entries', ['entry', 'show', '-output', 'json']);
  }

  /** Reads attested agents from the server by exec (`spire-server agent list -output json`). */
  agents() {
    return this.serverJson('agents', ['agent', 'list', '-output', 'json']);
  }

  /** Lists the Controller Manager's ClusterSPIFFEIDs and ClusterStaticEntries, absent when their CRDs are not installed. */
  async controllerResources(): Promise<{ clusterSPIFFEIDs?: KubeCustomResource[]; clusterStaticEntries?: KubeCustomResource[] }> {
    const [clusterSPIFFEIDs, clusterStaticEntries] = await Promise.all(
      CONTROLLER_RESOURCES.map((resource) => this.customResources(resource.field, resource.plural)),
    );
    return { clusterSPIFFEIDs, clusterStaticEntries };
  }

  agentPods(): Promise<FoundPods | undefined> {
    this.agentPodsPromise ??= this.runner.run('agentPods', () => this.inAgentNamespace('list', 'pods'), async () => {
      const found = await findSpirePods(this.source, this.layout.agentLocations);
      if (found === undefined) throw new ProbeSkippedError(`no SPIRE agent pods found in ${describeLocations(this.layout.agentLocations)}`);
      this.agentNamespace = found.location.namespace;
      return found;
    });
    return this.agentPodsPromise;
  }

  /** Finds the agent pod on a node, or throws ProbeSkippedError naming why there is none. */
  async agentOnNode(nodeName: string | undefined): Promise<{ pod: KubePod; target: ExecTarget }> {
    const found = await this.agentPods();
    if (found === undefined) throw new ProbeSkippedError(`not gathered because agent pods were not listed: ${this.runner.gatherErrors.agentPods ?? ''}`);
    if (nodeName === undefined) throw new ProbeSkippedError('the pod is not scheduled to a node yet');

    const pod = findPodOnNode(found.pods, nodeName);
    if (pod === undefined) throw new ProbeSkippedError(`no SPIRE agent pod runs on node ${nodeName}`);

    const container = pickContainer(pod, this.layout.agentContainer) ?? pickContainer(pod, undefined);
    return { pod, target: { namespace: found.location.namespace, pod: pod.metadata?.name ?? '', container: container?.name ?? '' } };
  }

  /** Runs `spire-agent healthcheck` in the agent on `nodeName`, recording failures under `field`. */
  agentHealth(field: string, nodeName: string | undefined) {
    return this.runner.run(field, () => this.inAgentNamespace('create', 'pods/exec'), async (signal) => {
      const { pod, target } = await this.agentOnNode(nodeName);
      const notRunning = describeNotRunning(pod, target.container);
      if (notRunning !== undefined) throw new ProbeSkippedError(`${notRunning}, so the health check cannot run`);

      const socketPath = await this.agentSocketPath(false);
      const command = [this.layout.agentBinary, 'healthcheck', ...(socketPath === undefined ? [] : ['-socketPath', socketPath])];
      return runAgentHealthcheck(this.source, { ...target, node: nodeName ?? '' }, command, signal);
    });
  }

  /**
   * Reads the tail of the log of the agent on `nodeName`, recording failures under `field`.
   * For an agent container that is not running, it reads the log of its last terminated run.
   */
  agentLogs(field: string, nodeName: string | undefined) {
    return this.runner.run(field, () => this.inAgentNamespace('get', 'pods/log'), async () => {
      const { pod, target } = await this.agentOnNode(nodeName);
      // A crash-looping agent has an empty current log, so the last run's log is read: it contains the error the agent exited with.
      const previous = describeNotRunning(pod, target.container) !== undefined && hasTerminatedRun(pod, target.container);
      const text = await this.source.readPodLog(target.namespace, target.pod, { container: target.container, tailLines: this.logTailLines, previous });
      return splitLogLines(text);
    });
  }

  agentConfig(): Promise<string | undefined> {
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
  async agentSocketPath(withDefault: boolean): Promise<string | undefined> {
    if (this.layout.agentSocketPath !== undefined) return this.layout.agentSocketPath;
    const config = await this.agentConfig();
    const configured = config === undefined ? undefined : findConfiguredSocketPath(config);
    return configured ?? (withDefault ? DEFAULT_AGENT_SOCKET_PATH : undefined);
  }

  /** Lists the SPIRE server pods as the `serverPods` evidence field. */
  serverPodList(): Promise<KubePod[] | undefined> {
    return this.runner.run('serverPods', () => this.inServerNamespace('list', 'pods'), async () => {
      const found = await this.serverPods();
      if (found === undefined) throw new ProbeSkippedError(`no SPIRE server pod found in ${describeLocations(this.layout.serverLocations)}`);
      return found.pods;
    });
  }

  serverPods(): Promise<FoundPods | undefined> {
    this.serverPodsPromise ??= findSpirePods(this.source, this.layout.serverLocations).then((found) => {
      this.serverNamespace = found?.location.namespace;
      return found;
    });
    return this.serverPodsPromise;
  }

  /** Finds the server pod and container to exec in, or throws ProbeSkippedError naming why there is none. */
  private async serverTarget(): Promise<ExecTarget & { readonly serverPod: KubePod }> {
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
    const container = pickContainer(pod, this.layout.serverContainer) ?? pickContainer(pod, undefined);
    return { namespace: found.location.namespace, pod: pod.metadata?.name ?? '', container: container?.name ?? '', serverPod: pod };
  }

  private serverJson(field: 'entries' | 'agents', subcommand: readonly string[]) {
    return this.runner.run(field, () => this.inServerNamespace('create', 'pods/exec'), async (signal) => {
      const target = await this.serverTarget();
      const notRunning = describeNotRunning(target.serverPod, target.container);
      if (notRunning !== undefined) throw new ProbeSkippedError(`${notRunning}, so spire-server ${subcommand.slice(0, 2).join(' ')} cannot run`);

      const command = [this.layout.serverBinary, ...subcommand, '-socketPath', this.layout.serverSocketPath];
      return runSpireJsonCommand(this.source, target, command, signal);
    });
  }

  /** Reads the tail of the server log, or of its last terminated run when the server container is not running. */
  serverLogs() {
    return this.runner.run('serverLogs', () => this.inServerNamespace('get', 'pods/log'), async () => {
      const target = await this.serverTarget();
      const previous = describeNotRunning(target.serverPod, target.container) !== undefined && hasTerminatedRun(target.serverPod, target.container);
      const text = await this.source.readPodLog(target.namespace, target.pod, { container: target.container, tailLines: this.logTailLines, previous });
      return splitLogLines(text);
    });
  }

  private serverConfigMaps(): Promise<KubeConfigMap[]> {
    this.serverConfigMapsPromise ??= this.serverTarget().then((target) => this.source.listConfigMaps(target.namespace));
    return this.serverConfigMapsPromise;
  }

  serverConfig() {
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
  async controllerManagerConfig(): Promise<string | undefined> {
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
}

function hasTerminatedRun(pod: KubePod, containerName: string): boolean {
  return pod.status?.containerStatuses?.find((status) => status.name === containerName)?.lastState?.terminated !== undefined;
}

function isNotFound(error: unknown): boolean {
  return isKubeApiError(error) && error.code === 404;
}
