/**
 * A SPIRE agent pod runs on the workload's node. The Workload API is a Unix socket
 * on the node, so only an agent on the same node can serve the workload. The usual
 * reason for a missing agent is a node taint the agent DaemonSet does not tolerate,
 * or a DaemonSet nodeSelector the node's labels do not satisfy.
 */
import type { KubeNode, KubePod } from '../../evidence/kube-types.js';
import { findGatherError } from '../support/evidence-access.js';
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import { findUntoleratedTaints, formatTaint } from '../support/tolerations.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Check } from '../types.js';

function explainAbsence(node: KubeNode | undefined, agentPods: readonly KubePod[]): { reasons: string[]; fix: string[] } {
  const template = agentPods[0];
  if (node === undefined || template === undefined) {
    return { reasons: [], fix: [] };
  }

  const untolerated = findUntoleratedTaints(node.spec?.taints, template.spec?.tolerations);
  const labels = node.metadata?.labels ?? {};
  const unmetSelector = Object.entries(template.spec?.nodeSelector ?? {}).filter(([key, value]) => labels[key] !== value);
  const reasons = [
    ...untolerated.map((taint) => `node taint ${formatTaint(taint)} is not tolerated by the agent pods`),
    ...unmetSelector.map(([key, value]) => `agent nodeSelector ${key}=${value} is not a label of the node`),
    ...(node.spec?.unschedulable === true ? ['the node is cordoned (spec.unschedulable)'] : []),
  ];
  const fix = [
    ...untolerated.map(
      (taint) => `Add to the spire-agent DaemonSet (and the SPIFFE CSI driver DaemonSet, if used): tolerations: [{key: ${taint.key}, operator: Exists, effect: ${taint.effect}}]`,
    ),
    ...unmetSelector.map(([key, value]) => `Label the node (kubectl label node ${node.metadata?.name ?? 'NODE'} ${key}=${value}) or widen the DaemonSet nodeSelector.`),
  ];
  return { reasons, fix };
}

/**
 * Describes agent pods the DaemonSet created for the node that the scheduler has not
 * placed: they have no nodeName yet, and their node affinity names the node.
 */
function describeUnscheduled(agentPods: readonly KubePod[], node: string): string[] {
  return agentPods
    .filter((pod) => pod.spec?.nodeName === undefined && JSON.stringify(pod.spec?.affinity ?? {}).includes(`"${node}"`))
    .map((pod) => {
      const condition = pod.status?.conditions?.find((candidate) => candidate.type === 'PodScheduled' && candidate.status === 'False');
      return `agent pod ${pod.metadata?.name ?? '?'} for this node is ${pod.status?.phase ?? 'Pending'}${condition?.message ? `: ${condition.message}` : ''}`;
    });
}

export const agentOnNodeCheck = {
  id: 'agent-on-node',
  category: 'agent',
  title: "A SPIRE agent runs on the workload's node",
  severity: 'error',
  requires: ['pod'],
  dependsOn: ['pod-found'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    if (view.node === undefined) {
      return [skippedFor(this.id, 'The pod has no spec.nodeName yet, so it is not scheduled on any node.')];
    }

    const gatherNote = [findGatherError(evidence, 'agentHealth'), findGatherError(evidence, 'agentLogs')].find(
      (reason) => reason !== undefined && /no .*agent pod .*on node/i.test(reason),
    );
    if (view.agentPodsOnNode === undefined && gatherNote === undefined) {
      return [skippedFor(this.id, 'Could not run: evidence field "agentPods" was not gathered.', ['Add "agentPods": kubectl get pods -n spire -l app=spire-agent -o json (the .items array).'])];
    }
    if ((view.agentPodsOnNode?.length ?? 0) > 0) {
      return [passed(this.id, `Agent pod ${view.agentPodsOnNode?.[0]?.metadata?.name ?? '?'} runs on node ${view.node}.`)];
    }

    const agentPods = evidence.agentPods ?? [];
    const explained = explainAbsence(evidence.node, agentPods);
    const unscheduled = describeUnscheduled(agentPods, view.node);
    const reasons = [...unscheduled, ...explained.reasons];
    const fix = explained.fix;
    const elsewhere = agentPods.map((agentPod) => agentPod.spec?.nodeName).filter((name): name is string => name !== undefined);
    return [
      failed(this.id, {
        cause: 'agent-not-on-node',
        confidence: view.agentPodsOnNode !== undefined ? 'certain' : 'likely',
        summary: `No SPIRE agent pod runs on node ${view.node}${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}. Nothing serves the Workload API socket there.`,
        evidence: [
          ...(elsewhere.length > 0 ? [`agent pods run only on: ${[...new Set(elsewhere)].join(', ')}`] : ['no agent pods listed']),
          ...reasons,
          ...(gatherNote === undefined ? [] : [`gatherErrors: ${gatherNote}`]),
        ],
        fix: [...fix, `Confirm with kubectl get pods -n spire -l app=spire-agent -o wide --field-selector spec.nodeName=${view.node}`],
      }),
    ];
  },
} satisfies Check;
