/**
 * Finding SPIRE's own pods and ConfigMaps: the agent pods (and the one on the workload's
 * node), a running server pod, and the config files the ConfigMaps carry.
 */
import type { Container, KubePod } from '../../evidence/kube-types.js';
import { isKubeApiError } from './errors.js';
import type { PodLocation } from './spire-layout.js';
import type { KubeConfigMap, KubeSource } from './source.js';

/** Pods found at the first location that has any, and that location. */
export interface FoundPods {
  readonly pods: KubePod[];
  readonly location: PodLocation;
}

/**
 * Lists pods at each location in turn and returns the first non-empty result, or
 * undefined when every location is empty. A 403 at one location does not end the
 * search, but it is re-thrown when no location had pods, so the gather error names it.
 */
export async function findSpirePods(source: KubeSource, locations: readonly PodLocation[]): Promise<FoundPods | undefined> {
  let firstForbidden: unknown;

  for (const location of locations) {
    try {
      const pods = await source.listPods(location.namespace, { labelSelector: location.labelSelector });
      if (pods.length > 0) return { pods, location };
    } catch (error) {
      if (!isKubeApiError(error) || error.code !== 403) throw error;
      firstForbidden ??= error;
    }
  }

  if (firstForbidden !== undefined) throw firstForbidden;
  return undefined;
}

/** Describes the searched locations for a message: `spire (app=spire-agent), spire-system (app.kubernetes.io/name=agent)`. */
export function describeLocations(locations: readonly PodLocation[]): string {
  return locations.map((location) => `${location.namespace} (${location.labelSelector})`).join(', ');
}

/** Returns the agent pod scheduled on `nodeName`, if any. */
export function findPodOnNode(pods: readonly KubePod[], nodeName: string): KubePod | undefined {
  return pods.find((pod) => pod.spec?.nodeName === nodeName);
}

/** Returns the first server pod in phase Running, else the first pod. */
export function pickServerPod(pods: readonly KubePod[]): KubePod | undefined {
  return pods.find((pod) => pod.status?.phase === 'Running') ?? pods[0];
}

/** Returns the container called `name`, else the pod's first container. */
export function pickContainer(pod: KubePod, name: string | undefined): Container | undefined {
  const containers = pod.spec?.containers ?? [];
  if (name === undefined) return containers[0];
  return containers.find((container) => container.name === name);
}

/**
 * Returns the workload container: the one requested, else the one named by the
 * `kubectl.kubernetes.io/default-container` annotation, else the first.
 */
export function pickWorkloadContainer(pod: KubePod, requested: string | undefined): Container | undefined {
  const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  const containers = pod.spec?.containers ?? [];
  if (requested !== undefined) return containers.find((container) => container.name === requested);
  return containers.find((container) => container.name === annotated) ?? containers[0];
}

/**
 * Returns the text under a data key of the ConfigMaps, preferring those that `pod`
 * mounts, because a namespace may hold stale copies. `matchKey` picks the key.
 */
export function findConfigText(
  configMaps: readonly KubeConfigMap[],
  matchKey: (key: string) => boolean,
  pod: KubePod | undefined,
): string | undefined {
  const mounted = new Set((pod?.spec?.volumes ?? []).map((volume) => configMapName(volume.configMap)).filter((name) => name !== undefined));
  const ordered = [...configMaps].sort((a, b) => Number(mounted.has(b.metadata?.name ?? '')) - Number(mounted.has(a.metadata?.name ?? '')));

  for (const configMap of ordered) {
    const key = Object.keys(configMap.data ?? {}).find(matchKey);
    if (key !== undefined) return configMap.data?.[key];
  }
  return undefined;
}

function configMapName(reference: unknown): string | undefined {
  if (typeof reference !== 'object' || reference === null || !('name' in reference)) return undefined;
  return typeof reference.name === 'string' ? reference.name : undefined;
}

/**
 * Describes why a container cannot take an exec (`pod phase is Pending`, `container web
 * is not running (CrashLoopBackOff)`), or returns undefined when it is running or its
 * state is unknown.
 */
export function describeNotRunning(pod: KubePod, containerName: string): string | undefined {
  const phase = pod.status?.phase;
  if (phase !== undefined && phase !== 'Running') return `pod ${pod.metadata?.name ?? ''} is ${phase}`;

  const state = pod.status?.containerStatuses?.find((status) => status.name === containerName)?.state;
  if (state === undefined || state.running !== undefined) return undefined;
  return `container ${containerName} is not running (${state.waiting?.reason ?? state.terminated?.reason ?? 'no reason given'})`;
}
