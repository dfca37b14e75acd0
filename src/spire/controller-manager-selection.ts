/**
 * Whether a ClusterSPIFFEID makes the SPIRE Controller Manager declare an entry for a
 * pod, with the reason when it does not. The checks run in the controller's order
 * (`addClusterSPIFFEIDEntriesState` in `pkg/spireentry/reconciler.go`,
 * spire-controller-manager 430567c): class, namespace selector, ignored namespaces,
 * pod selector, then fallback precedence.
 */
import type { KubePod } from '../evidence/kube-types.js';
import { namespaceIgnoredBy, reconcilesClass } from './controller-manager-config.js';
import type { KubeCustomResource } from '../evidence/kube-types.js';
import { toClusterSpiffeId, type ClusterSpiffeId } from './controller-manager-resources.js';
import { findLabelMismatches, validateLabelSelector, type LabelMismatch, type LabelSelector } from './label-selector.js';

/** Label Kubernetes sets on every namespace to the namespace's name (Kubernetes 1.22 and later). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface SelectionOptions {
  /** Labels of the pod's namespace; without them a namespace selector on other labels cannot be decided. */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** The controller's `className`. */
  readonly className?: string;
  /** The controller's `watchClassless`, default false. */
  readonly watchClassless?: boolean;
  /** The controller's `ignoreNamespaces`; none are ignored when absent. */
  readonly ignoreNamespaces?: readonly string[];
  /** The other ClusterSPIFFEIDs, needed to tell whether a fallback is shadowed. */
  readonly otherClusterSpiffeIds?: readonly (ClusterSpiffeId | KubeCustomResource)[];
}

export type SelectionResult =
  | { readonly selected: true }
  | {
      readonly selected: false;
      readonly reason: 'class-mismatch' | 'invalid-spec' | 'namespace-ignored' | 'namespace-selector-excludes' | 'pod-selector-excludes' | 'fallback-shadowed';
      /** One sentence for the report. */
      readonly detail: string;
      /** The `ignoreNamespaces` pattern that matched, for `namespace-ignored`. */
      readonly pattern?: string;
      /** The failed label requirements, for the selector reasons. */
      readonly mismatches?: readonly LabelMismatch[];
      /** The non-fallback ClusterSPIFFEID that takes the pod, for `fallback-shadowed`. */
      readonly shadowedBy?: string;
    }
  | {
      readonly selected: 'unknown';
      readonly reason: 'namespace-labels-missing';
      readonly detail: string;
    };

/**
 * Decides whether `resource` (typed, or as `kubectl get -o json` prints it) selects
 * `pod` under the controller settings in `options`.
 *
 * @throws ControllerManagerConfigError when an untyped resource cannot be read.
 */
export function clusterSpiffeIdSelectsPod(resource: ClusterSpiffeId | KubeCustomResource, pod: KubePod, options: SelectionOptions = {}): SelectionResult {
  const csid = toClusterSpiffeId(resource);
  const namespace = pod.metadata?.namespace ?? 'default';
  const classProblem = findClassProblem(csid, options);
  if (classProblem !== undefined) return { selected: false, reason: 'class-mismatch', detail: classProblem };

  const invalid = [...validateSelector(csid.spec.namespaceSelector), ...validateSelector(csid.spec.podSelector)];
  if (invalid.length > 0) return { selected: false, reason: 'invalid-spec', detail: `ClusterSPIFFEID ${csid.name} has an invalid selector: ${invalid.join('; ')}` };

  const namespaceResult = checkNamespaceSelector(csid, namespace, options.namespaceLabels);
  if (namespaceResult !== undefined) return namespaceResult;

  const pattern = namespaceIgnoredBy(namespace, options.ignoreNamespaces ?? []);
  if (pattern !== undefined) {
    const detail = `namespace "${namespace}" matches ignoreNamespaces pattern "${pattern}" (patterns are unanchored regular expressions)`;
    return { selected: false, reason: 'namespace-ignored', detail, pattern };
  }

  const podMismatches = findLabelMismatches(csid.spec.podSelector, pod.metadata?.labels);
  if (podMismatches.length > 0) {
    const detail = `pod labels do not meet the podSelector of ClusterSPIFFEID ${csid.name}: ${describeMismatches(podMismatches)}`;
    return { selected: false, reason: 'pod-selector-excludes', detail, mismatches: podMismatches };
  }

  return checkFallback(csid, pod, options);
}

function findClassProblem(csid: ClusterSpiffeId, options: SelectionOptions): string | undefined {
  if (reconcilesClass(csid.spec.className, options)) return undefined;
  const csidClass = csid.spec.className ?? '';
  const controllerClass = options.className ?? '';
  if (csidClass === '') return `ClusterSPIFFEID ${csid.name} has no className and the controller (className "${controllerClass}") does not watch classless resources`;
  return `ClusterSPIFFEID ${csid.name} has className "${csidClass}" but the controller reconciles className "${controllerClass}"`;
}

function validateSelector(selector: LabelSelector | undefined): string[] {
  return selector === undefined ? [] : validateLabelSelector(selector);
}

function checkNamespaceSelector(csid: ClusterSpiffeId, namespace: string, namespaceLabels: Readonly<Record<string, string>> | undefined): SelectionResult | undefined {
  const selector = csid.spec.namespaceSelector;
  if (selector === undefined) return undefined;
  const labels = namespaceLabels ?? { [NAMESPACE_NAME_LABEL]: namespace };
  const mismatches = findLabelMismatches(selector, labels);

  if (namespaceLabels === undefined && mismatches.some((mismatch) => mismatch.key !== NAMESPACE_NAME_LABEL)) {
    const detail = `the namespaceSelector of ClusterSPIFFEID ${csid.name} tests labels of namespace "${namespace}" that were not gathered`;
    return { selected: 'unknown', reason: 'namespace-labels-missing', detail };
  }
  if (mismatches.length === 0) return undefined;
  const detail = `namespace "${namespace}" does not meet the namespaceSelector of ClusterSPIFFEID ${csid.name}: ${describeMismatches(mismatches)}`;
  return { selected: false, reason: 'namespace-selector-excludes', detail, mismatches };
}

function checkFallback(csid: ClusterSpiffeId, pod: KubePod, options: SelectionOptions): SelectionResult {
  if (!csid.spec.fallback) return { selected: true };
  const { otherClusterSpiffeIds: others = [], ...rest } = options;
  const shadowing = others.map(toClusterSpiffeId).find(
    (other) => other.name !== csid.name && !other.spec.fallback && clusterSpiffeIdSelectsPod(other, pod, rest).selected === true,
  );
  if (shadowing === undefined) return { selected: true };
  const detail = `ClusterSPIFFEID ${csid.name} is a fallback and ClusterSPIFFEID ${shadowing.name} already selects the pod`;
  return { selected: false, reason: 'fallback-shadowed', detail, shadowedBy: shadowing.name };
}

/** Describes failed requirements: `label "app" is "api", expected "web"; label "tier" is missing`. */
export function describeMismatches(mismatches: readonly LabelMismatch[]): string {
  return mismatches.map(describeMismatch).join('; ');
}

function describeMismatch(mismatch: LabelMismatch): string {
  const actual = mismatch.actual === undefined ? 'is missing' : `is ${JSON.stringify(mismatch.actual)}`;
  const values = mismatch.values.map((value) => JSON.stringify(value)).join(' or ');
  switch (mismatch.operator) {
    case 'In':
      return `label "${mismatch.key}" ${actual}, expected ${values}`;
    case 'NotIn':
      return `label "${mismatch.key}" ${actual}, expected none of ${values}`;
    case 'Exists':
      return `label "${mismatch.key}" is missing, expected it to exist`;
    case 'DoesNotExist':
      return `label "${mismatch.key}" ${actual}, expected it to be absent`;
  }
}
