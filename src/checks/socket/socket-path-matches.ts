/**
 * The socket path the workload uses is the agent's socket. The SPIFFE CSI driver and
 * a hostPath volume both expose the agent's socket directory, so the file name must
 * match, and for hostPath volumes the host directory must be the one the agent pod
 * mounts. The agent's path comes from its "Starting Workload and SDS APIs" log line
 * or its `socket_path` setting (default `/tmp/spire-agent/public/api.sock`, SPIRE
 * v1.15.3).
 */
import type { KubePod } from '../../evidence/kube-types.js';
import { isSocketPathSet, readAgentConfigSafely } from '../support/config-readers.js';
import { failed, passed, skippedFor, warned } from '../support/finding-builders.js';
import { canExposeAgentSocket, fileNameOf, findExposingMount, findMountFor, findSocketUse, type SocketUse } from '../support/workload-socket.js';
import { viewWorkload, type WorkloadView } from '../support/workload-view.js';
import type { Check, Confidence, Finding } from '../types.js';

const CHECK_ID = 'socket-path-matches';

interface AgentSocket {
  readonly path: string;
  readonly source: string;
  readonly confidence: Confidence;
}

const STARTING_APIS = /^Starting Workload (and SDS )?APIs?$/;

function findAgentSocket(view: WorkloadView): AgentSocket | undefined {
  const logged = view.agentLog?.records.find((record) => STARTING_APIS.test(record.message) && record.fields.network === 'unix');
  if (logged?.fields.address !== undefined) {
    return { path: logged.fields.address, source: 'the agent log', confidence: 'certain' };
  }
  if (view.agentConfigText === undefined) {
    return undefined;
  }
  const read = readAgentConfigSafely(view.agentConfigText);
  if (read.config === undefined) {
    return undefined;
  }
  return isSocketPathSet(read.config)
    ? { path: read.config.socketPath, source: 'agent.conf socket_path', confidence: 'certain' }
    : { path: read.config.socketPath, source: "SPIRE's default (socket_path is not set in the agent config shown)", confidence: 'possible' };
}

/**
 * Reports a socket path outside the directory where the agent socket is mounted: the
 * volume is there, but the workload looks elsewhere.
 */
function findPathOutsideMount(view: WorkloadView, use: SocketUse): Finding | undefined {
  const mount = findMountFor(view.pod, use.container, use.path);
  const exposing = findExposingMount(view.pod, use.container);
  if ((mount !== undefined && canExposeAgentSocket(mount.kind)) || exposing === undefined) {
    return undefined;
  }
  const directory = exposing.mount.mountPath ?? '?';
  const suggested = `${directory.replace(/\/$/, '')}/${fileNameOf(use.path)}`;
  return failed(CHECK_ID, {
    cause: 'socket-path-mismatch',
    confidence: use.source === 'istio' ? 'likely' : 'certain',
    summary: `The workload looks for the socket at ${use.path}, but the agent socket directory is mounted at ${directory} (${exposing.kind} volume ${exposing.mount.name ?? '?'}), so nothing is at the path it dials.`,
    evidence: [`workload socket: ${use.path} (${use.source})`, `mount: ${exposing.mount.name ?? '?'} at ${directory} in ${exposing.container.name ?? '?'}`],
    fix: [`Point the workload into the mounted directory (SPIFFE_ENDPOINT_SOCKET=unix://${suggested}, with the agent's socket file name), or move the volumeMount to ${use.path.replace(/\/[^/]*$/, '') || '/'}.`],
  });
}

function hostDirectoryOf(pod: KubePod | undefined, path: string): string | undefined {
  const mount = findMountFor(pod, undefined, path);
  return mount?.volume?.hostPath?.path;
}

export const socketPathMatchesCheck = {
  id: CHECK_ID,
  category: 'socket',
  title: "The workload's socket path is where the agent serves",
  severity: 'error',
  requires: ['pod'],
  dependsOn: ['pod-found', 'socket-mounted'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const use = findSocketUse(view.pod, view.fetch);
    const outside = use === undefined ? undefined : findPathOutsideMount(view, use);
    if (outside !== undefined) {
      return [outside];
    }
    const agentSocket = findAgentSocket(view);
    if (use === undefined || agentSocket === undefined) {
      return [skippedFor(this.id, `Could not compare: ${use === undefined ? 'the workload sets no SPIFFE_ENDPOINT_SOCKET and no fetch was run' : 'the agent socket path is unknown (no agentConfig or agent start log)'}.`, ['Add "agentConfig" (the agent.conf text) and "workloadFetch" to the evidence.'])];
    }
    const dialledHere = view.fetch?.dial?.path === use.path;
    if (dialledHere && (view.fetch?.dial?.reason === 'connection-refused' || view.fetch?.dial?.reason === 'permission-denied')) {
      return [passed(this.id, `A socket file exists at ${use.path}: the fetch reached it (${view.fetch?.dial?.text ?? ''}).`)];
    }
    const fetchPath = evidence.workloadFetch?.socketPath;
    if (view.fetch?.succeeded === true && (fetchPath === undefined || fetchPath === use.path)) {
      return [passed(this.id, `The in-pod fetch reached the agent${fetchPath === undefined ? '' : ` at ${fetchPath}`}.`)];
    }

    const workloadFile = fileNameOf(use.path);
    const agentFile = fileNameOf(agentSocket.path);
    const workloadHostDir = hostDirectoryOf(view.pod, use.path);
    const agentHostDir = hostDirectoryOf(view.agentPodsOnNode?.[0], agentSocket.path);
    const hostDirsDiffer = workloadHostDir !== undefined && agentHostDir !== undefined && workloadHostDir !== agentHostDir;
    if (workloadFile === agentFile && !hostDirsDiffer) {
      return [passed(this.id, `The workload uses ${use.path}; the agent serves ${agentSocket.path} (from ${agentSocket.source}): same socket file name.`)];
    }

    const difference = hostDirsDiffer
      ? `that path is in host directory ${workloadHostDir}, while the agent's socket is in host directory ${agentHostDir}`
      : `the agent's socket file is named ${agentFile}, not ${workloadFile}`;
    const details = {
      cause: 'socket-path-mismatch' as const,
      confidence: agentSocket.confidence,
      summary: `The workload dials ${use.path}, but ${difference} (agent path ${agentSocket.path}, from ${agentSocket.source}).`,
      evidence: [`workload socket: ${use.path} (${use.source})`, `agent socket: ${agentSocket.path} (${agentSocket.source})`, ...(view.fetch?.dial ? [`fetch: dial unix ${view.fetch.dial.path}: ${view.fetch.dial.text}`] : [])],
      fix: [
        `Set SPIFFE_ENDPOINT_SOCKET=unix://${use.path.replace(/[^/]+$/, agentFile)} in the workload (and pass -socketPath ${use.path.replace(/[^/]+$/, agentFile)} to spire-agent api fetch), or change the agent's socket_path to end in ${workloadFile}.`,
      ],
    };
    return [agentSocket.confidence === 'possible' ? warned(this.id, details) : failed(this.id, details)];
  },
} satisfies Check;
