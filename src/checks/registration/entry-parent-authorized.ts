/**
 * The matching entry's parent ID authorises the agent on the workload's node. The
 * server sends an agent the entries parented to its own SPIFFE ID, their descendants,
 * and the descendants of every node alias whose selectors are all among the agent's
 * node selectors (SPIRE v1.15.3 `pkg/server/authorizedentries`). Selectors that match
 * are not enough: an entry under an alias the agent does not belong to never reaches
 * it.
 */
import { entryParentId, entrySpiffeId } from '../../spire/entries.js';
import type { AuthorizationExplanation } from '../../spire/authorization.js';
import { selectorKind } from '../../spire/workload-matching.js';
import type { EntryJson } from '../../spire/types.js';
import { splitByAuthorization } from '../support/authorized-matches.js';
import { findEntryCandidates } from '../support/entry-candidates.js';
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import { viewWorkload, type NodeAgent } from '../support/workload-view.js';
import type { Check } from '../types.js';

function describeRoute(explanation: AuthorizationExplanation): string {
  if (explanation.kind === 'via-alias') {
    return `through node alias ${entrySpiffeId(explanation.path.alias)}`;
  }
  return explanation.kind === 'direct-child' ? 'as a direct child of the agent' : 'as a descendant of the agent';
}

function fixFor(entry: EntryJson, explanation: AuthorizationExplanation, agent: NodeAgent): string[] {
  if (explanation.kind === 'alias-selectors-missing') {
    const alias = explanation.alias;
    const replaced = alias.selectors.map((selector) => {
      const text = `${selector.type}:${selector.value}`;
      if (!explanation.missingSelectors.includes(text)) {
        return text;
      }
      return agent.selectors.find((own) => selectorKind(own) === selectorKind(text)) ?? text;
    });
    return [
      `Make the node alias match the attested agent: spire-server entry update -entryID ${alias.id ?? 'ALIAS_ENTRY_ID'} -parentID ${entryParentId(alias)} -spiffeID ${entrySpiffeId(alias)} ${replaced.map((selector) => `-selector ${selector}`).join(' ')}`,
      "Or change the agent's node attestation (for example the cluster name) so it carries the alias's selectors.",
    ];
  }
  return [`Parent the entry to the agent on this node or to a node alias it belongs to: spire-server entry update -entryID ${entry.id ?? 'ENTRY_ID'} -parentID ${agent.id} …`];
}

export const entryParentAuthorizedCheck = {
  id: 'entry-parent-authorized',
  category: 'registration',
  title: "The entry's parent ID authorises the agent on the workload's node",
  severity: 'error',
  requires: ['entries', 'agents'],
  dependsOn: ['entry-exists'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const matching = findEntryCandidates(evidence, view)?.matching ?? [];
    if (matching.length === 0) {
      return [skippedFor(this.id, 'No entry matches the workload, so there is no parent ID to judge.')];
    }
    const split = splitByAuthorization(view, matching);
    if (split === undefined) {
      return [skippedFor(this.id, `No attested agent could be tied to node ${view.node ?? '?'} (no agent_node_name selector, no agent log with its SPIFFE ID).`, ['Add "agentLogs" from the agent on the node, or "node" (kubectl get node NODE -o json).'])];
    }
    const sent = split.authorized[0];
    if (sent !== undefined) {
      return [passed(this.id, `Entry ${sent.entry.id ?? '(no ID)'} reaches agent ${split.agent.id} ${describeRoute(sent.explanation)}.`)];
    }

    const [first] = split.withheld;
    if (first === undefined || first.explanation.authorized) {
      return [skippedFor(this.id, 'No withheld entry to explain.')];
    }
    const otherTrustDomain = first.explanation.kind === 'other-trust-domain';
    return [
      failed(this.id, {
        cause: otherTrustDomain ? 'trust-domain-mismatch' : 'parent-id-mismatch',
        confidence: split.agent.match === 'assumed' ? 'likely' : 'certain',
        summary: `Entry ${first.entry.id ?? '(no ID)'} (${entrySpiffeId(first.entry)}) matches the workload, but the server never sends it to the agent on node ${view.node ?? '?'}: ${first.explanation.message}.`,
        evidence: [
          `entry parent ID: ${entryParentId(first.entry)}`,
          `agent ${split.agent.id} node selectors: ${split.agent.selectors.join(', ')}`,
          ...(first.explanation.kind === 'alias-selectors-missing' ? [`alias needs: ${first.explanation.missingSelectors.join(', ')}`] : []),
        ],
        fix: fixFor(first.entry, first.explanation, split.agent),
        explainedBy: ['agent-attested'],
      }),
    ];
  },
} satisfies Check;
