/**
 * The in-pod Workload API fetch: `spire-agent api fetch x509` run inside the workload
 * container on the socket path that container uses. When the image has no such binary,
 * an opt-in ephemeral debug container that mounts the same volume runs it instead.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { WorkloadFetch } from '../../evidence/types.js';
import type { Container, ContainerStatus, KubePod } from '../../evidence/kube-types.js';
import { ProbeSkippedError } from '../errors.js';
import { isCommandNotStarted } from './exec-status.js';
import type { WorkloadSocketPath } from './socket-path.js';
import type { KubeSource } from './source.js';

/** Image for the debug container: SPIRE's agent image keeps its binary at `/opt/spire/bin/spire-agent`. */
export const DEFAULT_DEBUG_IMAGE = 'ghcr.io/spiffe/spire-agent:1.15.3';

const DEBUG_AGENT_BINARY = '/opt/spire/bin/spire-agent';
const DEBUG_POLL_INTERVAL_MS = 500;

export interface WorkloadFetchRequest {
  readonly namespace: string;
  readonly pod: KubePod;
  readonly container: Container;
  readonly socket: WorkloadSocketPath;
  /** Binaries to try in the workload container, in order. */
  readonly binaries: readonly string[];
  /** Add an ephemeral debug container when the image has no binary; this changes the pod. */
  readonly allowDebugContainer: boolean;
  readonly debugImage: string;
}

/** Builds the fetch command line for one binary. */
export function fetchCommand(binary: string, socketPath: string): string[] {
  return [binary, 'api', 'fetch', 'x509', '-socketPath', socketPath, '-output', 'json'];
}

/**
 * Runs the fetch in the workload container, falling back to a debug container when
 * allowed.
 *
 * @throws ProbeSkippedError when no binary is found and the debug container is not allowed.
 */
export async function fetchInWorkload(source: KubeSource, request: WorkloadFetchRequest, signal: AbortSignal): Promise<WorkloadFetch> {
  const podName = request.pod.metadata?.name ?? '';
  const containerName = request.container.name ?? '';

  for (const binary of request.binaries) {
    const result = await source.exec(request.namespace, podName, containerName, fetchCommand(binary, request.socket.path), signal);
    if (isCommandNotStarted(result)) continue;

    return {
      exitCode: result.exitCode ?? 1,
      stdout: result.stdout,
      stderr: result.stderr,
      socketPath: request.socket.path,
      container: containerName,
    };
  }

  if (!request.allowDebugContainer) {
    throw new ProbeSkippedError(
      `container ${containerName} has no spire-agent binary (tried ${request.binaries.join(', ')}); ` +
        'allow an ephemeral debug container (--allow-debug-container) to run the fetch from a container that mounts the same socket volume',
    );
  }
  return fetchInDebugContainer(source, request, signal);
}

/**
 * Adds an ephemeral container that runs the fetch once, waits for it to end and reads
 * its output from the container log (stdout and stderr arrive there interleaved).
 * NOTE: tested against an in-memory source only; the lab does not serve
 * `pods/ephemeralcontainers`, so the PATCH has not run against an API server.
 */
async function fetchInDebugContainer(source: KubeSource, request: WorkloadFetchRequest, signal: AbortSignal): Promise<WorkloadFetch> {
  const podName = request.pod.metadata?.name ?? '';
  const workloadContainer = request.container.name ?? '';
  const mount = findSocketMount(request.container, request.socket.path);
  if (mount === undefined) {
    throw new ProbeSkippedError(`no volume mount of container ${workloadContainer} contains ${request.socket.path}, so a debug container cannot reach the socket`);
  }

  const name = `spiffe-doctor-fetch-${randomBytes(3).toString('hex')}`;
  await source.addEphemeralContainer(request.namespace, podName, {
    name,
    image: request.debugImage,
    command: fetchCommand(DEBUG_AGENT_BINARY, request.socket.path),
    volumeMounts: [{ name: mount.name, mountPath: mount.mountPath, readOnly: true }],
    targetContainerName: workloadContainer,
  });

  const terminated = await waitForTermination(source, request.namespace, podName, name, signal);
  const output = await source.readPodLog(request.namespace, podName, { container: name, tailLines: 1000 });

  return {
    exitCode: terminated.exitCode ?? 1,
    stdout: output,
    stderr: '',
    socketPath: request.socket.path,
    container: name,
    viaDebugContainer: true,
    note:
      `ran in ephemeral container ${name} (image ${request.debugImage}) with container ${workloadContainer}'s socket volume; ` +
      `its k8s:container-name and k8s:container-image selectors differ from ${workloadContainer}'s, ` +
      'so an entry that selects on them matches one of the two only',
  };
}

function findSocketMount(container: Container, socketPath: string): { name: string; mountPath: string } | undefined {
  for (const mount of container.volumeMounts ?? []) {
    if (mount.name === undefined || mount.mountPath === undefined) continue;
    const relative = posix.relative(mount.mountPath, socketPath);
    if (!relative.startsWith('..') && !posix.isAbsolute(relative)) return { name: mount.name, mountPath: mount.mountPath };
  }
  return undefined;
}

async function waitForTermination(
  source: KubeSource,
  namespace: string,
  podName: string,
  containerName: string,
  signal: AbortSignal,
): Promise<{ exitCode?: number }> {
  for (;;) {
    const pod = await source.readPod(namespace, podName);
    const status: ContainerStatus | undefined = pod.status?.ephemeralContainerStatuses?.find((candidate) => candidate.name === containerName);
    const terminated = status?.state?.terminated;
    if (terminated !== undefined) return terminated;

    await sleep(DEBUG_POLL_INTERVAL_MS, undefined, { signal });
  }
}
