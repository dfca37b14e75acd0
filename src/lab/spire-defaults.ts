/**
 * Reads the scenario's `spire` section: registration entries and attested agents,
 * completed with every field `spire-server ... -output json` prints, so the simulated
 * CLI output has the real shape (SPIRE 1.15 prints unset fields too: empty lists,
 * `false`, `0` and `"0"` for int64 fields).
 */
import type { KubeNode, KubePod } from '../evidence/kube-types.js';
import { isSpiffeIdError } from '../spiffe/errors.js';
import { formatSpiffeId, parseSpiffeId } from '../spiffe/id.js';
import { formatSelector } from '../spire/selectors.js';
import type { AgentJson, EntryJson, SelectorJson, SpiffeIdJson } from '../spire/types.js';
import { hexDigest, uuidFromSeed } from './deterministic-ids.js';
import type { LabAgent } from './scenario-types.js';
import { invalidField, optionalList, requireRecord, requireString, type ScenarioSource } from './scenario-validation.js';
import { findAgentPodOnNode } from './spire-layout.js';

/** Agent version the lab reports for agents the scenario does not describe. */
const DEFAULT_AGENT_VERSION = '1.15.3';

/** Parses a SPIFFE ID given either as `spiffe://td/path` or as `{trust_domain, path}`, with go-spiffe's rules. */
export function readSpiffeId(source: ScenarioSource, value: unknown, field: string): SpiffeIdJson {
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else {
    const record = requireRecord(source, value, field);
    const trustDomain = requireString(source, record.trust_domain, `${field}.trust_domain`);
    const path = record.path === undefined || record.path === '' ? '' : requireString(source, record.path, `${field}.path`);
    text = `spiffe://${trustDomain}${path}`;
  }

  try {
    const id = parseSpiffeId(text);
    return { trust_domain: id.trustDomain, path: id.path };
  } catch (error) {
    if (isSpiffeIdError(error)) throw invalidField(source, field, `"${text}": ${error.reason}`);
    throw error;
  }
}

/** Parses a selector given either as `type:value` or as `{type, value}`; the type ends at the first colon, as SPIRE's CLI splits it. */
export function readSelector(source: ScenarioSource, value: unknown, field: string): SelectorJson {
  if (typeof value === 'string') {
    const colon = value.indexOf(':');
    if (colon <= 0 || colon === value.length - 1) throw invalidField(source, field, `selector "${value}" must be formatted as type:value`);
    return { type: value.slice(0, colon), value: value.slice(colon + 1) };
  }
  const record = requireRecord(source, value, field);
  return { type: requireString(source, record.type, `${field}.type`), value: requireString(source, record.value, `${field}.value`) };
}

/** Reads and completes one registration entry. */
export function readEntry(source: ScenarioSource, value: unknown, field: string, createdAtSeconds: number): EntryJson {
  const raw = requireRecord(source, value, field);
  const spiffeId = readSpiffeId(source, raw.spiffe_id, `${field}.spiffe_id`);
  const parentId = readSpiffeId(source, raw.parent_id, `${field}.parent_id`);
  if (!Array.isArray(raw.selectors) || raw.selectors.length === 0) throw invalidField(source, `${field}.selectors`, 'selector list is empty');
  const selectors = raw.selectors.map((selector, index) => readSelector(source, selector, `${field}.selectors[${index}]`));
  const seed = `${formatSpiffeId(spiffeId)}|${formatSpiffeId(parentId)}|${selectors.map(formatSelector).join(',')}`;
  checkEntryFieldTypes(source, raw, field);

  return {
    admin: false,
    created_at: String(createdAtSeconds),
    dns_names: [],
    downstream: false,
    expires_at: '0',
    federates_with: [],
    hint: '',
    id: uuidFromSeed(`entry/${seed}`),
    jwt_svid_ttl: 0,
    revision_number: '0',
    store_svid: false,
    x509_svid_ttl: 0,
    ...(raw as Partial<EntryJson>),
    parent_id: parentId,
    selectors,
    spiffe_id: spiffeId,
  };
}

const ENTRY_INTEGER_FIELDS = ['x509_svid_ttl', 'jwt_svid_ttl'] as const;
const ENTRY_INT64_FIELDS = ['expires_at', 'created_at', 'revision_number'] as const;
const ENTRY_BOOLEAN_FIELDS = ['admin', 'downstream', 'store_svid'] as const;
const ENTRY_STRING_LIST_FIELDS = ['dns_names', 'federates_with'] as const;

/**
 * Checks the optional entry fields against the types `entry show -output json` prints:
 * int32 TTLs are numbers, int64 fields are strings of digits (numbers are accepted too).
 */
function checkEntryFieldTypes(source: ScenarioSource, raw: Record<string, unknown>, field: string): void {
  const absent = (value: unknown) => value === undefined || value === null;
  for (const name of ENTRY_INTEGER_FIELDS) {
    const value = raw[name];
    if (!absent(value) && !(Number.isInteger(value) && (value as number) >= 0)) throw invalidField(source, `${field}.${name}`, 'must be a non-negative whole number of seconds');
  }
  for (const name of ENTRY_INT64_FIELDS) {
    const value = raw[name];
    if (!absent(value) && !/^\d+$/.test(String(value))) throw invalidField(source, `${field}.${name}`, `must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  for (const name of ENTRY_BOOLEAN_FIELDS) {
    const value = raw[name];
    if (!absent(value) && typeof value !== 'boolean') throw invalidField(source, `${field}.${name}`, 'must be true or false');
  }
  for (const name of ENTRY_STRING_LIST_FIELDS) {
    const value = raw[name];
    if (!absent(value) && !(Array.isArray(value) && value.every((item) => typeof item === 'string'))) throw invalidField(source, `${field}.${name}`, 'must be a list of strings');
  }
  if (!absent(raw.hint) && typeof raw.hint !== 'string') throw invalidField(source, `${field}.hint`, 'must be a string');
}

/** Facts needed to derive default agent records. */
export interface AgentDefaultsInput {
  readonly trustDomain: string;
  readonly clusterName: string;
  readonly nodes: readonly KubeNode[];
  readonly pods: readonly KubePod[];
  /** Unix seconds at which default agent SVIDs expire. */
  readonly expiresAtSeconds: number;
}

/** Reads the scenario's agents and adds a default record for each node with a running agent pod. */
export function readAgents(source: ScenarioSource, value: unknown, input: AgentDefaultsInput): LabAgent[] {
  const listed = optionalList(source, value, 'spire.agents');

  const agents = listed.map((item, index) => readAgent(source, item, `spire.agents[${index}]`, input));
  for (const node of input.nodes) {
    const nodeName = node.metadata?.name;
    if (!nodeName || agents.some((agent) => agent.nodeName === nodeName)) continue;
    if (findAgentPodOnNode(input.pods, nodeName)) agents.push({ nodeName, healthy: true, agent: defaultAgentRecord(node, input) });
  }
  return agents;
}

function readAgent(source: ScenarioSource, item: unknown, field: string, input: AgentDefaultsInput): LabAgent {
  const raw = requireRecord(source, item, field);
  const nodeName = requireString(source, raw.nodeName, `${field}.nodeName`);
  const node = input.nodes.find((candidate) => candidate.metadata?.name === nodeName);
  if (!node) throw invalidField(source, `${field}.nodeName`, `node "${nodeName}" is not in nodes`);
  if (raw.healthy !== undefined && typeof raw.healthy !== 'boolean') throw invalidField(source, `${field}.healthy`, 'must be true or false');

  const healthy = raw.healthy ?? true;
  if (raw.agent === undefined) return { nodeName, healthy, agent: defaultAgentRecord(node, input) };
  return { nodeName, healthy, agent: readAgentRecord(source, raw.agent, `${field}.agent`, input) };
}

function readAgentRecord(source: ScenarioSource, value: unknown, field: string, input: AgentDefaultsInput): AgentJson {
  const raw = requireRecord(source, value, field);
  const selectors = Array.isArray(raw.selectors) ? raw.selectors.map((s, i) => readSelector(source, s, `${field}.selectors[${i}]`)) : [];
  const id = readSpiffeId(source, raw.id, `${field}.id`);
  return {
    agent_version: '',
    attestation_type: '',
    banned: false,
    can_reattest: false,
    x509svid_expires_at: String(input.expiresAtSeconds),
    x509svid_serial_number: serialFromSeed(formatSpiffeId(id)),
    ...(raw as Partial<AgentJson>),
    id,
    selectors,
  };
}

/**
 * Builds the record of a k8s_psat agent on `node`: ID
 * `spiffe://<td>/spire/agent/k8s_psat/<cluster>/<node uid>` and the node selectors the
 * k8s_psat server plugin emits (SPIRE 1.15, without allowed label keys).
 */
export function defaultAgentRecord(node: KubeNode, input: AgentDefaultsInput): AgentJson {
  const nodeName = node.metadata?.name ?? '';
  const nodeUid = node.metadata?.uid ?? '';
  const agentPod = findAgentPodOnNode(input.pods, nodeName);
  const id = { trust_domain: input.trustDomain, path: `/spire/agent/k8s_psat/${input.clusterName}/${nodeUid}` };
  const values = [
    `agent_node_ip:${agentPod?.status?.hostIP ?? ''}`,
    `agent_node_name:${nodeName}`,
    `agent_node_uid:${nodeUid}`,
    `agent_ns:${agentPod?.metadata?.namespace ?? ''}`,
    `agent_pod_name:${agentPod?.metadata?.name ?? ''}`,
    `agent_pod_uid:${agentPod?.metadata?.uid ?? ''}`,
    `agent_sa:${agentPod?.spec?.serviceAccountName ?? ''}`,
    `cluster:${input.clusterName}`,
  ];
  return {
    agent_version: DEFAULT_AGENT_VERSION,
    attestation_type: 'k8s_psat',
    banned: false,
    can_reattest: true,
    id,
    selectors: values.map((value) => ({ type: 'k8s_psat', value })),
    x509svid_expires_at: String(input.expiresAtSeconds),
    x509svid_serial_number: serialFromSeed(formatSpiffeId(id)),
  };
}

/** Returns a decimal certificate serial number derived from `seed`. */
function serialFromSeed(seed: string): string {
  return BigInt(`0x${hexDigest(`serial/${seed}`).slice(0, 30)}`).toString(10);
}
