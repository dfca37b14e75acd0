/**
 * Legacy (unaggregated) discovery documents: `/version`, `/api`, `/apis`, `/apis/<group>`
 * and the per-version resource lists. Clients that ask for aggregated discovery accept
 * these too, because they choose the parser from the reply's Content-Type.
 */
import { groupVersion, LAB_RESOURCES, resourceVerbs, type LabResource } from './resources.js';

/** Kubernetes version the lab reports. */
export const LAB_KUBERNETES_VERSION = { major: '1', minor: '30', gitVersion: 'v1.30.0-spiffe-doctor-lab' } as const;

/** Returns the `/version` body. */
export function versionDocument(): Record<string, string> {
  return {
    ...LAB_KUBERNETES_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.22.2',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** Returns the `/api` body (APIVersions). */
export function coreVersionsDocument(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupNames(): string[] {
  return [...new Set(LAB_RESOURCES.filter((resource) => resource.group !== '').map((resource) => resource.group))];
}

function groupDocument(group: string): Record<string, unknown> {
  const version = LAB_RESOURCES.find((resource) => resource.group === group)?.version ?? 'v1';
  const entry = { groupVersion: `${group}/${version}`, version };
  return { name: group, versions: [entry], preferredVersion: entry };
}

/** Returns the `/apis` body (APIGroupList). */
export function groupListDocument(): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupNames().map(groupDocument) };
}

/** Returns the `/apis/<group>` body (APIGroup), or undefined for a group the lab does not serve. */
export function findGroupDocument(group: string): Record<string, unknown> | undefined {
  if (!groupNames().includes(group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(group) };
}

function resourceEntry(resource: LabResource): Record<string, unknown> {
  return {
    name: resource.plural,
    singularName: resource.singular,
    namespaced: resource.namespaced,
    kind: resource.kind,
    verbs: resourceVerbs(),
    ...(resource.shortNames ? { shortNames: resource.shortNames } : {}),
    ...(resource.categories ? { categories: resource.categories } : {}),
  };
}

function subresourceEntries(resource: LabResource): Record<string, unknown>[] {
  const base = { singularName: '', namespaced: resource.namespaced };
  if (resource.plural === 'pods') {
    return [
      { ...base, name: 'pods/ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
      { ...base, name: 'pods/exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { ...base, name: 'pods/log', kind: 'Pod', verbs: ['get'] },
    ];
  }
  if (resource.plural === 'clusterspiffeids') return [{ ...base, name: 'clusterspiffeids/status', kind: 'ClusterSPIFFEID', verbs: ['get'] }];
  return [];
}

/**
 * Returns the APIResourceList for `group/version` (`v1` for the core group), or undefined
 * when the lab does not serve it.
 */
export function findResourceListDocument(group: string, version: string): Record<string, unknown> | undefined {
  const resources = LAB_RESOURCES.filter((resource) => resource.group === group && resource.version === version);
  if (resources.length === 0) return undefined;
  const gv = groupVersion({ group, version });
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: resources.flatMap((resource) => [resourceEntry(resource), ...subresourceEntries(resource)]),
  };
}
