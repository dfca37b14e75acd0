/**
 * The agent on the workload's node is attested to the server and its own X509-SVID
 * is current, judged against the evidence's time. An agent that is banned or evicted,
 * whose SVID expired, whose join token was already used, or whose cached trust bundle
 * predates a CA rotation cannot sync. New entries then never reach it, even while its
 * health check stays green, because that check only covers the local Workload API
 * (SPIRE v1.15.3 `pkg/agent/agent.go`, `pkg/server/api/agent/v1`).
 */
import { agentExpiresAt } from '../../spire/entries.js';
import { FAILURE_LAYER, findAgentFailures, type AgentFailure, type AgentFailureKind } from '../support/agent-failures.js';
import { findAgentBehaviour, findAgentVersion } from '../support/agent-version.js';
import { failed, passed, type ProblemDetails } from '../support/finding-builders.js';
import { viewWorkload, type WorkloadView } from '../support/workload-view.js';
import type { Check, CheckContext, Finding } from '../types.js';

const EXPLAINED_BY_SERVER = ['server-available'];

const FAILURE_TEXT: Readonly<Partial<Record<AgentFailureKind, { summary: string; fix: string[] }>>> = {
  'stale-trust-bundle': {
    summary: "The agent cannot verify the server's certificate: the trust bundle it cached in its data_dir predates a CA rotation, so it no longer trusts the server.",
    fix: [
      "Delete the agent's cached bundle and state in its data_dir on the node (for example bundle.der and agent-data.json, or the whole directory) and restart the agent so it bootstraps from the current trust bundle.",
      'On SPIRE releases with rebootstrap support, set rebootstrap_mode = "auto" in the agent config to recover on its own.',
    ],
  },
  'agent-svid-rejected': {
    summary: "The server rejects the agent's own X509-SVID (expired, evicted or replaced), so the agent cannot sync entries or mint SVIDs.",
    fix: ['Restart the agent pod so it attests again, then check that spire-server agent list shows a fresh expiry for it.'],
  },
  'agent-banned': {
    summary: 'The agent is banned on the server and shut itself down.',
    fix: ['If the ban was a mistake, remove it with spire-server agent evict -spiffeID AGENT_ID and restart the agent so it attests again.'],
  },
  'join-token-used': {
    summary: 'The agent attests with a join token the server does not accept: join tokens work once, and this one is used up or expired.',
    fix: ['Generate a new token (spire-server token generate -spiffeID …), put it in the agent config and restart the agent; use a node attestor such as k8s_psat for agents that restart.'],
  },
  'node-attestation-rejected': {
    summary: "The server rejects the agent's node attestation (cluster name or service account not allowed).",
    fix: ["Make the agent's NodeAttestor settings (cluster, service account) match the server's k8s_psat clusters configuration, then restart the agent."],
  },
};

function fromLogFailure(failure: AgentFailure, view: WorkloadView, expired: string | undefined): ProblemDetails {
  const text = FAILURE_TEXT[failure.kind] ?? FAILURE_TEXT['agent-svid-rejected'];
  const fix = [...(text?.fix ?? [])];
  if (failure.kind === 'stale-trust-bundle' && findAgentBehaviour(view).rebootstrapSetting === false) {
    fix.push(`This agent (${findAgentVersion(view) ?? 'unknown version'}) predates rebootstrap_mode (SPIRE 1.13.0); upgrade to use it.`);
  }
  return {
    cause: 'agent-not-attested',
    confidence: 'certain',
    summary: `${text?.summary ?? ''}${expired === undefined ? '' : ` ${expired}`}`,
    evidence: [failure.record.raw, ...(view.nodeAgent === undefined ? [] : [`agent ${view.nodeAgent.id}`])],
    fix,
    explainedBy: EXPLAINED_BY_SERVER,
  };
}

function expiredSvidFix(view: WorkloadView): string[] {
  const restart = `Restart the agent on node ${view.node ?? '?'} so it attests again, then confirm a fresh expiry in spire-server agent list.`;
  const behaviour = findAgentBehaviour(view);
  if (behaviour.exitsWhenSvidExpires === false) {
    return [restart, `This agent version (${findAgentVersion(view) ?? '?'}) keeps retrying with its expired SVID until restarted by hand; upgrade SPIRE so it exits and attests again on its own.`];
  }
  return [restart, 'If the agent does not restart by itself, check that it can reach the server; newer SPIRE agents re-attest on startup when their SVID has expired.'];
}

function describeExpiry(view: WorkloadView, now: Date | undefined): string | undefined {
  const expiresAt = view.nodeAgent === undefined ? undefined : agentExpiresAt(view.nodeAgent.agent);
  if (expiresAt === undefined || now === undefined || expiresAt.getTime() > now.getTime()) {
    return undefined;
  }
  const minutes = Math.round((now.getTime() - expiresAt.getTime()) / 60_000);
  return `Its own X509-SVID expired at ${expiresAt.toISOString()}, ${minutes} minutes before the evidence was taken.`;
}

function judgeAgentRecord(checkId: string, view: WorkloadView, context: CheckContext): Finding | undefined {
  const agent = view.nodeAgent;
  if (agent === undefined) {
    return undefined;
  }
  if (agent.agent.banned === true) {
    return failed(checkId, { ...bannedDetails(agent.id), explainedBy: EXPLAINED_BY_SERVER });
  }

  const expired = describeExpiry(view, context.now);
  if (expired === undefined) {
    return undefined;
  }
  const version = agent.agent.agent_version === undefined ? '' : ` (agent version ${agent.agent.agent_version})`;
  return failed(checkId, {
    cause: 'agent-not-attested',
    confidence: 'certain',
    summary: `The agent on node ${view.node ?? '?'} holds an expired SVID${version}: the server refuses its sync calls, so entries created since then never reach it. ${expired}`,
    evidence: [`agent ${agent.id} x509svid_expires_at ${String(agent.agent.x509svid_expires_at)}`, ...(context.nowSource === 'logs' ? ['now = newest log timestamp (no gatheredAt in the evidence)'] : [])],
    fix: expiredSvidFix(view),
    explainedBy: EXPLAINED_BY_SERVER,
  });
}

function bannedDetails(agentId: string): ProblemDetails {
  return {
    cause: 'agent-not-attested',
    confidence: 'certain',
    summary: `The agent ${agentId} is banned on the server.`,
    evidence: [`agent ${agentId} banned: true`],
    fix: FAILURE_TEXT['agent-banned']?.fix ?? [],
  };
}

function judgeAbsence(checkId: string, view: WorkloadView): Finding | undefined {
  const agentsKnowNodes = (view.agents ?? []).every((agent) => (agent.selectors ?? []).some((selector) => selector.value.startsWith('agent_node_name:')));
  if (view.agents === undefined || view.nodeAgent !== undefined || (view.agentPodsOnNode?.length ?? 0) === 0 || !agentsKnowNodes) {
    return undefined;
  }
  return failed(checkId, {
    cause: 'agent-not-attested',
    confidence: 'likely',
    summary: `spire-server agent list has no agent for node ${view.node ?? '?'}: the agent there has not attested to the server.`,
    evidence: [`${view.agents.length} attested agents, none with agent_node_name:${view.node ?? '?'}`],
    fix: ["Read the agent's log for its node attestation error: kubectl logs -n spire -l app=spire-agent --field-selector spec.nodeName=NODE"],
    explainedBy: ['agent-healthy', 'server-available'],
  });
}

export const agentAttestedCheck = {
  id: 'agent-attested',
  category: 'agent',
  title: "The agent on the workload's node is attested and its SVID is current",
  severity: 'error',
  requires: [],
  requiresAnyOf: ['agents', 'agentLogs'],
  dependsOn: ['agent-on-node'],
  run(context) {
    const view = viewWorkload(context.evidence);

    const logFailure = findAgentFailures(view.agentLog?.records ?? []).filter((failure) => FAILURE_LAYER[failure.kind] === 'attestation').at(-1);
    if (logFailure !== undefined) {
      return [failed(this.id, fromLogFailure(logFailure, view, describeExpiry(view, context.now)))];
    }
    const problem = judgeAgentRecord(this.id, view, context) ?? judgeAbsence(this.id, view);
    if (problem !== undefined) {
      return [problem];
    }

    const judged = view.nodeAgent === undefined ? 'no agent record could be tied to the node' : `agent ${view.nodeAgent.id} is attested`;
    const timeNote = context.now === undefined ? '; its SVID expiry was not judged because the evidence has no time' : '';
    return [passed(this.id, `No sign of an attestation problem: ${judged}${timeNote}.`)];
  },
} satisfies Check;
