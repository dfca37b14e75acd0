/**
 * The server, the agent, the workload's entry, the SVID it receives and the SPIFFE ID
 * it is expected to have all name one trust domain. The server only sends agents
 * entries of its own trust domain (SPIRE v1.15.3 `pkg/server/authorizedentries`), and
 * an agent configured for another trust domain cannot attest at all.
 */
import { readAgentConfigSafely, readServerConfigSafely } from '../support/config-readers.js';
import { findEntryCandidates } from '../support/entry-candidates.js';
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Check } from '../types.js';

interface TrustDomainClaim {
  readonly source: string;
  readonly trustDomain: string;
}

function trustDomainOf(spiffeId: string): string | undefined {
  return /^spiffe:\/\/([^/]+)/.exec(spiffeId)?.[1];
}

export const trustDomainConsistentCheck = {
  id: 'trust-domain-consistent',
  category: 'registration',
  title: 'Server, agent, entry and SVID share one trust domain',
  severity: 'error',
  requires: [],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const serverTd = evidence.serverConfig === undefined ? undefined : readServerConfigSafely(evidence.serverConfig).config?.trustDomain;
    const agentTd = view.agentConfigText === undefined ? undefined : readAgentConfigSafely(view.agentConfigText).config?.trustDomain;
    const infrastructure: TrustDomainClaim[] = [
      ...(serverTd === undefined ? [] : [{ source: 'server.conf trust_domain', trustDomain: serverTd }]),
      ...(agentTd === undefined ? [] : [{ source: 'agent.conf trust_domain', trustDomain: agentTd }]),
      ...(view.nodeAgent === undefined ? [] : [{ source: `agent ID ${view.nodeAgent.id}`, trustDomain: view.nodeAgent.agent.id.trust_domain }]),
    ];
    const matching = evidence.pod === undefined && evidence.process === undefined ? [] : findEntryCandidates(evidence, view)?.matching ?? [];
    const issued = view.fetch?.output?.svids.map((svid) => svid.spiffeId) ?? [];
    const workload: TrustDomainClaim[] = [
      ...matching.map((entry) => ({ source: `entry ${entry.id ?? '(no ID)'}`, trustDomain: entry.spiffe_id.trust_domain })),
      ...issued.flatMap((id) => (trustDomainOf(id) === undefined ? [] : [{ source: `fetched SVID ${id}`, trustDomain: trustDomainOf(id) as string }])),
      ...(evidence.expectedSpiffeId === undefined || trustDomainOf(evidence.expectedSpiffeId) === undefined
        ? []
        : [{ source: `expected ID ${evidence.expectedSpiffeId}`, trustDomain: trustDomainOf(evidence.expectedSpiffeId) as string }]),
    ];

    const claims = [...infrastructure, ...workload];
    if (claims.length < 2) {
      return [skippedFor(this.id, 'Fewer than two sources name a trust domain, so there is nothing to compare.')];
    }
    const reference = infrastructure[0] ?? claims[0] as TrustDomainClaim;
    const differing = claims.filter((claim) => claim.trustDomain !== reference.trustDomain);
    if (differing.length === 0) {
      return [passed(this.id, `Every source names trust domain ${reference.trustDomain}.`)];
    }
    return [
      failed(this.id, {
        cause: 'trust-domain-mismatch',
        confidence: 'certain',
        summary: `${reference.source} names trust domain ${reference.trustDomain}, but ${differing.map((claim) => `${claim.source} names ${claim.trustDomain}`).join('; ')}.`,
        evidence: claims.map((claim) => `${claim.source}: ${claim.trustDomain}`),
        fix: [`Use one trust domain everywhere: recreate entries under spiffe://${reference.trustDomain}/…, or correct trust_domain in the agent or server config.`],
      }),
    ];
  },
} satisfies Check;
