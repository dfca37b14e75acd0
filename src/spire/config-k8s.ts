/**
 * Typed views of the Kubernetes plugins' `plugin_data`: the `k8s` workload attestor
 * (`pkg/agent/plugin/workloadattestor/k8s/k8s.go` `HCLConfig`) and the `k8s_psat` node
 * attestor on the agent and the server (`pkg/{agent,server}/plugin/nodeattestor/k8spsat/psat.go`).
 * Keys and defaults are from SPIRE 1.16.0-dev (ef8527ec9).
 */
import { SpireConfigError } from './config-errors.js';
import { childScope, findUnknownKeys, optional, readBoolean, readDuration, readInteger, readPort, readString, readStringList, type ConfigScope } from './config-values.js';
import type { SpirePluginConfig } from './config-plugins.js';
import type { HclObject } from './hcl.js';

/** Keys the `k8s` workload attestor accepts; it rejects any other with InvalidArgument. */
const K8S_WORKLOAD_ATTESTOR_KEYS = new Set([
  'kubelet_read_only_port',
  'kubelet_secure_port',
  'disable_kubelet_client',
  'max_poll_attempts',
  'poll_retry_interval',
  'kubelet_ca_path',
  'skip_kubelet_verification',
  'token_path',
  'certificate_path',
  'private_key_path',
  'use_anonymous_authentication',
  'node_name_env',
  'node_name',
  'reload_interval',
  'disable_container_selectors',
  'use_new_container_locator',
  'verbose_container_locator_logs',
  'enable_namespace_labels',
  'sigstore',
  'experimental',
]);

/** The `k8s` workload attestor's settings with SPIRE's defaults filled in. */
export interface K8sWorkloadAttestorConfig {
  /** `kubelet_read_only_port`: plain HTTP to 127.0.0.1; unset by default. */
  readonly kubeletReadOnlyPort?: number;
  /** `kubelet_secure_port`; 10250 when neither port is set, undefined when the read-only port is used. */
  readonly kubeletSecurePort?: number;
  readonly kubeletCaPath: string;
  readonly skipKubeletVerification: boolean;
  readonly tokenPath: string;
  readonly certificatePath?: string;
  readonly privateKeyPath?: string;
  readonly useAnonymousAuthentication: boolean;
  /** Environment variable the node name is read from, default `MY_NODE_NAME`. */
  readonly nodeNameEnv: string;
  /** `node_name`, which overrides `node_name_env`. */
  readonly nodeName?: string;
  readonly maxPollAttempts: number;
  /** Milliseconds. */
  readonly pollRetryInterval: number;
  /** Milliseconds. */
  readonly reloadInterval: number;
  readonly disableContainerSelectors: boolean;
  /** SPIRE treats an absent value as true. */
  readonly useNewContainerLocator: boolean;
  readonly verboseContainerLocatorLogs: boolean;
  /** Adds `k8s:ns-label:` selectors (SPIRE 1.15.3 and later). */
  readonly enableNamespaceLabels: boolean;
  /** SPIRE 1.15.3 and later. PID attestation fails with FailedPrecondition when true. */
  readonly disableKubeletClient: boolean;
  /** True when a `sigstore` block is present. */
  readonly sigstoreEnabled: boolean;
  /** Keys the plugin rejects, as dotted paths under `plugin_data`. */
  readonly unknownKeys: readonly string[];
  /**
   * Settings the plugin rejects at configure time, as SPIRE words them
   * ("cannot use both the read-only and secure port").
   */
  readonly problems: readonly string[];
}

/**
 * Reads the `k8s` workload attestor's plugin_data.
 *
 * @throws SpireConfigError for a value of the wrong type or an invalid duration.
 */
export function readK8sWorkloadAttestorConfig(source: SpirePluginConfig | Record<string, unknown>): K8sWorkloadAttestorConfig {
  const scope = pluginDataScope(source, 'plugins.WorkloadAttestor.k8s.plugin_data');
  const readOnlyPort = readPort(scope, 'kubelet_read_only_port');
  const securePort = readPort(scope, 'kubelet_secure_port');
  const certificatePath = readString(scope, 'certificate_path');
  const privateKeyPath = readString(scope, 'private_key_path');

  return {
    ...optional('kubeletReadOnlyPort', positive(readOnlyPort)),
    ...optional('kubeletSecurePort', positive(securePort) ?? (positive(readOnlyPort) === undefined ? 10250 : undefined)),
    kubeletCaPath: readString(scope, 'kubelet_ca_path') || '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    skipKubeletVerification: readBoolean(scope, 'skip_kubelet_verification') ?? false,
    tokenPath: readString(scope, 'token_path') || '/var/run/secrets/kubernetes.io/serviceaccount/token',
    ...optional('certificatePath', certificatePath),
    ...optional('privateKeyPath', privateKeyPath),
    useAnonymousAuthentication: readBoolean(scope, 'use_anonymous_authentication') ?? false,
    nodeNameEnv: readString(scope, 'node_name_env') || 'MY_NODE_NAME',
    ...optional('nodeName', readString(scope, 'node_name') || undefined),
    maxPollAttempts: positive(readInteger(scope, 'max_poll_attempts')) ?? 60,
    pollRetryInterval: readDuration(scope, 'poll_retry_interval') || 500,
    reloadInterval: readDuration(scope, 'reload_interval') || 60_000,
    disableContainerSelectors: readBoolean(scope, 'disable_container_selectors') ?? false,
    useNewContainerLocator: readBoolean(scope, 'use_new_container_locator') ?? true,
    verboseContainerLocatorLogs: readBoolean(scope, 'verbose_container_locator_logs') ?? false,
    enableNamespaceLabels: readBoolean(scope, 'enable_namespace_labels') ?? false,
    disableKubeletClient: readBoolean(scope, 'disable_kubelet_client') ?? false,
    sigstoreEnabled: Object.hasOwn(scope.object, 'sigstore'),
    unknownKeys: findUnknownKeys(scope, K8S_WORKLOAD_ATTESTOR_KEYS),
    problems: findWorkloadAttestorProblems(positive(readOnlyPort), positive(securePort), certificatePath, privateKeyPath),
  };
}

function findWorkloadAttestorProblems(readOnlyPort?: number, securePort?: number, certificatePath?: string, privateKeyPath?: string): string[] {
  const problems: string[] = [];
  if (readOnlyPort !== undefined && securePort !== undefined) problems.push('cannot use both the read-only and secure port');
  if (certificatePath && !privateKeyPath) problems.push('the private key path is required with the certificate path');
  if (privateKeyPath && !certificatePath) problems.push('the certificate path is required with the private key path');
  return problems;
}

/** The agent side of `NodeAttestor "k8s_psat"`. */
export interface K8sPsatAgentConfig {
  /** `cluster`: the key the server's `clusters` map must contain. */
  readonly cluster?: string;
  /** Projected service account token, default `/var/run/secrets/tokens/spire-agent`. */
  readonly tokenPath: string;
}

export function readK8sPsatAgentConfig(source: SpirePluginConfig | Record<string, unknown>): K8sPsatAgentConfig {
  const scope = pluginDataScope(source, 'plugins.NodeAttestor.k8s_psat.plugin_data');
  return {
    ...optional('cluster', readString(scope, 'cluster') || undefined),
    tokenPath: readString(scope, 'token_path') || '/var/run/secrets/tokens/spire-agent',
  };
}

/** One entry of the server's `k8s_psat` `clusters` map. */
export interface K8sPsatClusterConfig {
  readonly name: string;
  /** `namespace:serviceaccount` pairs allowed to attest. */
  readonly serviceAccountAllowList: readonly string[];
  /** Token audience, `["spire-server"]` when unset. */
  readonly audience: readonly string[];
  readonly kubeConfigFile?: string;
  readonly allowedNodeLabelKeys: readonly string[];
  readonly allowedPodLabelKeys: readonly string[];
  /** Agent IDs end in `/pod/<pod UID>` in place of `/<node UID>` when true. */
  readonly usePodUidForAgentId: boolean;
}

/** The server side of `NodeAttestor "k8s_psat"`. */
export interface K8sPsatServerConfig {
  readonly clusters: readonly K8sPsatClusterConfig[];
}

export function readK8sPsatServerConfig(source: SpirePluginConfig | Record<string, unknown>): K8sPsatServerConfig {
  const scope = pluginDataScope(source, 'plugins.NodeAttestor.k8s_psat.plugin_data');
  const clustersScope = childScope(scope, 'clusters');
  const clusters = Object.keys(clustersScope.object).map((name) => readPsatCluster(name, childScope(clustersScope, name)));
  return { clusters };
}

function readPsatCluster(name: string, scope: ConfigScope): K8sPsatClusterConfig {
  return {
    name,
    serviceAccountAllowList: readStringList(scope, 'service_account_allow_list') ?? [],
    audience: readStringList(scope, 'audience') ?? ['spire-server'],
    ...optional('kubeConfigFile', readString(scope, 'kube_config_file') || undefined),
    allowedNodeLabelKeys: readStringList(scope, 'allowed_node_label_keys') ?? [],
    allowedPodLabelKeys: readStringList(scope, 'allowed_pod_label_keys') ?? [],
    usePodUidForAgentId: readBoolean(scope, 'use_pod_uid_for_agent_id') ?? false,
  };
}

function pluginDataScope(source: SpirePluginConfig | Record<string, unknown>, path: string): ConfigScope {
  const isPlugin = typeof source.type === 'string' && typeof source.name === 'string' && typeof source.pluginData === 'object';
  const data = isPlugin ? (source as SpirePluginConfig).pluginData : source;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new SpireConfigError(path, data, 'expected a plugin_data block');
  }
  const scopePath = isPlugin ? `plugins.${String(source.type)}.${String(source.name)}.plugin_data` : path;
  return { object: data as HclObject, path: scopePath };
}

/** SPIRE treats a zero port or count as unset. */
function positive(value: number | undefined): number | undefined {
  return value === undefined || value <= 0 ? undefined : value;
}
