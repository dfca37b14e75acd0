/**
 * The SPIRE deployment layout: namespaces, labels, containers, binaries and sockets. The defaults cover the SPIRE
 * Kubernetes quickstart (namespace `spire`, labels `app=spire-agent`/`app=spire-server`)
 * and the official Helm chart (`app.kubernetes.io/name=agent|server` in `spire-system`
 * and `spire-server`). Every option overrides the search for its part.
 */

/** A place to look for SPIRE pods: a namespace and a label selector. */
export interface PodLocation {
  readonly namespace: string;
  readonly labelSelector: string;
}

export interface SpireLayoutOptions {
  /** Namespace of the agent DaemonSet; default: each of `spire`, `spire-system` in turn. */
  readonly agentNamespace?: string;
  /** Label selector of agent pods; default: `app=spire-agent`, then `app.kubernetes.io/name=agent`. */
  readonly agentLabelSelector?: string;
  /** Container that runs the agent; default `spire-agent`. */
  readonly agentContainer?: string;
  /** Path of the agent binary in the agent image; default `/opt/spire/bin/spire-agent`. */
  readonly agentBinary?: string;
  /** The agent's Workload API socket path inside the agent container; default: `socket_path` from agent.conf, else `/tmp/spire-agent/public/api.sock`. */
  readonly agentSocketPath?: string;
  /** Namespace of the server; default: each of `spire`, `spire-server`, `spire-system` in turn. */
  readonly serverNamespace?: string;
  /** Label selector of server pods; default: `app=spire-server`, then `app.kubernetes.io/name=server`. */
  readonly serverLabelSelector?: string;
  /** Container that runs the server; default `spire-server`. */
  readonly serverContainer?: string;
  /** Path of the server binary in the server image; default `/opt/spire/bin/spire-server`. */
  readonly serverBinary?: string;
  /** The server's admin API socket inside the server container; default `/tmp/spire-server/private/api.sock`. */
  readonly serverSocketPath?: string;
  /** Binaries to try, in order, for the Workload API fetch in the workload container; default `spire-agent`, `/opt/spire/bin/spire-agent`. */
  readonly workloadAgentBinaries?: readonly string[];
}

/** Default public Workload API socket of a SPIRE agent (SPIRE 1.15 `cmd/spire-agent/cli/common/defaults_posix.go`). */
export const DEFAULT_AGENT_SOCKET_PATH = '/tmp/spire-agent/public/api.sock';
/** Default admin API socket of a SPIRE server (SPIRE 1.15, same defaults file for the server). */
export const DEFAULT_SERVER_SOCKET_PATH = '/tmp/spire-server/private/api.sock';

const QUICKSTART_AGENT: PodLocation = { namespace: 'spire', labelSelector: 'app=spire-agent' };
const HELM_AGENT_SELECTOR = 'app.kubernetes.io/name=agent';
const QUICKSTART_SERVER: PodLocation = { namespace: 'spire', labelSelector: 'app=spire-server' };
const HELM_SERVER_SELECTOR = 'app.kubernetes.io/name=server';

/** The layout with every default filled in. */
export interface SpireLayout {
  readonly agentLocations: readonly PodLocation[];
  readonly agentContainer: string;
  readonly agentBinary: string;
  readonly agentSocketPath: string | undefined;
  readonly serverLocations: readonly PodLocation[];
  readonly serverContainer: string;
  readonly serverBinary: string;
  readonly serverSocketPath: string;
  readonly workloadAgentBinaries: readonly string[];
}

/** Fills in defaults and expands the places to search for agent and server pods. */
export function resolveSpireLayout(options: SpireLayoutOptions = {}): SpireLayout {
  return {
    agentLocations: locations(options.agentNamespace, options.agentLabelSelector, [
      QUICKSTART_AGENT,
      { namespace: 'spire-system', labelSelector: HELM_AGENT_SELECTOR },
    ]),
    agentContainer: options.agentContainer ?? 'spire-agent',
    agentBinary: options.agentBinary ?? '/opt/spire/bin/spire-agent',
    agentSocketPath: options.agentSocketPath,
    serverLocations: locations(options.serverNamespace, options.serverLabelSelector, [
      QUICKSTART_SERVER,
      { namespace: 'spire-server', labelSelector: HELM_SERVER_SELECTOR },
      { namespace: 'spire-system', labelSelector: HELM_SERVER_SELECTOR },
    ]),
    serverContainer: options.serverContainer ?? 'spire-server',
    serverBinary: options.serverBinary ?? '/opt/spire/bin/spire-server',
    serverSocketPath: options.serverSocketPath ?? DEFAULT_SERVER_SOCKET_PATH,
    workloadAgentBinaries: options.workloadAgentBinaries ?? ['spire-agent', '/opt/spire/bin/spire-agent'],
  };
}

/**
 * Builds the search list: the defaults, narrowed by a namespace or selector the user gave.
 * A namespace alone keeps both default selectors; a selector alone keeps the default namespaces.
 */
function locations(namespace: string | undefined, labelSelector: string | undefined, defaults: readonly PodLocation[]): PodLocation[] {
  const namespaces = namespace !== undefined ? [namespace] : unique(defaults.map((location) => location.namespace));
  const selectors = labelSelector !== undefined ? [labelSelector] : unique(defaults.map((location) => location.labelSelector));

  if (namespace === undefined && labelSelector === undefined) return [...defaults];
  return namespaces.flatMap((candidate) => selectors.map((selector) => ({ namespace: candidate, labelSelector: selector })));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
