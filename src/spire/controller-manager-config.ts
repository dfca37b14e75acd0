/**
 * The SPIRE Controller Manager's configuration file (the `ControllerManagerConfig`
 * YAML in its ConfigMap) and its namespace ignore rules. Fields and defaults are from
 * spire-controller-manager 430567c (`api/v1alpha1/controllermanagerconfig_types.go`,
 * `cmd/main.go`).
 */
import { parse as parseYaml } from 'yaml';

import { ControllerManagerConfigError } from './controller-manager-errors.js';
import { parseGoDuration } from './config-duration.js';
import { optional } from './config-values.js';
import { isSpireConfigError } from './config-errors.js';

/** `ignoreNamespaces` when the file does not set it. */
export const DEFAULT_IGNORE_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'spire-system'];

export interface ControllerManagerConfig {
  readonly clusterName?: string;
  readonly clusterDomain?: string;
  readonly trustDomain?: string;
  /**
   * Namespace patterns: unanchored Go regular expressions, so `spire` also ignores
   * `spire-demo`. A list in the file replaces the default list.
   */
  readonly ignoreNamespaces: readonly string[];
  /** Milliseconds between garbage collection runs; 10 s by default. */
  readonly gcInterval: number;
  /** SPIRE Server API socket; `/spire-server/api.sock` by default. */
  readonly spireServerSocketPath: string;
  /** Only ClusterSPIFFEIDs and ClusterStaticEntries with this `className` are reconciled. */
  readonly className?: string;
  /** Also reconcile resources without a `className`. */
  readonly watchClassless: boolean;
  readonly parentIDTemplate?: string;
  /**
   * Prefix of the entry IDs the controller owns. Without one, the controller treats
   * every entry on the server as its own and deletes the ones it did not declare
   * (join token entries excepted).
   */
  readonly entryIDPrefix?: string;
  readonly entryIDPrefixCleanup?: string;
  readonly staticManifestPath?: string;
  /** Resource kinds the controller reconciles. */
  readonly reconcile: {
    readonly clusterSPIFFEIDs: boolean;
    readonly clusterStaticEntries: boolean;
    readonly clusterFederatedTrustDomains: boolean;
  };
  /** Problems the controller would report at startup, such as a pattern that does not compile. */
  readonly problems: readonly string[];
  /** The decoded document. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * Reads a controller manager config file (YAML or JSON, with or without
 * `kind: ControllerManagerConfig`), filling the controller's defaults.
 *
 * @throws ControllerManagerConfigError for text that is not YAML, or a field of the wrong type.
 */
export function readControllerManagerConfig(text: string): ControllerManagerConfig {
  const raw = decodeDocument(text);
  const ignoreNamespaces = readStringList(raw, 'ignoreNamespaces') ?? DEFAULT_IGNORE_NAMESPACES;
  const clusterName = readString(raw, 'clusterName');
  const trustDomain = readString(raw, 'trustDomain');
  const staticManifestPath = readString(raw, 'staticManifestPath');

  return {
    ...optional('clusterName', clusterName),
    ...optional('clusterDomain', readString(raw, 'clusterDomain')),
    ...optional('trustDomain', trustDomain),
    ignoreNamespaces,
    gcInterval: readGcInterval(raw),
    spireServerSocketPath: readString(raw, 'spireServerSocketPath') || '/spire-server/api.sock',
    ...optional('className', readString(raw, 'className') || undefined),
    watchClassless: readBoolean(raw, 'watchClassless') ?? false,
    ...optional('parentIDTemplate', readString(raw, 'parentIDTemplate') || undefined),
    ...optional('entryIDPrefix', readString(raw, 'entryIDPrefix') || undefined),
    ...optional('entryIDPrefixCleanup', readString(raw, 'entryIDPrefixCleanup')),
    ...optional('staticManifestPath', staticManifestPath),
    reconcile: readReconcile(raw, staticManifestPath !== undefined),
    problems: findConfigProblems(clusterName, trustDomain, ignoreNamespaces),
    raw,
  };
}

/**
 * Reports whether a controller with this `className` and `watchClassless` reconciles a
 * resource of class `resourceClass` (`reconcileClass` in `pkg/spireentry/reconciler.go`).
 */
export function reconcilesClass(resourceClass: string | undefined, config: { readonly className?: string; readonly watchClassless?: boolean }): boolean {
  const ownClass = resourceClass ?? '';
  return (ownClass === '' && config.watchClassless === true) || ownClass === (config.className ?? '');
}

/**
 * Returns the first pattern in `patterns` that matches `namespace` the way the
 * controller matches it (Go `regexp.MatchString`, unanchored), or undefined.
 * Patterns that do not compile are skipped (see `problems` of the config).
 */
export function namespaceIgnoredBy(namespace: string, patterns: readonly string[]): string | undefined {
  return patterns.find((pattern) => compileGoPattern(pattern)?.test(namespace) ?? false);
}

/**
 * Translates an RE2 pattern to a JavaScript RegExp for the constructs both share, or
 * returns undefined when the pattern does not compile. A leading `(?i)` becomes the `i`
 * flag; `\A` and `\z` become `^` and `$`.
 */
export function compileGoPattern(pattern: string): RegExp | undefined {
  const caseInsensitive = pattern.startsWith('(?i)');
  const body = (caseInsensitive ? pattern.slice(4) : pattern).replace(/\\A/g, '^').replace(/\\z/g, '$');
  // NOTE: RE2 and JavaScript differ on rare constructs such as POSIX classes ([[:alpha:]])
  // and inline flag groups after the start. Patterns with them are reported as not compiling.
  if (/\[\[:|\(\?[a-zA-Z]/.test(body)) return undefined;
  try {
    return new RegExp(body, caseInsensitive ? 'i' : '');
  } catch {
    return undefined;
  }
}

function decodeDocument(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ControllerManagerConfigError('', `not valid YAML: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ControllerManagerConfigError('', 'expected a mapping of fields at the top level');
  return value as Record<string, unknown>;
}

function readReconcile(raw: Record<string, unknown>, staticMode: boolean): ControllerManagerConfig['reconcile'] {
  const reconcile = raw.reconcile;
  if (reconcile === undefined || reconcile === null) {
    return { clusterSPIFFEIDs: !staticMode, clusterStaticEntries: true, clusterFederatedTrustDomains: true };
  }
  if (typeof reconcile !== 'object' || Array.isArray(reconcile)) throw new ControllerManagerConfigError('reconcile', 'expected a mapping');
  const fields = reconcile as Record<string, unknown>;
  return {
    clusterSPIFFEIDs: readBoolean(fields, 'clusterSPIFFEIDs', 'reconcile.') ?? false,
    clusterStaticEntries: readBoolean(fields, 'clusterStaticEntries', 'reconcile.') ?? false,
    clusterFederatedTrustDomains: readBoolean(fields, 'clusterFederatedTrustDomains', 'reconcile.') ?? false,
  };
}

/**
 * Reads `gcInterval`. The field is a Go `time.Duration`, which JSON decoding reads as
 * nanoseconds; a duration string (`10s`) is accepted too. Zero or less means the 10 s default.
 */
function readGcInterval(raw: Record<string, unknown>): number {
  const value = raw.gcInterval;
  let milliseconds: number | undefined;
  if (typeof value === 'number') milliseconds = value / 1e6;
  if (typeof value === 'string') {
    try {
      milliseconds = parseGoDuration(value);
    } catch (error) {
      if (!isSpireConfigError(error)) throw error;
      throw new ControllerManagerConfigError('gcInterval', `${JSON.stringify(value)} is not a duration such as "10s"`, { cause: error });
    }
  }
  if (value !== undefined && value !== null && milliseconds === undefined) throw new ControllerManagerConfigError('gcInterval', 'expected a duration');
  return milliseconds === undefined || milliseconds <= 0 ? 10_000 : milliseconds;
}

function findConfigProblems(clusterName: string | undefined, trustDomain: string | undefined, patterns: readonly string[]): string[] {
  const problems: string[] = [];
  if (!clusterName) problems.push('clusterName is not set');
  if (!trustDomain) problems.push('trustDomain is not set');
  for (const pattern of patterns) {
    if (compileGoPattern(pattern) === undefined) problems.push(`ignoreNamespaces pattern ${JSON.stringify(pattern)} does not compile`);
  }
  return problems;
}

function readString(fields: Record<string, unknown>, key: string): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ControllerManagerConfigError(key, `expected a string, found ${JSON.stringify(value)}`);
  return value;
}

function readBoolean(fields: Record<string, unknown>, key: string, prefix = ''): boolean | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ControllerManagerConfigError(`${prefix}${key}`, `expected true or false, found ${JSON.stringify(value)}`);
  return value;
}

function readStringList(fields: Record<string, unknown>, key: string): string[] | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new ControllerManagerConfigError(key, `expected a list of strings, found ${JSON.stringify(value)}`);
  }
  return value;
}
