/**
 * The SPIRE version of the agent on the workload's node, from the attested agent
 * record, the agent's "Starting agent" log line, or its container image tag, and the
 * version-dependent behaviour that follows from it.
 */
import { spireBehaviour, type SpireBehaviour } from '../../spire/version.js';
import type { WorkloadView } from './workload-view.js';

/** Finds the agent's version text, or undefined when no source names it. */
export function findAgentVersion(view: WorkloadView): string | undefined {
  const recorded = view.nodeAgent?.agent.agent_version;
  if (recorded !== undefined && recorded !== '') {
    return recorded;
  }
  const logged = view.agentLog?.records.find((record) => record.message === 'Starting agent' && record.fields.version !== undefined)?.fields.version;
  if (logged !== undefined) {
    return logged;
  }
  const image = view.agentPodsOnNode?.[0]?.spec?.containers?.find((container) => /spire-agent/.test(container.image ?? ''))?.image;
  return image?.split(':').at(-1);
}

/** Returns the behaviour rules for the agent's version; every rule is `unknown` without a version. */
export function findAgentBehaviour(view: WorkloadView): SpireBehaviour {
  return spireBehaviour(findAgentVersion(view));
}
