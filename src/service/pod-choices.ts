/**
 * The pick list for `why` with no pod argument: the namespace's pods, those least likely
 * to have an SVID first. A pod that is not running cannot have one, so those come first.
 * Running pods that mount no Workload API socket volume come next, and the rest follow by name.
 */
import type { KubePod } from '../evidence/kube-types.js';
import type { KubeSource } from '../probes/kube/source.js';

export interface PodChoice {
  readonly name: string;
  /** A short reason shown next to the name. */
  readonly note: string;
  readonly rank: number;
}

const SOCKET_VOLUME_DRIVERS = new Set(['csi.spiffe.io']);

function mountsSocketVolume(pod: KubePod): boolean {
  return (pod.spec?.volumes ?? []).some(
    (volume) => (volume.csi?.driver !== undefined && SOCKET_VOLUME_DRIVERS.has(volume.csi.driver)) || volume.hostPath?.path?.includes('spire') === true,
  );
}

function describePod(pod: KubePod): Omit<PodChoice, 'name'> {
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase !== 'Running') return { note: `phase ${phase}`, rank: 0 };
  const notReady = (pod.status?.containerStatuses ?? []).some((status) => status.ready === false);
  if (notReady) return { note: 'running, not ready', rank: 1 };
  if (!mountsSocketVolume(pod)) return { note: 'running, no SPIRE socket volume', rank: 2 };
  return { note: 'running', rank: 3 };
}

/** Orders pods for the pick list: most likely without an SVID first, then by name. */
export function orderPodChoices(pods: readonly KubePod[]): PodChoice[] {
  return pods
    .filter((pod) => pod.metadata?.name !== undefined)
    .map((pod) => ({ name: pod.metadata?.name ?? '', ...describePod(pod) }))
    .sort((left, right) => left.rank - right.rank || left.name.localeCompare(right.name));
}

/** Lists the pods of `namespace` as pick-list choices. */
export async function listPodChoices(source: KubeSource, namespace: string): Promise<PodChoice[]> {
  return orderPodChoices(await source.listPods(namespace));
}
