/**
 * The Workload API socket path the workload uses and the volume that provides it.
 * The path comes from, in order: the container's `SPIFFE_ENDPOINT_SOCKET`,
 * the socket the in-pod fetch dialled, Istio's fixed SPIRE socket path for Istio
 * proxies, or none.
 */
import type { Container, KubePod, Volume, VolumeMount } from '../../evidence/kube-types.js';
import type { FetchView } from './workload-view.js';

/** Istio's agent looks for a SPIRE socket here (Istio 1.14 and later). */
export const ISTIO_SPIRE_SOCKET_PATH = '/var/run/secrets/workload-spiffe-uds/socket';

/** Runtime classes that run pods in a sandbox VM or user-space kernel (Kata Containers, gVisor, Firecracker). */
export const SANDBOX_RUNTIME = /kata|gvisor|runsc|firecracker/i;

export type SocketPathSource = 'fetch' | 'env' | 'istio';

export interface SocketUse {
  readonly path: string;
  readonly source: SocketPathSource;
  readonly container: Container | undefined;
}

export type VolumeKind = 'hostPath' | 'csi' | 'emptyDir' | 'other';

export interface SocketMount {
  readonly container: Container;
  readonly mount: VolumeMount;
  readonly volume: Volume | undefined;
  readonly kind: VolumeKind;
}

/** Tells whether the pod runs an Istio proxy, which takes its identity under Istio's naming convention. */
export function isIstioWorkload(pod: KubePod | undefined): boolean {
  const annotations = pod?.metadata?.annotations ?? {};
  const hasProxy = (pod?.spec?.containers ?? []).some((container) => container.name === 'istio-proxy');
  return hasProxy || 'sidecar.istio.io/status' in annotations || 'inject.istio.io/templates' in annotations;
}

function endpointFromEnv(container: Container): string | undefined {
  const value = container.env?.find((variable) => variable.name === 'SPIFFE_ENDPOINT_SOCKET')?.value;
  if (value === undefined) {
    return undefined;
  }
  // SPIFFE_ENDPOINT_SOCKET is unix:///abs/path (or unix:/abs/path); tcp:// endpoints have no file path.
  const match = /^unix:(?:\/\/)?(\/.*)$/.exec(value);
  return match?.[1];
}

/** Returns the pod's containers and its init containers, which include native sidecars (restartPolicy Always). */
export function listContainers(pod: KubePod | undefined): readonly Container[] {
  return [...(pod?.spec?.containers ?? []), ...(pod?.spec?.initContainers ?? [])];
}

/**
 * Finds the socket path the workload uses and the container that uses it. The
 * workload's own setting wins over the path an in-pod fetch dialled, because a fetch
 * run by hand may use the CLI default instead.
 */
export function findSocketUse(pod: KubePod | undefined, fetch: FetchView | undefined): SocketUse | undefined {
  const containers = listContainers(pod);
  const byName = containers.find((container) => container.name === fetch?.container);

  for (const container of byName === undefined ? containers : [byName, ...containers]) {
    const path = endpointFromEnv(container);
    if (path !== undefined) {
      return { path, source: 'env', container };
    }
  }
  const fetchPath = fetch?.dial?.path ?? fetch?.socketPath;
  if (fetchPath !== undefined) {
    return { path: fetchPath, source: 'fetch', container: byName };
  }
  const proxy = containers.find((container) => container.name === 'istio-proxy');
  return proxy === undefined ? undefined : { path: ISTIO_SPIRE_SOCKET_PATH, source: 'istio', container: proxy };
}

function kindOf(volume: Volume | undefined): VolumeKind {
  if (volume?.hostPath !== undefined) {
    return 'hostPath';
  }
  if (volume?.csi !== undefined) {
    return 'csi';
  }
  return volume?.emptyDir !== undefined ? 'emptyDir' : 'other';
}

function isUnder(path: string, directory: string): boolean {
  const base = directory.endsWith('/') ? directory : `${directory}/`;
  return path === directory || path.startsWith(base);
}

/** Lists every volume mount of the pod's containers with the volume behind it. */
export function listMounts(pod: KubePod | undefined): readonly SocketMount[] {
  const volumes = pod?.spec?.volumes ?? [];
  return listContainers(pod).flatMap((container) =>
    (container.volumeMounts ?? []).map((mount) => {
      const volume = volumes.find((candidate) => candidate.name === mount.name);
      return { container, mount, volume, kind: kindOf(volume) };
    }),
  );
}

/** Finds the mount that provides `path` in `container` (the deepest mount path that contains it). */
export function findMountFor(pod: KubePod | undefined, container: Container | undefined, path: string): SocketMount | undefined {
  const candidates = listMounts(pod).filter(
    (entry) => (container === undefined || entry.container === container) && entry.mount.mountPath !== undefined && isUnder(path, entry.mount.mountPath),
  );
  return candidates.sort((a, b) => (b.mount.mountPath?.length ?? 0) - (a.mount.mountPath?.length ?? 0))[0];
}

/** Finds a hostPath or CSI mount in `container` (any container when undefined) that could expose the agent socket. */
export function findExposingMount(pod: KubePod | undefined, container: Container | undefined): SocketMount | undefined {
  return listMounts(pod).find((entry) => (container === undefined || entry.container === container) && canExposeAgentSocket(entry.kind));
}

/** Tells whether a volume can expose the agent's socket: a hostPath directory or a CSI volume. */
export function canExposeAgentSocket(kind: VolumeKind): boolean {
  return kind === 'hostPath' || kind === 'csi';
}

/** Returns the last path segment: the socket's file name. */
export function fileNameOf(path: string): string {
  return path.split('/').filter((segment) => segment !== '').at(-1) ?? path;
}
