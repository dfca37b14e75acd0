/**
 * The agent on the workload's node is running, ready and passes its health check.
 * When it crash-loops, the reason comes from its last "Agent crashed" line. A server
 * address that does not resolve is the agent's own fault. A rejected identity or a
 * failing server belongs to the agent-attested and server-available checks, which
 * then explain this one.
 */
import type { KubePod } from '../../evidence/kube-types.js';
import { FAILURE_LAYER, findAgentFailures, type AgentFailure } from '../support/agent-failures.js';
import { findAgentHealth, findGatherError } from '../support/evidence-access.js';
import { failed, passed, skippedFor, warned } from '../support/finding-builders.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Check } from '../types.js';

const LAYER_CHECK = { agent: undefined, attestation: 'agent-attested', server: 'server-available', 'trust-domain': 'trust-domain-consistent' } as const;

function describePodProblems(agentPod: KubePod | undefined): string[] {
  const phase = agentPod?.status?.phase;
  if (agentPod !== undefined && phase !== undefined && phase !== 'Running') {
    const unscheduled = agentPod.status?.conditions?.find((condition) => condition.type === 'PodScheduled' && condition.status === 'False');
    return [`agent pod ${agentPod.metadata?.name ?? '?'} is ${phase}${unscheduled?.message ? ` (${unscheduled.message})` : ''}`];
  }
  return (agentPod?.status?.containerStatuses ?? []).flatMap((status) => {
    const waiting = status.state?.waiting?.reason;
    const lastExit = status.lastState?.terminated;
    if (waiting !== undefined) {
      return [`agent container ${status.name ?? '?'} is ${waiting} after ${status.restartCount ?? 0} restarts${lastExit ? ` (last exit code ${lastExit.exitCode ?? '?'})` : ''}`];
    }
    if (status.ready === false) {
      return [`agent container ${status.name ?? '?'} is not ready`];
    }
    return [];
  });
}

function crashFix(failure: AgentFailure | undefined, agentPod: KubePod | undefined): string[] {
  if (failure?.kind === 'server-address-unresolvable') {
    return [
      'Set server_address in the agent ConfigMap to the SPIRE server Service that exists (for example spire-server.<server namespace>.svc), then roll the agent DaemonSet.',
      'Check: kubectl get svc -A | grep spire-server',
    ];
  }
  const name = agentPod?.metadata?.name ?? 'AGENT_POD';
  return [`Read the agent's last error: kubectl logs -n ${agentPod?.metadata?.namespace ?? 'spire'} ${name} --previous`, 'Fix the error it names, then restart the agent pod.'];
}

export const agentHealthyCheck = {
  id: 'agent-healthy',
  category: 'agent',
  title: "The agent on the workload's node is healthy",
  severity: 'error',
  requires: [],
  dependsOn: ['agent-on-node'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const agentPod = view.agentPodsOnNode?.[0];
    const health = findAgentHealth(evidence, view.node);
    if (agentPod === undefined && health === undefined && view.agentLog === undefined) {
      return [skippedFor(this.id, 'Could not run: neither agentPods, agentHealth nor agentLogs were gathered for the node.', ['Add "agentHealth": spire-agent healthcheck in the agent pod.'])];
    }
    // On a host there is no agent pod to read: a log with no errors does not show the agent runs now.
    if (evidence.process !== undefined && agentPod === undefined && health === undefined) {
      const reason = findGatherError(evidence, 'agentHealth') ?? 'agentHealth was not gathered';
      return [skippedFor(this.id, `Could not tell whether the agent on this host runs: ${reason}.`, ['Add "agentHealth": spire-agent healthcheck -socketPath SOCKET run on the host.'])];
    }

    const problems = [
      ...describePodProblems(agentPod),
      ...(health?.healthy === false ? [`spire-agent healthcheck: ${health.output ?? 'unhealthy'}`] : []),
    ];
    const healthGatherError = findGatherError(evidence, 'agentHealth');
    if (healthGatherError !== undefined && /CrashLoopBackOff|not running/i.test(healthGatherError)) {
      problems.push(`gatherErrors.agentHealth: ${healthGatherError}`);
    }
    if (problems.length === 0) {
      return [passed(this.id, `The agent on node ${view.node ?? '?'} is running${health?.healthy === true ? ' and its health check passes' : ''}.`)];
    }

    const podServing = agentPod !== undefined && describePodProblems(agentPod).length === 0;
    const serving = (view.agentLog?.workloadFetched.length ?? 0) > 0 || view.fetch?.succeeded === true;
    if (podServing && serving) {
      return [
        warned(this.id, {
          cause: 'agent-unhealthy',
          confidence: 'possible',
          summary: `The health check reports the agent on node ${view.node ?? '?'} unhealthy, yet its pod is ready and it serves SVIDs: the health check most likely dialled another socket path than the agent's.`,
          evidence: problems,
          fix: ["Run the health check against the agent's socket: spire-agent healthcheck -socketPath <the agent's socket_path>."],
        }),
      ];
    }

    const crash = findAgentFailures(view.agentLog?.records ?? []).at(-1);
    const layer = crash === undefined ? undefined : LAYER_CHECK[FAILURE_LAYER[crash.kind]];
    const reason = crash === undefined ? '' : ` Its last error: ${crash.record.fields.error ?? crash.record.message}`;
    return [
      failed(this.id, {
        cause: 'agent-unhealthy',
        confidence: 'certain',
        summary: `The SPIRE agent on node ${view.node ?? '?'} is not healthy (${problems[0]}), so it does not serve the Workload API.${reason}`,
        evidence: [...problems, ...(crash === undefined ? [] : [crash.record.raw])],
        fix: crashFix(crash, agentPod),
        ...(layer === undefined ? {} : { explainedBy: [layer] }),
      }),
    ];
  },
} satisfies Check;
