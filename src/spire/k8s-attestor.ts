/**
 * SPIRE's Kubernetes workload attestor (SPIRE v1.15.3,
 * `pkg/agent/plugin/workloadattestor/k8s`): the `k8s:` selectors it emits for a pod
 * and container, how it finds the workload's container in the kubelet's pod list,
 * and what happens when it cannot.
 *
 * Sigstore selectors (`image-signature:*`, only with a `sigstore {}` block) and the
 * experimental broker object-reference selectors are not reproduced.
 */
import type { ContainerStatus, KubePod } from '../evidence/kube-types.js';
import { locateContainer as locateWithNewLocator, parseCgroupContainerInfoLegacy, type ContainerInfo, type ContainerInfoResult } from './k8s-cgroup.js';
import { SpireDataError } from './errors.js';

/** Options of {@link k8sWorkloadSelectors}. */
export interface K8sSelectorOptions {
  /** The workload's container ID (64 hex), matched against `status.containerStatuses[].containerID`. */
  readonly containerId?: string;
  /** Used to find the container by name when `containerId` is not given. */
  readonly containerName?: string;
  /** Agent option `disable_container_selectors`: emit pod selectors only. Default false. */
  readonly disableContainerSelectors?: boolean;
  /**
   * Labels of the pod's namespace. When given, `ns-label:<key>:<value>` selectors are
   * added, as with agent option `enable_namespace_labels` (SPIRE v1.15.3 and later).
   */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
}

/**
 * Returns the `k8s:` selectors the attestor emits for a workload in `pod`. Pod
 * selectors are always present. Container selectors (`container-name`,
 * `container-image`) are added when the container is found and container selectors
 * are not disabled. When the container is not found this function still returns the
 * pod selectors; use {@link attestK8sWorkload} for SPIRE's outcome, which is a
 * failure unless container selectors are disabled.
 */
export function k8sWorkloadSelectors(pod: KubePod, options: K8sSelectorOptions = {}): string[] {
  const selectors = podSelectorValues(pod);
  const container = findWorkloadContainer(pod, options);
  if (container !== undefined && options.disableContainerSelectors !== true) {
    selectors.push(...containerSelectorValues(container));
  }
  if (options.namespaceLabels !== undefined) {
    selectors.push(...labelSelectorValues('ns-label', options.namespaceLabels));
  }
  return selectors.map((value) => `k8s:${value}`);
}

/**
 * Returns the selector values (without the `k8s:` type) that come from the pod:
 * `sa`, `ns`, `node-name`, `pod-uid`, `pod-name`, the image counts, `pod-image` and
 * `pod-init-image` for both `image` and `imageID` of every status, verbatim,
 * `pod-label` and `pod-owner`/`pod-owner-uid` per owner reference.
 */
function podSelectorValues(pod: KubePod): string[] {
  const statuses = pod.status?.containerStatuses ?? [];
  const initStatuses = pod.status?.initContainerStatuses ?? [];
  // SPIRE reads spec.serviceAccountName only; the deprecated spec.serviceAccount is ignored.
  const values = [
    `sa:${pod.spec?.serviceAccountName ?? ''}`,
    `ns:${pod.metadata?.namespace ?? ''}`,
    `node-name:${pod.spec?.nodeName ?? ''}`,
    `pod-uid:${pod.metadata?.uid ?? ''}`,
    `pod-name:${pod.metadata?.name ?? ''}`,
    `pod-image-count:${statuses.length}`,
    `pod-init-image-count:${initStatuses.length}`,
  ];
  values.push(...[...imageIdentifiers(statuses)].map((image) => `pod-image:${image}`));
  values.push(...[...imageIdentifiers(initStatuses)].map((image) => `pod-init-image:${image}`));
  values.push(...labelSelectorValues('pod-label', pod.metadata?.labels ?? {}));
  for (const owner of pod.metadata?.ownerReferences ?? []) {
    values.push(`pod-owner:${owner.kind ?? ''}:${owner.name ?? ''}`, `pod-owner-uid:${owner.kind ?? ''}:${owner.uid ?? ''}`);
  }
  return values;
}

function containerSelectorValues(container: ContainerStatus): string[] {
  const images = [...imageIdentifiers([container])].map((image) => `container-image:${image}`);
  return [`container-name:${container.name ?? ''}`, ...images];
}

/** Both `image` and `imageID` of each status, de-duplicated, because an entry may name either. */
function imageIdentifiers(statuses: readonly ContainerStatus[]): Set<string> {
  const images = new Set<string>();
  for (const status of statuses) {
    images.add(status.image ?? '');
    images.add(status.imageID ?? '');
  }
  return images;
}

function labelSelectorValues(prefix: string, labels: Readonly<Record<string, string>>): string[] {
  return Object.entries(labels).map(([key, value]) => `${prefix}:${key}:${value}`);
}

/**
 * Finds the workload's container status in `pod`. With `containerId`, it is the
 * status whose `containerID` URL (`<runtime>://<id>`) has that ID as its host,
 * searching `containerStatuses` before `initContainerStatuses` and skipping statuses
 * without a `containerID` (not started yet). Otherwise `containerName` is matched
 * against the status names in the same order.
 */
export function findWorkloadContainer(
  pod: KubePod,
  options: { readonly containerId?: string; readonly containerName?: string },
): ContainerStatus | undefined {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  if (options.containerId !== undefined) {
    const containerId = options.containerId;
    return statuses.find((status) => status.containerID !== undefined && status.containerID !== '' && containerIdHost(status.containerID) === containerId);
  }
  if (options.containerName !== undefined) {
    return statuses.find((status) => status.name === options.containerName);
  }
  return undefined;
}

/** Returns the host part of a `<runtime>://<id>` container ID URL, or undefined when it has no `://`. */
export function containerIdHost(containerIdUrl: string): string | undefined {
  const separator = containerIdUrl.indexOf('://');
  if (separator < 0) {
    return undefined;
  }
  const authority = containerIdUrl.slice(separator + 3).split(/[/?#]/)[0] ?? '';
  return authority.slice(authority.lastIndexOf('@') + 1);
}

/** The agent's `k8s` workload attestor settings that change the outcome. */
export interface K8sAttestorConfig {
  /** `disable_container_selectors`. Default false. */
  readonly disableContainerSelectors?: boolean;
  /** `use_new_container_locator`. Default true. */
  readonly useNewContainerLocator?: boolean;
  /** `max_poll_attempts`. Default 60; values ≤ 0 mean the default, as in SPIRE. */
  readonly maxPollAttempts?: number;
  /** `enable_namespace_labels`. Default false. */
  readonly enableNamespaceLabels?: boolean;
}

/** Default `max_poll_attempts` (SPIRE v1.15.3); with the 500 ms `poll_retry_interval` about 30 s. */
export const DEFAULT_MAX_POLL_ATTEMPTS = 60;

/** The attestor's inputs for one workload process. */
export interface K8sAttestationInput {
  /** Text of `/proc/<pid>/cgroup`. Ignored when `container` is given. */
  readonly cgroup?: string;
  /** Text of `/proc/<pid>/mountinfo`, read by the new locator only when the cgroup names no container. */
  readonly mountinfo?: string;
  /**
   * The pod UID and container ID, when already known instead of the cgroup text. An
   * empty container ID means the process is in no container, which SPIRE answers
   * with zero k8s selectors. To model a container the kubelet does not report yet,
   * pass the ID its cgroup would show.
   */
  readonly container?: ContainerInfo;
  /** The kubelet's pod list (`GET /pods` items) at every poll attempt. */
  readonly pods: readonly KubePod[];
  /**
   * The error text of a failed `GET /pods` (for example `unexpected status code on
   * pods response: 403 ...`). When set, every poll attempt fails to get the pod list.
   */
  readonly podListError?: string;
  /**
   * Pod lists for successive poll attempts, when they change over time (a container
   * that starts late). Attempt n uses entry n-1, or the last entry after the end.
   */
  readonly podListsByAttempt?: readonly (readonly KubePod[])[];
  /** Labels per namespace name, read when `enableNamespaceLabels` is set. */
  readonly namespaceLabels?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly config?: K8sAttestorConfig;
}

/** The cause of a Kubernetes workload attestor failure. */
export type K8sAttestationFailure =
  | 'cgroup-conflict'
  | 'cgroup-unreadable'
  | 'kubelet-unavailable'
  | 'pod-not-found'
  | 'container-not-found'
  | 'duplicate-container-id'
  | 'namespace-labels-unavailable';

/** The attestor's outcome, with the gRPC status and message SPIRE returns on failure. */
export type K8sAttestationResult =
  | {
      readonly ok: true;
      /** `not-in-pod`: the cgroup names no container, so there are no k8s selectors and the kubelet is not asked. */
      readonly outcome: 'attested' | 'pod-selectors-only' | 'not-in-pod';
      readonly selectors: readonly string[];
      readonly pod?: KubePod;
      readonly container?: ContainerStatus;
      readonly attempts: number;
    }
  | {
      readonly ok: false;
      readonly reason: K8sAttestationFailure;
      readonly grpcCode: 'FailedPrecondition' | 'DeadlineExceeded' | 'Internal' | 'Unavailable';
      readonly message: string;
      /** The warning the agent logs when it gives up, when there is one. */
      readonly logWarning?: string;
      readonly attempts: number;
    };

/**
 * Reproduces one attestation by SPIRE's Kubernetes workload attestor: locate the
 * container from the cgroup, then poll the pod list up to `max_poll_attempts` times
 * for a pod holding it. A container that never appears ends in DeadlineExceeded `no
 * selectors found after max poll attempts`, unless container selectors are disabled
 * and the cgroup named the pod, in which case the pod selectors are returned.
 */
export function attestK8sWorkload(input: K8sAttestationInput): K8sAttestationResult {
  const located = locateContainer(input);
  if (!located.ok) {
    const reason = located.grpcCode === 'Internal' ? 'cgroup-unreadable' : 'cgroup-conflict';
    return { ok: false, reason, grpcCode: located.grpcCode, message: located.message, attempts: 0 };
  }
  if (located.containerId === '') {
    return { ok: true, outcome: 'not-in-pod', selectors: [], attempts: 0 };
  }
  const maxAttempts = input.config?.maxPollAttempts !== undefined && input.config.maxPollAttempts > 0 ? input.config.maxPollAttempts : DEFAULT_MAX_POLL_ATTEMPTS;
  if (input.podListError !== undefined) {
    const logWarning = 'Unable to get pod list; giving up';
    return { ok: false, reason: 'kubelet-unavailable', grpcCode: 'Unavailable', message: input.podListError, logWarning, attempts: maxAttempts };
  }

  let podSeen = false;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const outcome = attemptOnce(input, located, podListForAttempt(input, attempt), attempt);
    if (outcome.kind === 'done') {
      return outcome.result;
    }
    podSeen = podSeen || outcome.podSeen;
    if (input.podListsByAttempt === undefined || attempt >= input.podListsByAttempt.length) {
      // The pod list no longer changes, so later attempts see the same thing.
      return giveUp(podSeen, maxAttempts);
    }
  }
  return giveUp(podSeen, maxAttempts);
}

function locateContainer(input: K8sAttestationInput): ContainerInfoResult {
  if (input.container !== undefined) {
    return { ok: true, ...input.container };
  }
  if (input.config?.useNewContainerLocator === false) {
    return parseCgroupContainerInfoLegacy(input.cgroup ?? '');
  }
  return locateWithNewLocator({
    ...(input.cgroup !== undefined ? { cgroup: input.cgroup } : {}),
    ...(input.mountinfo !== undefined ? { mountinfo: input.mountinfo } : {}),
  });
}

function podListForAttempt(input: K8sAttestationInput, attempt: number): readonly KubePod[] {
  const lists = input.podListsByAttempt;
  if (lists === undefined || lists.length === 0) {
    return input.pods;
  }
  return lists[Math.min(attempt, lists.length) - 1] ?? input.pods;
}

type AttemptOutcome = { readonly kind: 'done'; readonly result: K8sAttestationResult } | { readonly kind: 'retry'; readonly podSeen: boolean };

/**
 * Runs one poll attempt. Only the pod with the cgroup's pod UID is examined when it
 * is known, else every pod with a UID (the kubelet client keys pods by UID). A pod
 * yields selectors when it contains the container, or when the pod UID is known and
 * container selectors are disabled. Two pods yielding selectors is an error.
 */
function attemptOnce(input: K8sAttestationInput, located: ContainerInfo, pods: readonly KubePod[], attempt: number): AttemptOutcome {
  const podKnown = located.podUid !== '';
  const candidates = pods.filter((pod) => (podKnown ? pod.metadata?.uid === located.podUid : (pod.metadata?.uid ?? '') !== ''));
  let result: K8sAttestationResult | undefined;
  for (const pod of candidates) {
    const container = findWorkloadContainer(pod, { containerId: located.containerId });
    if (container === undefined && !(podKnown && input.config?.disableContainerSelectors === true)) {
      continue;
    }
    if (result !== undefined) {
      const message = 'two pods found with same container Id';
      return { kind: 'done', result: { ok: false, reason: 'duplicate-container-id', grpcCode: 'Internal', message, logWarning: 'Two pods found with same container Id', attempts: attempt } };
    }
    result = finish(input, pod, container, attempt);
    if (!result.ok) {
      return { kind: 'done', result };
    }
  }

  if (result !== undefined) {
    return { kind: 'done', result };
  }
  return { kind: 'retry', podSeen: podKnown && candidates.length > 0 };
}

function finish(input: K8sAttestationInput, pod: KubePod, container: ContainerStatus | undefined, attempt: number): K8sAttestationResult {
  const namespace = pod.metadata?.namespace ?? '';
  let namespaceLabels: Readonly<Record<string, string>> | undefined;
  if (input.config?.enableNamespaceLabels === true) {
    namespaceLabels = input.namespaceLabels?.[namespace];
    if (namespaceLabels === undefined) {
      const message = `unable to get namespace labels for ${JSON.stringify(namespace)}: namespace not available`;
      return { ok: false, reason: 'namespace-labels-unavailable', grpcCode: 'Internal', message, attempts: attempt };
    }
  }

  const disableContainerSelectors = input.config?.disableContainerSelectors === true || container === undefined;
  const selectors = k8sWorkloadSelectors(pod, {
    ...(container?.containerID !== undefined ? { containerId: containerIdHost(container.containerID) ?? '' } : {}),
    disableContainerSelectors,
    ...(namespaceLabels !== undefined ? { namespaceLabels } : {}),
  });
  const outcome = disableContainerSelectors ? 'pod-selectors-only' : 'attested';
  return { ok: true, outcome, selectors, pod, ...(container !== undefined ? { container } : {}), attempts: attempt };
}

function giveUp(podSeen: boolean, attempts: number): K8sAttestationResult {
  return {
    ok: false,
    reason: podSeen ? 'container-not-found' : 'pod-not-found',
    grpcCode: 'DeadlineExceeded',
    message: 'no selectors found after max poll attempts',
    logWarning: 'Container id not found; giving up',
    attempts,
  };
}

/**
 * Reads the kubelet's `GET /pods` response (a PodList) or a plain array of pods.
 *
 * @throws SpireDataError with the kubelet client's wording when the shape is wrong.
 */
export function readKubeletPodList(value: unknown): KubePod[] {
  if (Array.isArray(value)) {
    return value as KubePod[];
  }
  if (typeof value !== 'object' || value === null) {
    throw new SpireDataError('invalid kubelet response: expected an object', {
      suggestions: ['Save the JSON the kubelet returns for GET /pods, or a kubectl pod list, unchanged.'],
    });
  }
  const items = (value as { items?: unknown }).items;
  if (!Array.isArray(items)) {
    throw new SpireDataError('invalid kubelet response: expected an items array', {
      suggestions: ['Save the JSON the kubelet returns for GET /pods, or a kubectl pod list, unchanged.'],
    });
  }
  return items as KubePod[];
}
