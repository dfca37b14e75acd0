/**
 * Derivation of the Workload API socket path a workload container actually uses, so the
 * in-pod fetch tests the path the workload dials rather than the agent's default.
 */
import { posix } from 'node:path';

import type { Container, KubePod, Volume } from '../../evidence/kube-types.js';

/** The SPIFFE CSI driver name (spiffe/spiffe-csi). */
const SPIFFE_CSI_DRIVER = 'csi.spiffe.io';

/** The source the socket path was derived from. */
export type SocketPathOrigin = 'SPIFFE_ENDPOINT_SOCKET' | 'hostPath volume' | 'SPIFFE CSI volume';

export interface WorkloadSocketPath {
  readonly path: string;
  readonly origin: SocketPathOrigin;
}

/**
 * Finds the socket path for `container`: the `unix://` path in its `SPIFFE_ENDPOINT_SOCKET`
 * env, else its mount of the volume that contains the agent's socket directory (the same
 * hostPath as the agent pod mounts, or a SPIFFE CSI volume) plus the agent's socket file
 * name. Returns undefined when the container mounts no such volume.
 */
export function findWorkloadSocketPath(
  container: Container,
  pod: KubePod,
  agent: { readonly pod: KubePod | undefined; readonly container: string; readonly socketPath: string },
): WorkloadSocketPath | undefined {
  const fromEnv = findEndpointSocketEnv(container);
  if (fromEnv !== undefined) return { path: fromEnv, origin: 'SPIFFE_ENDPOINT_SOCKET' };

  const socketDirectory = posix.dirname(agent.socketPath);
  const socketFile = posix.basename(agent.socketPath);
  const agentHostPath = agent.pod === undefined ? undefined : findAgentSocketHostPath(agent.pod, agent.container, socketDirectory);

  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.spec?.volumes?.find((candidate) => candidate.name === mount.name);
    if (volume === undefined || mount.mountPath === undefined) continue;

    if (volume.csi?.driver === SPIFFE_CSI_DRIVER) return { path: posix.join(mount.mountPath, socketFile), origin: 'SPIFFE CSI volume' };
    const inside = agentHostPath === undefined ? undefined : findPathInside(volume, agentHostPath);
    if (inside !== undefined) return { path: posix.join(mount.mountPath, inside, socketFile), origin: 'hostPath volume' };
  }
  return undefined;
}

/** Returns the path of a `unix://` `SPIFFE_ENDPOINT_SOCKET` value, or undefined (unset, `tcp://`, set from a reference). */
export function findEndpointSocketEnv(container: Container): string | undefined {
  const value = container.env?.find((variable) => variable.name === 'SPIFFE_ENDPOINT_SOCKET')?.value;
  if (value === undefined) return undefined;

  const match = /^unix:(?:\/\/)?(\/.*)$/.exec(value);
  return match?.[1];
}

/**
 * Finds the host directory behind the agent's socket directory: the hostPath volume the
 * agent container mounts at that directory or at a parent of it.
 */
function findAgentSocketHostPath(agentPod: KubePod, containerName: string, socketDirectory: string): string | undefined {
  const agentContainer = agentPod.spec?.containers?.find((candidate) => candidate.name === containerName) ?? agentPod.spec?.containers?.[0];

  for (const mount of agentContainer?.volumeMounts ?? []) {
    if (mount.mountPath === undefined) continue;
    const relative = posix.relative(mount.mountPath, socketDirectory);
    if (relative.startsWith('..') || posix.isAbsolute(relative)) continue;

    const hostPath = agentPod.spec?.volumes?.find((volume) => volume.name === mount.name)?.hostPath?.path;
    if (hostPath !== undefined) return posix.join(hostPath, relative);
  }
  return undefined;
}

/** Returns where `hostPath` lies inside the volume's host directory ('' for the directory itself), or undefined. */
function findPathInside(volume: Volume, hostPath: string): string | undefined {
  const volumePath = volume.hostPath?.path;
  if (volumePath === undefined) return undefined;

  const relative = posix.relative(volumePath, hostPath);
  return relative.startsWith('..') || posix.isAbsolute(relative) ? undefined : relative;
}

/** Reads `socket_path` from agent.conf text (HCL or JSON); undefined when not set. */
export function findConfiguredSocketPath(agentConfig: string): string | undefined {
  const match = /\bsocket_path"?\s*[:=]\s*"([^"]+)"/.exec(agentConfig);
  return match?.[1];
}
