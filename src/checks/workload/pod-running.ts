/**
 * The workload's containers are running. The Kubernetes workload attestor finds a
 * caller's container by its container ID in the pod status (SPIRE v1.15.3
 * `pkg/agent/plugin/workloadattestor/k8s`), so a container that is waiting, has
 * terminated, or is stuck in a postStart hook cannot be attested.
 */
import type { Container, ContainerStatus, KubePod } from '../../evidence/kube-types.js';
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import type { Check, Finding } from '../types.js';

function hasPostStartHook(container: Container | undefined): boolean {
  return container?.lifecycle?.postStart !== undefined;
}

function describeNotRunning(status: ContainerStatus): string | undefined {
  if (status.state?.running !== undefined) {
    return undefined;
  }
  const waiting = status.state?.waiting;
  if (waiting !== undefined) {
    return `container ${status.name ?? '?'} is waiting (${waiting.reason ?? 'no reason given'}${waiting.message ? `: ${waiting.message}` : ''})`;
  }
  const terminated = status.state?.terminated;
  if (terminated !== undefined) {
    return `container ${status.name ?? '?'} terminated (${terminated.reason ?? 'no reason'}, exit code ${terminated.exitCode ?? '?'})`;
  }
  return `container ${status.name ?? '?'} has no state yet`;
}

function postStartEvents(events: readonly { reason?: string; message?: string }[] | undefined): string[] {
  return (events ?? [])
    .filter((event) => event.reason === 'FailedPostStartHook' || /PostStartHook/i.test(event.reason ?? ''))
    .map((event) => `event ${event.reason}: ${event.message ?? ''}`);
}

function judgeContainers(checkId: string, pod: KubePod, events: readonly { reason?: string; message?: string }[] | undefined): Finding | undefined {
  const containers = pod.spec?.containers ?? [];
  const statuses = pod.status?.containerStatuses ?? [];
  const problems = statuses.flatMap((status) => {
    const problem = describeNotRunning(status);
    return problem === undefined ? [] : [{ status, problem }];
  });
  if (problems.length === 0) {
    return undefined;
  }

  const hooked = problems.filter(({ status }) => hasPostStartHook(containers.find((container) => container.name === status.name)));
  const hookEvents = postStartEvents(events);
  const crashLooping = problems.every(({ status }) => hasRunBefore(status));
  const hookNote = hooked.length > 0 || hookEvents.length > 0
    ? ' The container has a postStart hook: Kubernetes does not report it running until the hook returns, so a hook that waits for the SVID waits forever.'
    : '';
  return failed(checkId, {
    cause: 'pod-not-running',
    confidence: 'certain',
    summary: `The workload container is not running, so the agent cannot attest it: ${problems.map(({ problem }) => problem).join('; ')}.${hookNote}`,
    evidence: [...problems.map(({ problem }) => problem), ...hookEvents],
    fix: hookNote === ''
      ? [`kubectl describe pod ${pod.metadata?.name ?? 'POD'} -n ${pod.metadata?.namespace ?? 'NAMESPACE'}`, 'Fix the reason the container is not running, then retry the fetch.']
      : ['Do not fetch the SVID from a postStart hook; fetch it in the main process or an init container, or set disable_container_selectors = true in the k8s workload attestor so pod selectors suffice.'],
    // A container that ran and then exits may exit because it got no SVID, so any cause of that explains the crash loop.
    ...(crashLooping && hookNote === '' ? { explainedBy: CAUSES_OF_NO_SVID } : {}),
  });
}

/** Checks whose failure leaves a workload without an SVID; a workload that exits without one crash-loops. */
const CAUSES_OF_NO_SVID = [
  'server-available',
  'agent-on-node',
  'agent-healthy',
  'agent-attested',
  'socket-mounted',
  'socket-path-matches',
  'socket-reachable',
  'workload-attested',
  'entry-exists',
  'entry-selectors-match',
  'entry-parent-authorized',
  'entry-not-expired',
  'entry-synced',
  'trust-domain-consistent',
  'registrar-selects-pod',
];

/** Tells whether the container ran before: it restarted, or its last state is a termination. */
function hasRunBefore(status: ContainerStatus): boolean {
  return (status.restartCount ?? 0) > 0 || status.lastState?.terminated !== undefined || status.state?.terminated !== undefined;
}

export const podRunningCheck = {
  id: 'pod-running',
  category: 'workload',
  title: "Workload pod's containers are running",
  severity: 'error',
  requires: ['pod'],
  dependsOn: ['pod-found'],
  run({ evidence }) {
    const pod = evidence.pod as KubePod;
    if (pod.status === undefined) {
      return [skippedFor(this.id, 'The pod object has no status, so whether its containers run is unknown.', ['Save the pod with kubectl get pod NAME -n NS -o json, which includes its status.'])];
    }
    const phase = pod.status.phase;
    if (phase !== undefined && phase !== 'Running') {
      return [
        failed(this.id, {
          cause: 'pod-not-running',
          confidence: 'certain',
          summary: `The pod is in phase ${phase}, not Running, so no container of it can be attested.${pod.status?.reason ? ` Reason: ${pod.status.reason}.` : ''}`,
          evidence: [`status.phase: ${phase}`, ...(pod.status?.message ? [`status.message: ${pod.status.message}`] : [])],
          fix: [`kubectl describe pod ${pod.metadata?.name ?? 'POD'} -n ${pod.metadata?.namespace ?? 'NAMESPACE'}`],
        }),
      ];
    }

    const containerProblem = judgeContainers(this.id, pod, evidence.events);
    return [containerProblem ?? passed(this.id, 'The pod is running and its containers have started.')];
  },
} satisfies Check;
