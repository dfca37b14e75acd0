/**
 * The matching entries the SPIRE server sends to the node's agent, and why the
 * others are withheld, using the SPIRE module's authorization walk.
 */
import { explainAuthorization, type AgentIdentity, type AuthorizationExplanation } from '../../spire/authorization.js';
import type { EntryJson } from '../../spire/types.js';
import type { NodeAgent, WorkloadView } from './workload-view.js';

export interface ExplainedEntry {
  readonly entry: EntryJson;
  readonly explanation: AuthorizationExplanation;
}

export interface AuthorizedMatches {
  readonly agent: NodeAgent;
  readonly authorized: readonly ExplainedEntry[];
  readonly withheld: readonly ExplainedEntry[];
}

/** Splits `matching` into entries authorized for the node's agent and those withheld; undefined without an agent record. */
export function splitByAuthorization(view: WorkloadView, matching: readonly EntryJson[]): AuthorizedMatches | undefined {
  const agent = view.nodeAgent;
  if (agent === undefined || view.entries === undefined) {
    return undefined;
  }
  const identity: AgentIdentity = { id: agent.id, selectors: agent.selectors };
  const entries = view.entries;
  const explained = matching.map((entry) => ({ entry, explanation: explainAuthorization(identity, entry, entries) }));
  return {
    agent,
    authorized: explained.filter((item) => item.explanation.authorized),
    withheld: explained.filter((item) => !item.explanation.authorized),
  };
}
