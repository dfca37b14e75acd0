/**
 * ClusterSPIFFEID and ClusterStaticEntry custom resources as typed values. Field names
 * are the JSON names of spire-controller-manager 430567c (`api/v1alpha1/*_types.go`).
 */
import type { KubeCustomResource } from '../evidence/kube-types.js';
import { parseGoDuration } from './config-duration.js';
import { optional } from './config-values.js';
import { ControllerManagerConfigError } from './controller-manager-errors.js';
import type { LabelSelector } from './label-selector.js';

export interface ClusterSpiffeIdSpec {
  readonly spiffeIDTemplate: string;
  readonly namespaceSelector?: LabelSelector;
  readonly podSelector?: LabelSelector;
  readonly workloadSelectorTemplates: readonly string[];
  readonly dnsNameTemplates: readonly string[];
  readonly federatesWith: readonly string[];
  /** X509-SVID TTL in milliseconds; 0 means the server default. */
  readonly ttl: number;
  /** JWT-SVID TTL in milliseconds; 0 means the server default. */
  readonly jwtTtl: number;
  readonly className?: string;
  /** A fallback applies only to pods that no non-fallback ClusterSPIFFEID selects. */
  readonly fallback: boolean;
  readonly admin: boolean;
  readonly downstream: boolean;
  readonly autoPopulateDNSNames: boolean;
  readonly hint?: string;
}

/** `status.stats` counters; the status carries no per-pod error messages. */
export interface ClusterSpiffeIdStats {
  readonly namespacesSelected?: number;
  readonly namespacesIgnored?: number;
  readonly podsSelected?: number;
  readonly podEntryRenderFailures?: number;
  readonly entriesMasked?: number;
  readonly entriesToSet?: number;
  readonly entryFailures?: number;
}

export interface ClusterSpiffeId {
  readonly name: string;
  readonly spec: ClusterSpiffeIdSpec;
  readonly stats?: ClusterSpiffeIdStats;
}

export interface ClusterStaticEntry {
  readonly name: string;
  readonly spiffeId: string;
  readonly parentId: string;
  /** `type:value` selectors. */
  readonly selectors: readonly string[];
  readonly federatesWith: readonly string[];
  /** Milliseconds; 0 means the server default. */
  readonly x509SvidTtl: number;
  readonly jwtSvidTtl: number;
  readonly dnsNames: readonly string[];
  readonly hint?: string;
  readonly admin: boolean;
  readonly downstream: boolean;
  readonly storeSvid: boolean;
  readonly className?: string;
  /** `status.rendered`, `status.masked`, `status.set`, when the status is present. */
  readonly status?: { readonly rendered?: boolean; readonly masked?: boolean; readonly set?: boolean };
}

/**
 * Returns `csid` when it is already typed, else reads it as a ClusterSPIFFEID object.
 *
 * @throws ControllerManagerConfigError as {@link readClusterSpiffeId} does.
 */
export function toClusterSpiffeId(csid: ClusterSpiffeId | KubeCustomResource): ClusterSpiffeId {
  return isTypedClusterSpiffeId(csid) ? csid : readClusterSpiffeId(csid);
}

function isTypedClusterSpiffeId(value: ClusterSpiffeId | KubeCustomResource): value is ClusterSpiffeId {
  return typeof (value as ClusterSpiffeId).name === 'string' && Array.isArray((value as ClusterSpiffeId).spec?.workloadSelectorTemplates);
}

/**
 * Reads a ClusterSPIFFEID object as `kubectl get clusterspiffeids -o json` prints it.
 *
 * @throws ControllerManagerConfigError naming the field when the object has no
 *   `spiffeIDTemplate` or a field of the wrong type.
 */
export function readClusterSpiffeId(resource: KubeCustomResource): ClusterSpiffeId {
  const name = resource.metadata?.name ?? '(unnamed)';
  const spec = (resource.spec ?? {}) as Record<string, unknown>;
  const field = (key: string): string => `ClusterSPIFFEID ${name} spec.${key}`;
  const spiffeIDTemplate = stringField(spec, 'spiffeIDTemplate', field);
  if (!spiffeIDTemplate) throw new ControllerManagerConfigError(field('spiffeIDTemplate'), 'missing (the controller rejects an empty template)');
  const stats = (resource.status as { stats?: ClusterSpiffeIdStats } | undefined)?.stats;

  return {
    name,
    spec: {
      spiffeIDTemplate,
      ...optional('namespaceSelector', objectField(spec, 'namespaceSelector', field) as LabelSelector | undefined),
      ...optional('podSelector', objectField(spec, 'podSelector', field) as LabelSelector | undefined),
      workloadSelectorTemplates: stringListField(spec, 'workloadSelectorTemplates', field),
      dnsNameTemplates: stringListField(spec, 'dnsNameTemplates', field),
      federatesWith: stringListField(spec, 'federatesWith', field),
      ttl: durationField(spec, 'ttl', field),
      jwtTtl: durationField(spec, 'jwtTtl', field),
      ...optional('className', stringField(spec, 'className', field) || undefined),
      fallback: spec.fallback === true,
      admin: spec.admin === true,
      downstream: spec.downstream === true,
      autoPopulateDNSNames: spec.autoPopulateDNSNames === true,
      ...optional('hint', stringField(spec, 'hint', field) || undefined),
    },
    ...optional('stats', stats),
  };
}

/**
 * Reads a ClusterStaticEntry object.
 *
 * @throws ControllerManagerConfigError naming the field when `spiffeID`, `parentID` or
 *   `selectors` is missing or a field has the wrong type.
 */
export function readClusterStaticEntry(resource: KubeCustomResource): ClusterStaticEntry {
  const name = resource.metadata?.name ?? '(unnamed)';
  const spec = (resource.spec ?? {}) as Record<string, unknown>;
  const field = (key: string): string => `ClusterStaticEntry ${name} spec.${key}`;
  const required = (key: string): string => {
    const value = stringField(spec, key, field);
    if (!value) throw new ControllerManagerConfigError(field(key), 'missing');
    return value;
  };
  const status = resource.status as ClusterStaticEntry['status'] | undefined;

  return {
    name,
    spiffeId: required('spiffeID'),
    parentId: required('parentID'),
    selectors: stringListField(spec, 'selectors', field),
    federatesWith: stringListField(spec, 'federatesWith', field),
    x509SvidTtl: durationField(spec, 'x509SVIDTTL', field),
    jwtSvidTtl: durationField(spec, 'jwtSVIDTTL', field),
    dnsNames: stringListField(spec, 'dnsNames', field),
    ...optional('hint', stringField(spec, 'hint', field) || undefined),
    admin: spec.admin === true,
    downstream: spec.downstream === true,
    storeSvid: spec.storeSVID === true,
    ...optional('className', stringField(spec, 'className', field) || undefined),
    ...optional('status', status),
  };
}

type FieldNamer = (key: string) => string;

function stringField(spec: Record<string, unknown>, key: string, field: FieldNamer): string | undefined {
  const value = spec[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ControllerManagerConfigError(field(key), `expected a string, found ${JSON.stringify(value)}`);
  return value;
}

function stringListField(spec: Record<string, unknown>, key: string, field: FieldNamer): string[] {
  const value = spec[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new ControllerManagerConfigError(field(key), `expected a list of strings, found ${JSON.stringify(value)}`);
  }
  return value;
}

function objectField(spec: Record<string, unknown>, key: string, field: FieldNamer): object | undefined {
  const value = spec[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ControllerManagerConfigError(field(key), 'expected an object');
  return value;
}

/** Reads a `metav1.Duration` (a Go duration string such as `1h0m0s`) as milliseconds. */
function durationField(spec: Record<string, unknown>, key: string, field: FieldNamer): number {
  const value = stringField(spec, key, field);
  if (value === undefined || value === '') return 0;
  try {
    return parseGoDuration(value);
  } catch (error) {
    throw new ControllerManagerConfigError(field(key), `${JSON.stringify(value)} is not a duration such as "1h"`, { cause: error });
  }
}
