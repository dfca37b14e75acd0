/**
 * Paths at which a container can reach its node's SPIRE agent socket. The agent writes
 * the socket into a host directory, and a container reaches it through a volume that
 * exposes that directory. That is a hostPath volume of the directory or of a parent, or a
 * volume of the SPIFFE CSI driver (`csi.spiffe.io`), which mounts the agent's socket
 * directory. An emptyDir or any other volume does not expose it.
 */
import type { KubePod, Volume } from '../evidence/kube-types.js';
import type { LabAgentSocket } from './scenario-types.js';

/** Driver name of the SPIFFE CSI driver. */
export const SPIFFE_CSI_DRIVER = 'csi.spiffe.io';

function trimSlashes(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function joinPath(...parts: readonly string[]): string {
  return parts.filter((part) => part !== '').join('/').replace(/\/{2,}/g, '/');
}

/** Returns the path inside a volume at which the socket directory appears, or undefined when the volume does not expose it. */
function socketDirInVolume(volume: Volume, socket: LabAgentSocket): string | undefined {
  if (volume.csi?.driver === SPIFFE_CSI_DRIVER) return '';
  const hostPath = volume.hostPath?.path;
  if (!hostPath) return undefined;

  const volumeRoot = trimSlashes(hostPath);
  if (volumeRoot === socket.hostDir) return '';
  if (socket.hostDir.startsWith(`${volumeRoot}/`)) return socket.hostDir.slice(volumeRoot.length + 1);
  return undefined;
}

/**
 * Returns every path inside `containerName` of `pod` at which the agent socket file
 * (`socket.fileName` in `socket.hostDir` on the node) is visible.
 */
export function agentSocketPathsInContainer(pod: KubePod, containerName: string, socket: LabAgentSocket): string[] {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
  const container = containers.find((candidate) => candidate.name === containerName);
  const paths: string[] = [];
  for (const mount of container?.volumeMounts ?? []) {
    const volume = pod.spec?.volumes?.find((candidate) => candidate.name === mount.name);
    const dirInVolume = volume ? socketDirInVolume(volume, socket) : undefined;
    if (dirInVolume === undefined || !mount.mountPath) continue;

    const subPath = trimSlashes(mount.subPath ?? '');
    if (subPath === '') {
      paths.push(joinPath(mount.mountPath, dirInVolume, socket.fileName));
      continue;
    }
    // A subPath mount exposes only that part of the volume, which may be the socket file itself.
    if (joinPath(dirInVolume, socket.fileName) === subPath) paths.push(mount.mountPath);
    else if (dirInVolume === subPath) paths.push(joinPath(mount.mountPath, socket.fileName));
    else if (dirInVolume.startsWith(`${subPath}/`)) paths.push(joinPath(mount.mountPath, dirInVolume.slice(subPath.length + 1), socket.fileName));
  }
  return paths;
}
