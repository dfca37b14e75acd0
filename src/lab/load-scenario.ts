/**
 * Loads a lab scenario from a YAML or JSON file, or by the name of a bundled scenario
 * in `examples/lab/`, validates it and fills in defaults.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { KubeNode, KubePod } from '../evidence/kube-types.js';
import { UserError } from '../errors.js';
import { completeMetadata, completeNode, completePod, formatKubeTime } from './object-defaults.js';
import { LAB_SCENARIO_API_VERSION, type LabObject, type LabRbac, type LabScenario, type LabSpire } from './scenario-types.js';
import {
  invalidField,
  optionalBoolean,
  optionalList,
  optionalString,
  optionalStringList,
  readObjectList,
  requireRecord,
  requireString,
  type ScenarioSource,
} from './scenario-validation.js';
import { readAgents, readEntry } from './spire-defaults.js';

/** Directory of the bundled scenarios (`examples/lab/` in the package). */
export const BUNDLED_SCENARIO_DIR = fileURLToPath(new URL('../../examples/lab/', import.meta.url));

const BUNDLED_NAME = /^[a-z0-9][a-z0-9-]*$/;
const FORBIDDEN_VERBS = new Set(['get', 'list', 'watch', 'create', 'patch']);

/** Options for {@link loadLabScenario} and {@link parseLabScenario}. */
export interface LoadScenarioOptions {
  /** Time used for creation timestamps and agent SVID expiry. Default: now minus ten minutes. */
  readonly now?: Date;
}

/**
 * Reads a scenario. A bare name such as `healthy` resolves to `examples/lab/healthy.yaml`;
 * anything else is a file path.
 * @throws UserError when the file is missing, unparsable or invalid.
 */
export async function loadLabScenario(pathOrName: string, options: LoadScenarioOptions = {}): Promise<LabScenario> {
  const bundled = BUNDLED_NAME.test(pathOrName);
  const file = bundled ? `${BUNDLED_SCENARIO_DIR}${pathOrName}.yaml` : pathOrName;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const names = bundled ? await listBundledNames() : [];
    const known = names.length > 0 ? ` Bundled scenarios: ${names.join(', ')}.` : '';
    throw new UserError(`could not read lab scenario ${file}: ${(error as Error).message}`, {
      cause: error,
      suggestions: [`Pass a bundled scenario name or the path of a scenario file.${known}`],
    });
  }
  return parseLabScenario(text, file, options);
}

/** Returns the names of the bundled scenarios, sorted, or none when their directory cannot be read. */
export async function listBundledNames(): Promise<string[]> {
  try {
    const files = await readdir(BUNDLED_SCENARIO_DIR);
    return files.filter((file) => file.endsWith('.yaml')).map((file) => file.slice(0, -'.yaml'.length)).sort();
  } catch {
    return [];
  }
}

/**
 * Parses and validates scenario text read from `file` (used in messages only).
 * @throws UserError naming the file, the field and the problem.
 */
export function parseLabScenario(text: string, file: string, options: LoadScenarioOptions = {}): LabScenario {
  const source: ScenarioSource = { file };
  let document: unknown;
  try {
    document = parseYaml(text, { merge: true });
  } catch (error) {
    throw new UserError(`invalid lab scenario ${file}: not valid YAML or JSON: ${(error as Error).message}`, { cause: error });
  }
  return buildScenario(source, requireRecord(source, document, '(document)'), options.now ?? new Date(Date.now() - 10 * 60_000));
}

function buildScenario(source: ScenarioSource, raw: Record<string, unknown>, now: Date): LabScenario {
  if (raw.apiVersion !== LAB_SCENARIO_API_VERSION) {
    throw invalidField(source, 'apiVersion', `must be "${LAB_SCENARIO_API_VERSION}", got ${JSON.stringify(raw.apiVersion ?? null)}`);
  }
  const metadata = raw.metadata === undefined ? {} : requireRecord(source, raw.metadata, 'metadata');
  const createdAt = formatKubeTime(now);

  const nodes = readObjectList(source, raw.nodes, 'nodes', false).map((node) => completeNode(node as KubeNode & LabObject, createdAt));
  const rawPods = readObjectList(source, raw.pods, 'pods', true);
  rawPods.forEach((pod, index) => validatePodSpec(source, pod, `pods[${index}]`, nodes));
  const pods = rawPods.map((pod) => completePod(pod as KubePod & LabObject, nodes, createdAt));
  const complete = (objects: LabObject[], kind: string) => objects.map((object) => completeMetadata(object, kind, createdAt));

  const namespaced = {
    configMaps: complete(readObjectList(source, raw.configMaps, 'configMaps', true), 'ConfigMap'),
    daemonSets: complete(readObjectList(source, raw.daemonSets, 'daemonSets', true), 'DaemonSet'),
    events: complete(readObjectList(source, raw.events, 'events', true), 'Event'),
  };
  const serviceAccounts = withReferencedServiceAccounts(complete(readObjectList(source, raw.serviceAccounts, 'serviceAccounts', true), 'ServiceAccount'), pods, createdAt);
  const namespaces = withReferencedNamespaces(complete(readObjectList(source, raw.namespaces, 'namespaces', false), 'Namespace'), [...pods, ...serviceAccounts, ...Object.values(namespaced).flat()], createdAt);

  return {
    apiVersion: LAB_SCENARIO_API_VERSION,
    name: optionalString(source, metadata.name, 'metadata.name', 'unnamed'),
    description: optionalString(source, metadata.description, 'metadata.description', ''),
    source: source.file,
    namespaces,
    nodes,
    pods,
    serviceAccounts,
    ...namespaced,
    clusterSPIFFEIDs: complete(readObjectList(source, raw.clusterSPIFFEIDs, 'clusterSPIFFEIDs', false), 'ClusterSPIFFEID'),
    clusterStaticEntries: complete(readObjectList(source, raw.clusterStaticEntries, 'clusterStaticEntries', false), 'ClusterStaticEntry'),
    logs: readLogs(source, raw.logs),
    spire: readSpire(source, raw.spire, nodes, pods, now),
    rbac: readRbac(source, raw.rbac),
  };
}

function validatePodSpec(source: ScenarioSource, pod: LabObject, field: string, nodes: readonly KubeNode[]): void {
  const spec = requireRecord(source, pod.spec, `${field}.spec`);
  const containers = optionalList(source, spec.containers, `${field}.spec.containers`);
  if (containers.length === 0) throw invalidField(source, `${field}.spec.containers`, 'a pod needs at least one container');
  containers.forEach((container, index) => {
    const record = requireRecord(source, container, `${field}.spec.containers[${index}]`);
    requireString(source, record.name, `${field}.spec.containers[${index}].name`);
    requireString(source, record.image, `${field}.spec.containers[${index}].image`);
  });

  if (spec.nodeName === undefined || spec.nodeName === null) return;
  const nodeName = requireString(source, spec.nodeName, `${field}.spec.nodeName`);
  if (!nodes.some((node) => node.metadata?.name === nodeName)) throw invalidField(source, `${field}.spec.nodeName`, `node "${nodeName}" is not in nodes`);
}

function withReferencedServiceAccounts(accounts: LabObject[], pods: readonly KubePod[], createdAt: string): LabObject[] {
  const result = [...accounts];
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace ?? 'default';
    for (const name of new Set(['default', pod.spec?.serviceAccountName ?? 'default'])) {
      if (result.some((account) => account.metadata.name === name && account.metadata.namespace === namespace)) continue;
      result.push(completeMetadata({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } }, 'ServiceAccount', createdAt));
    }
  }
  return result;
}

function withReferencedNamespaces(namespaces: LabObject[], objects: readonly LabObject[], createdAt: string): LabObject[] {
  const result = [...namespaces];
  const names = new Set(['default', 'kube-system', ...objects.map((object) => object.metadata.namespace ?? 'default')]);
  for (const name of names) {
    if (result.some((namespace) => namespace.metadata.name === name)) continue;
    result.push(completeMetadata({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, 'Namespace', createdAt));
  }
  return result.map((namespace) => ({ ...namespace, status: namespace.status ?? { phase: 'Active' } }));
}

function readLogs(source: ScenarioSource, value: unknown): Record<string, string[]> {
  if (value === undefined || value === null) return {};
  const record = requireRecord(source, value, 'logs');
  const logs: Record<string, string[]> = {};
  for (const [key, lines] of Object.entries(record)) {
    const parts = key.split('/');
    const valid = parts.length === 3 || (parts.length === 4 && parts[3] === 'previous');
    if (!valid) throw invalidField(source, `logs["${key}"]`, 'key must be namespace/pod/container or namespace/pod/container/previous');
    logs[key] = optionalStringList(source, lines, `logs["${key}"]`);
  }
  return logs;
}

function readSpire(source: ScenarioSource, value: unknown, nodes: readonly KubeNode[], pods: readonly KubePod[], now: Date): LabSpire {
  const raw = requireRecord(source, value, 'spire');
  const trustDomain = requireString(source, raw.trustDomain, 'spire.trustDomain');
  if (!/^[a-z0-9._-]+$/.test(trustDomain)) {
    throw invalidField(source, 'spire.trustDomain', `"${trustDomain}": trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores`);
  }
  const clusterName = optionalString(source, raw.clusterName, 'spire.clusterName', 'lab');
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const socket = raw.agentSocket === undefined ? {} : requireRecord(source, raw.agentSocket, 'spire.agentSocket');

  return {
    trustDomain,
    clusterName,
    entries: optionalList(source, raw.entries, 'spire.entries').map((entry, index) => readEntry(source, entry, `spire.entries[${index}]`, nowSeconds)),
    agents: readAgents(source, raw.agents, { trustDomain, clusterName, nodes, pods, expiresAtSeconds: nowSeconds + 3600 }),
    agentSocket: {
      hostDir: optionalString(source, socket.hostDir, 'spire.agentSocket.hostDir', '/run/spire/agent-sockets').replace(/\/+$/, ''),
      fileName: optionalString(source, socket.fileName, 'spire.agentSocket.fileName', 'spire-agent.sock'),
    },
    disableContainerSelectors: optionalBoolean(source, raw.disableContainerSelectors, 'spire.disableContainerSelectors', false),
    serverSocketPath: optionalString(source, raw.serverSocketPath, 'spire.serverSocketPath', '/tmp/spire-server/private/api.sock'),
    agentBinaryContainers: optionalStringList(source, raw.agentBinaryContainers, 'spire.agentBinaryContainers'),
  };
}

function readRbac(source: ScenarioSource, value: unknown): LabRbac {
  const raw = value === undefined || value === null ? {} : requireRecord(source, value, 'rbac');
  const forbidden = optionalList(source, raw.forbidden, 'rbac.forbidden').map((item, index) => {
    const field = `rbac.forbidden[${index}]`;
    const rule = requireRecord(source, item, field);
    const verb = requireString(source, rule.verb, `${field}.verb`);
    if (!FORBIDDEN_VERBS.has(verb)) throw invalidField(source, `${field}.verb`, `"${verb}" is not one of ${[...FORBIDDEN_VERBS].join(', ')}`);
    const resource = requireString(source, rule.resource, `${field}.resource`);
    const namespace = rule.namespace === undefined ? undefined : requireString(source, rule.namespace, `${field}.namespace`);
    return namespace === undefined ? { verb, resource } : { verb, resource, namespace };
  });
  return { user: optionalString(source, raw.user, 'rbac.user', 'system:serviceaccount:default:spiffe-doctor'), forbidden };
}
