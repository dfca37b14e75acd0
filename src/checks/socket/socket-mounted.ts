/**
 * The workload mounts a volume that exposes the agent's Workload API socket: a
 * hostPath directory or a CSI volume (the SPIFFE CSI driver, `csi.spiffe.io`). An
 * emptyDir at the socket path is private to the pod, so whatever listens there is
 * not the SPIRE agent; Istio's own agent, for one, opens its SDS socket in an empty
 * directory when it finds no SPIRE socket there.
 */
import { failed, passed } from '../support/finding-builders.js';
import { canExposeAgentSocket, findExposingMount, findMountFor, findSocketUse, listMounts, type SocketPathSource } from '../support/workload-socket.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Check, Finding } from '../types.js';

const CSI_FIX = 'Mount the agent socket directory into the workload: volumes: [{name: spiffe-workload-api, csi: {driver: csi.spiffe.io, readOnly: true}}] with a volumeMount at the directory of the socket path (or a hostPath volume of the agent socket directory).';

const SOURCE_LABEL: Readonly<Record<SocketPathSource, string>> = {
  env: 'SPIFFE_ENDPOINT_SOCKET',
  fetch: 'the in-pod fetch',
  istio: "Istio's SPIRE socket convention",
};

function foreignServerNote(status: { code: string; message: string } | undefined): string[] {
  return status?.code === 'Unimplemented' && /SpiffeWorkloadAPI/.test(status.message)
    ? [`fetch: rpc error: code = ${status.code} desc = ${status.message} (the socket there does not serve the Workload API)`]
    : [];
}

function judgeWithoutPath(checkId: string, mounts: ReturnType<typeof listMounts>): Finding {
  const exposing = mounts.filter((entry) => canExposeAgentSocket(entry.kind));
  if (exposing.length > 0) {
    const first = exposing[0];
    return passed(checkId, `Container ${first?.container.name ?? '?'} mounts ${first?.kind} volume ${first?.mount.name ?? '?'} at ${first?.mount.mountPath ?? '?'}.`);
  }
  return failed(checkId, {
    cause: 'socket-not-mounted',
    confidence: 'likely',
    summary: 'No container of the pod mounts a hostPath or CSI volume, so the Workload API socket cannot be inside it.',
    evidence: mounts.map((entry) => `${entry.container.name ?? '?'}: ${entry.kind} volume ${entry.mount.name ?? '?'} at ${entry.mount.mountPath ?? '?'}`),
    fix: [CSI_FIX],
  });
}

export const socketMountedCheck = {
  id: 'socket-mounted',
  category: 'socket',
  title: 'Workload API socket is mounted into the workload',
  severity: 'error',
  requires: ['pod'],
  dependsOn: ['pod-found'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const use = findSocketUse(view.pod, view.fetch);
    if (use === undefined) {
      return [judgeWithoutPath(this.id, listMounts(view.pod))];
    }

    const mount = findMountFor(view.pod, use.container, use.path);
    const where = `socket path ${use.path} (from ${SOURCE_LABEL[use.source]})`;
    if (mount !== undefined && canExposeAgentSocket(mount.kind)) {
      return [passed(this.id, `The ${where} is on ${mount.kind} volume ${mount.mount.name ?? '?'}.`)];
    }
    const elsewhere = mount === undefined ? findExposingMount(view.pod, use.container) : undefined;
    if (elsewhere !== undefined) {
      return [passed(this.id, `Container ${elsewhere.container.name ?? '?'} mounts ${elsewhere.kind} volume ${elsewhere.mount.name ?? '?'} at ${elsewhere.mount.mountPath ?? '?'}, although its ${where} is outside it (see socket-path-matches).`)];
    }

    const summary = mount === undefined
      ? `No volume is mounted at the directory of the ${where}, so the workload looks inside its own filesystem, where no agent socket exists.`
      : `The ${where} is on ${mount.kind} volume ${mount.mount.name ?? '?'}, which is private to the pod: the SPIRE agent's socket lives on the node and never appears there.`;
    return [
      failed(this.id, {
        cause: 'socket-not-mounted',
        confidence: mount === undefined && use.source === 'istio' ? 'likely' : 'certain',
        summary,
        evidence: [
          ...(mount === undefined ? [] : [`volume ${mount.mount.name ?? '?'}: ${mount.kind} mounted at ${mount.mount.mountPath ?? '?'} in ${mount.container.name ?? '?'}`]),
          `${where}`,
          ...foreignServerNote(view.fetch?.status),
        ],
        fix: [CSI_FIX.replace('spiffe-workload-api', mount?.mount.name ?? 'spiffe-workload-api')],
      }),
    ];
  },
} satisfies Check;
