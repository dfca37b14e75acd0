/**
 * The workload can connect to the mounted socket. The kernel can reject the connect()
 * before the agent receives the call. File permissions can block it, and so can an
 * SELinux label that confined containers may not use (OpenShift's container_t
 * against container_var_run_t). A sandboxed runtime (Kata Containers, gVisor) may
 * have a guest kernel that cannot reach a Unix socket on the host.
 */
import type { KubePod } from '../../evidence/kube-types.js';
import type { Evidence } from '../../evidence/types.js';
import { failed, passed, skippedFor, warned } from '../support/finding-builders.js';
import { SANDBOX_RUNTIME } from '../support/workload-socket.js';
import { viewWorkload, type WorkloadView } from '../support/workload-view.js';
import type { Check } from '../types.js';

function findSelinuxHints(evidence: Evidence, pod: KubePod | undefined): string[] {
  const hints: string[] = [];
  const contexts = [pod?.spec?.securityContext, ...(pod?.spec?.containers ?? []).map((container) => container.securityContext)];
  if (contexts.some((context) => context?.seLinuxOptions !== undefined)) {
    hints.push('the pod sets seLinuxOptions, so SELinux confines it');
  }
  const texts = [typeof evidence.agentConfig === 'string' ? evidence.agentConfig : '', ...(evidence.events ?? []).map((event) => event.message ?? '')];
  const denial = texts.flatMap((text) => text.split('\n')).find((line) => /avc:\s+denied/.test(line));
  if (denial !== undefined) {
    hints.push(denial.replace(/^#\s*/, ''));
  }
  return hints;
}

/** Tells whether the workload's call reached the agent: the fetch got a gRPC status or SVIDs back rather than a dial error. */
function reachedAgent(view: WorkloadView): boolean {
  return view.fetch !== undefined && view.fetch.dial === undefined && (view.fetch.succeeded || view.fetch.status !== undefined);
}

export const socketReachableCheck = {
  id: 'socket-reachable',
  category: 'socket',
  title: 'The workload can connect to the Workload API socket',
  severity: 'error',
  requires: ['pod'],
  dependsOn: ['pod-found'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const runtimeClass = view.pod?.spec?.runtimeClassName;
    if (view.fetch?.succeeded === true) {
      return [passed(this.id, 'The in-pod fetch connected to the socket.')];
    }

    if (view.fetch?.dial?.reason === 'permission-denied') {
      const selinux = findSelinuxHints(evidence, view.pod);
      const why = selinux.length > 0
        ? 'SELinux denies the confined container access to the socket (the host socket directory carries a label containers may not use)'
        : 'the socket file or its directory does not let the workload user connect';
      return [
        failed(this.id, {
          cause: 'socket-unreachable',
          confidence: 'certain',
          summary: `The socket exists at ${view.fetch.dial.path}, but connecting is denied: ${why}. The agent never sees the call.`,
          evidence: [`fetch: ${view.fetch.stderr}`, ...selinux],
          fix: selinux.length > 0
            ? ['Give the agent socket directory a label containers may use: a SPIFFE CSI driver or Helm chart version that relabels it to container_file_t, or relabel it from a privileged init container (chcon -Rt container_file_t on the host socket directory).']
            : ["Make the socket connectable for the workload's user: check the mode of the socket and its directory on the node, and the pod's runAsUser and fsGroup."],
        }),
      ];
    }

    if (runtimeClass !== undefined && SANDBOX_RUNTIME.test(runtimeClass) && !reachedAgent(view)) {
      // A dial error proves the sandbox cannot connect; without a fetch it is only suspected.
      const proven = view.fetch?.dial !== undefined;
      const details = {
        cause: 'socket-unreachable' as const,
        confidence: proven ? ('likely' as const) : ('possible' as const),
        summary: `The pod runs in sandboxed runtime class ${runtimeClass}: its guest kernel may not reach a Unix socket on the host, so the agent socket can be unreachable even when mounted.`,
        evidence: [`spec.runtimeClassName: ${runtimeClass}`, ...(proven ? [`fetch: ${view.fetch?.stderr ?? ''}`] : [])],
        fix: ['Run the workload with the default runtime class, or deliver the SVID another way (for example spiffe-helper writing files into a shared volume).'],
      };
      return [proven ? failed(this.id, details) : warned(this.id, details)];
    }
    if (view.fetch === undefined) {
      return [skippedFor(this.id, 'Could not run: evidence field "workloadFetch" was not gathered.', ['Add "workloadFetch": spire-agent api fetch x509 run inside the workload pod.'])];
    }
    return [passed(this.id, `The fetch did not fail on permissions${view.fetch.dial ? ` (${view.fetch.dial.text})` : ''}.`)];
  },
} satisfies Check;
