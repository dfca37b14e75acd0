/**
 * A ClusterSPIFFEID of the SPIRE Controller Manager selects the workload's pod, so the
 * controller declares its entry. When the cluster registers workloads through
 * ClusterSPIFFEIDs and the pod has no entry, the reason is usually one of these: the
 * controller reconciles another className, or the namespace matches an
 * ignoreNamespaces pattern. Those patterns are unanchored regular expressions, so
 * `spire` also ignores `spire-demo`. Otherwise no podSelector or namespaceSelector
 * takes the pod (spire-controller-manager `pkg/spireentry/reconciler.go`).
 */
import {
  DEFAULT_IGNORE_NAMESPACES,
  clusterSpiffeIdSelectsPod,
  readClusterSpiffeId,
  readControllerManagerConfig,
  type ClusterSpiffeId,
  type ControllerManagerConfig,
  type SelectionResult,
} from '../../spire/controller-manager.js';
import type { KubePod } from '../../evidence/kube-types.js';
import { isUserError } from '../../errors.js';
import { findEntryCandidates } from '../support/entry-candidates.js';
import { failed, passed, skippedFor, warned } from '../support/finding-builders.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Check, Finding } from '../types.js';

type Rejection = Extract<SelectionResult, { selected: false }>;

// The reason to headline when several ClusterSPIFFEIDs reject the pod: a namespace
// pattern or class rule that overrides an otherwise matching resource first.
const REASON_ORDER: readonly Rejection['reason'][] = ['namespace-ignored', 'class-mismatch', 'namespace-selector-excludes', 'pod-selector-excludes', 'fallback-shadowed', 'invalid-spec'];

function fixFor(rejection: Rejection, pod: KubePod): string[] {
  switch (rejection.reason) {
    case 'namespace-ignored':
      return [
        `Anchor the ignoreNamespaces patterns in the controller manager config (for example '^${rejection.pattern ?? 'spire'}$') so "${pod.metadata?.namespace ?? ''}" is no longer ignored, then restart the controller manager.`,
      ];
    case 'class-mismatch':
      return ["Give the ClusterSPIFFEID the controller manager's className (or set watchClassless: true for resources without one)."];
    case 'pod-selector-excludes':
    case 'namespace-selector-excludes':
      return [
        "Add a ClusterSPIFFEID (with the controller's className) whose podSelector and namespaceSelector match this pod, or add the labels the existing one selects on to the pod template.",
      ];
    default:
      return ['Fix the ClusterSPIFFEID named above so the controller manager selects this pod.'];
  }
}

function readResources(evidence: Parameters<Check['run']>[0]['evidence']): { csids: ClusterSpiffeId[]; config: ControllerManagerConfig | undefined } | string {
  try {
    const csids = (evidence.clusterSPIFFEIDs ?? []).map(readClusterSpiffeId);
    const config = evidence.controllerManagerConfig === undefined ? undefined : readControllerManagerConfig(evidence.controllerManagerConfig);
    return { csids, config };
  } catch (error) {
    if (isUserError(error)) {
      return error.message;
    }
    throw error;
  }
}

function judgeSelected(checkId: string, selected: readonly ClusterSpiffeId[]): Finding {
  const failures = selected.reduce((sum, csid) => sum + (csid.stats?.podEntryRenderFailures ?? 0), 0);
  return warned(checkId, {
    cause: 'registrar-mismatch',
    confidence: 'possible',
    summary: `ClusterSPIFFEID ${selected.map((csid) => csid.name).join(', ')} selects the pod, yet no matching entry exists${failures > 0 ? ` (status reports ${failures} pod entry render failures)` : ''}: the controller manager may be failing to render or write the entry.`,
    evidence: selected.map((csid) => `${csid.name}: status.stats ${JSON.stringify(csid.stats ?? {})}`),
    fix: ['Read the controller manager log for "Failed to render entry" or entry write errors for this pod.'],
  });
}

export const registrarSelectsPodCheck = {
  id: 'registrar-selects-pod',
  category: 'registrar',
  title: 'A ClusterSPIFFEID selects the workload pod',
  severity: 'error',
  requires: ['pod', 'clusterSPIFFEIDs'],
  dependsOn: ['pod-found'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const pod = evidence.pod as KubePod;
    if ((findEntryCandidates(evidence, view)?.matching.length ?? 0) > 0) {
      return [passed(this.id, 'An entry matching the workload exists, so the registrar has nothing to add.')];
    }
    const resources = readResources(evidence);
    if (typeof resources === 'string') {
      return [skippedFor(this.id, `Could not read the controller manager resources: ${resources}`)];
    }

    const { csids, config } = resources;
    const results = csids.map((csid) => ({
      csid,
      result: clusterSpiffeIdSelectsPod(csid, pod, {
        className: config === undefined ? csid.spec.className : config.className,
        watchClassless: config?.watchClassless ?? true,
        ignoreNamespaces: config?.ignoreNamespaces ?? DEFAULT_IGNORE_NAMESPACES,
        otherClusterSpiffeIds: csids,
      }),
    }));
    const selected = results.filter(({ result }) => result.selected === true).map(({ csid }) => csid);
    if (selected.length > 0) {
      return [judgeSelected(this.id, selected)];
    }
    if (csids.length === 0 || results.some(({ result }) => result.selected === 'unknown')) {
      return [skippedFor(this.id, csids.length === 0 ? 'No ClusterSPIFFEIDs exist.' : 'Could not decide: a namespaceSelector tests namespace labels that were not gathered.')];
    }

    const rejections = results.flatMap(({ result }) => (result.selected === false ? [result] : []));
    const headline = [...rejections].sort((a, b) => REASON_ORDER.indexOf(a.reason) - REASON_ORDER.indexOf(b.reason))[0] as Rejection;
    return [
      failed(this.id, {
        cause: 'registrar-mismatch',
        confidence: 'certain',
        summary: `The SPIRE Controller Manager creates no entry for this pod: ${headline.detail}.`,
        evidence: rejections.map((rejection) => rejection.detail),
        fix: fixFor(headline, pod),
      }),
    ];
  },
} satisfies Check;
