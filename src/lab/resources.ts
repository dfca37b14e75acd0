/**
 * The resources the lab serves, with their discovery data (names, kinds, scope, verbs)
 * and selectable fields, as a Kubernetes 1.30 API server and the SPIRE Controller
 * Manager CRDs declare them.
 */
import type { FieldValues } from './field-selector.js';
import type { LabObject, LabScenario } from './scenario-types.js';

/** One served resource type. */
export interface LabResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  /** Whether lists carry `kind`/`apiVersion` on each item, as custom resource lists do. */
  readonly itemsCarryKind: boolean;
  /** Selectable fields besides `metadata.name` and `metadata.namespace`. */
  readonly extraFields: readonly string[];
  readonly items: (scenario: LabScenario) => readonly LabObject[];
  readonly fieldValues?: (object: LabObject) => FieldValues;
}

const READ_VERBS = ['get', 'list', 'watch'] as const;

/** Returns `group/version`, or just the version for the core group. */
export function groupVersion(resource: Pick<LabResource, 'group' | 'version'>): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** Verbs the lab serves for every resource. */
export function resourceVerbs(): readonly string[] {
  return READ_VERBS;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : String(value);
}

function nested(object: unknown, path: readonly string[]): unknown {
  let current = object;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function fieldsFrom(object: LabObject, fields: readonly string[]): FieldValues {
  return Object.fromEntries(fields.map((field) => [field, text(nested(object, field.split('.')))]));
}

const POD_FIELDS = [
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'spec.hostNetwork',
  'status.phase',
  'status.podIP',
  'status.nominatedNodeName',
];

const EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];

function podFieldValues(object: LabObject): FieldValues {
  const values = fieldsFrom(object, POD_FIELDS);
  // The apiserver reports an unset hostNetwork as "false".
  return { ...values, 'spec.hostNetwork': values['spec.hostNetwork'] === 'true' ? 'true' : 'false' };
}

function eventFieldValues(object: LabObject): FieldValues {
  const values = fieldsFrom(object, EVENT_FIELDS);
  return { ...values, source: text(nested(object, ['source', 'component'])) };
}

/** Every resource the lab serves. */
export const LAB_RESOURCES: readonly LabResource[] = [
  { group: '', version: 'v1', plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], itemsCarryKind: false, extraFields: ['status.phase'], items: (s) => s.namespaces, fieldValues: (o) => fieldsFrom(o, ['status.phase']) },
  { group: '', version: 'v1', plural: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], itemsCarryKind: false, extraFields: ['spec.unschedulable'], items: (s) => s.nodes, fieldValues: (o) => ({ 'spec.unschedulable': text(nested(o, ['spec', 'unschedulable']) ?? false) }) },
  { group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'], itemsCarryKind: false, extraFields: POD_FIELDS, items: (s) => s.pods, fieldValues: podFieldValues },
  { group: '', version: 'v1', plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'], itemsCarryKind: false, extraFields: [], items: (s) => s.configMaps },
  { group: '', version: 'v1', plural: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'], itemsCarryKind: false, extraFields: [], items: (s) => s.serviceAccounts },
  { group: '', version: 'v1', plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], itemsCarryKind: false, extraFields: EVENT_FIELDS, items: (s) => s.events, fieldValues: eventFieldValues },
  { group: 'apps', version: 'v1', plural: 'daemonsets', singular: 'daemonset', kind: 'DaemonSet', namespaced: true, shortNames: ['ds'], categories: ['all'], itemsCarryKind: false, extraFields: [], items: (s) => s.daemonSets },
  { group: 'spire.spiffe.io', version: 'v1alpha1', plural: 'clusterspiffeids', singular: 'clusterspiffeid', kind: 'ClusterSPIFFEID', namespaced: false, itemsCarryKind: true, extraFields: [], items: (s) => s.clusterSPIFFEIDs },
  { group: 'spire.spiffe.io', version: 'v1alpha1', plural: 'clusterstaticentries', singular: 'clusterstaticentry', kind: 'ClusterStaticEntry', namespaced: false, itemsCarryKind: true, extraFields: [], items: (s) => s.clusterStaticEntries },
];

/** Finds the resource served at `group/version` with `plural`. */
export function findResource(group: string, version: string, plural: string): LabResource | undefined {
  return LAB_RESOURCES.find((resource) => resource.group === group && resource.version === version && resource.plural === plural);
}

/** Returns the selectable field values of `object` for `resource`, including metadata.name and metadata.namespace. */
export function selectableFields(resource: LabResource, object: LabObject): FieldValues {
  const common = { 'metadata.name': object.metadata.name, 'metadata.namespace': object.metadata.namespace ?? '' };
  return { ...common, ...resource.fieldValues?.(object) };
}
