/**
 * Registration entries that concern this workload: those whose selectors all match
 * it, and, when none does, those evidently written for it that miss on one or more
 * selectors (the nearest candidates, with the selectors that differ). An entry counts
 * as written for the workload when it shares an identifying selector (service
 * account, labels, pod UID), carries the expected SPIFFE ID, or its SPIFFE ID names
 * the pod's app, owner or service account.
 */
import type { KubePod } from '../../evidence/kube-types.js';
import type { Evidence } from '../../evidence/types.js';
import { entrySpiffeId, isNodeAlias } from '../../spire/entries.js';
import type { EntryJson } from '../../spire/types.js';
import { entriesForWorkload, rankCandidateEntries, selectorKind, type CandidateEntry } from '../../spire/workload-matching.js';
import { findWorkloadSelectors, type WorkloadSelectors } from './workload-selectors.js';
import { isIstioWorkload } from './workload-socket.js';
import type { WorkloadView } from './workload-view.js';

export interface EntryCandidates {
  readonly workload: WorkloadSelectors;
  /** Entries whose every selector the workload has (what the agent would serve, if authorized). */
  readonly matching: readonly EntryJson[];
  /** Entries written for this workload that miss on some selector, nearest first. */
  readonly near: readonly CandidateEntry[];
}

// Selector kinds many unrelated workloads share; matching one of them alone does not
// make an entry "meant for" this workload.
const SHARED_KINDS = new Set(['k8s:ns', 'k8s:node-name', 'k8s:pod-image-count', 'k8s:pod-init-image-count', 'unix:gid', 'unix:group']);

// Selector kinds that name one pod; an entry with another value of these is for another pod.
const POD_IDENTITY_KINDS = new Set(['k8s:pod-uid', 'k8s:pod-name']);

/** Returns the SPIFFE ID the workload is expected to have: the one given, or Istio's convention for Istio proxies. */
export function findExpectedSpiffeId(evidence: Evidence, trustDomain: string | undefined): string | undefined {
  if (evidence.expectedSpiffeId !== undefined) {
    return evidence.expectedSpiffeId;
  }
  const pod = evidence.pod;
  const namespace = pod?.metadata?.namespace;
  const serviceAccount = pod?.spec?.serviceAccountName ?? 'default';
  if (!isIstioWorkload(pod) || namespace === undefined || trustDomain === undefined) {
    return undefined;
  }
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

function isForAnotherPod(candidate: CandidateEntry): boolean {
  return candidate.missing.some((missing) => POD_IDENTITY_KINDS.has(missing.kind) && missing.workloadHas.length > 0);
}

// The suffix a Deployment's ReplicaSet adds to its name, and the one a ReplicaSet or
// DaemonSet adds to a pod name.
const REPLICA_SET_SUFFIX = /-[a-z0-9]{6,10}$/;
const POD_SUFFIX = /-[a-z0-9]{5}$/;

/** Names the pod's workload goes by: its app labels, its owner's name and its pod name without generated suffixes. */
function workloadNames(pod: KubePod | undefined): Set<string> {
  const labels = pod?.metadata?.labels ?? {};
  const owners = (pod?.metadata?.ownerReferences ?? []).map((owner) => (owner.kind === 'ReplicaSet' ? owner.name?.replace(REPLICA_SET_SUFFIX, '') : owner.name));
  const podName = pod?.metadata?.name?.replace(POD_SUFFIX, '').replace(REPLICA_SET_SUFFIX, '');
  const names = [labels.app, labels['app.kubernetes.io/name'], labels['k8s-app'], ...owners, podName];
  return new Set(names.filter((name): name is string => name !== undefined && name !== ''));
}

/**
 * Tells whether the entry's SPIFFE ID names one of the pod's workload names (app
 * label, owner, service account other than `default`), whatever its namespace, so an
 * entry written for the app in another namespace still counts as written for it.
 */
function namesWorkload(candidate: CandidateEntry, pod: KubePod | undefined): boolean {
  const names = workloadNames(pod);
  const serviceAccount = pod?.spec?.serviceAccountName;
  if (serviceAccount !== undefined && serviceAccount !== 'default') {
    names.add(serviceAccount);
  }
  return candidate.entry.spiffe_id.path.split('/').some((segment) => [...names].some((name) => sharesNameTokens(segment, name)));
}

/** Minimum length of a name for a partial match, so short words such as `api` match only whole segments. */
const MIN_PARTIAL_NAME_LENGTH = 4;

/**
 * Tells whether two dash-separated names are equal or one is a run of the other's
 * words, as `notifier` is of `alert-notifier`.
 */
function sharesNameTokens(a: string, b: string): boolean {
  if (a === b) {
    return true;
  }
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
  if (shorter.length < MIN_PARTIAL_NAME_LENGTH) {
    return false;
  }
  return `-${longer}-`.includes(`-${shorter}-`);
}

function isMeantFor(candidate: CandidateEntry, expectedId: string | undefined, pod: KubePod | undefined): boolean {
  if (isForAnotherPod(candidate)) {
    return false;
  }
  if (expectedId !== undefined && entrySpiffeId(candidate.entry) === expectedId) {
    return true;
  }
  return candidate.matched.some((selector) => !SHARED_KINDS.has(selectorKind(selector))) || namesWorkload(candidate, pod);
}

const candidatesByEvidence = new WeakMap<Evidence, EntryCandidates | undefined>();

/** Collects the matching and near entries for the workload; undefined when entries or selectors are unknown. Memoised per evidence object. */
export function findEntryCandidates(evidence: Evidence, view: WorkloadView): EntryCandidates | undefined {
  if (candidatesByEvidence.has(evidence)) {
    return candidatesByEvidence.get(evidence);
  }
  const candidates = collectCandidates(evidence, view);
  candidatesByEvidence.set(evidence, candidates);
  return candidates;
}

function collectCandidates(evidence: Evidence, view: WorkloadView): EntryCandidates | undefined {
  const workload = findWorkloadSelectors(evidence, view);
  if (view.entries === undefined || workload === undefined) {
    return undefined;
  }

  const workloadEntries = view.entries.filter((entry) => !isNodeAlias(entry));
  const matching = entriesForWorkload(workload.selectors, workloadEntries);
  const trustDomain = view.nodeAgent?.agent.id.trust_domain ?? workloadEntries[0]?.spiffe_id.trust_domain;
  const expectedId = findExpectedSpiffeId(evidence, trustDomain);
  const near = matching.length > 0
    ? []
    : rankCandidateEntries(workload.selectors, workloadEntries).filter((candidate) => isMeantFor(candidate, expectedId, view.pod));

  return { workload, matching, near };
}
