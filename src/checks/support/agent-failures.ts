/**
 * Classifies the errors a SPIRE agent logs when it crashes ("Agent crashed") or
 * cannot sync ("Synchronize failed"), by the fixed error texts of SPIRE v1.15.3, Go's
 * resolver and crypto/tls. The class names the layer at fault: the agent's own
 * configuration, its identity with the server, or the server.
 */
import { findErrorProblem, findGrpcStatus, type LoggedErrorProblem } from '../../spire/logs.js';
import { AGENT_MESSAGES } from './agent-log-facts.js';
import type { LogRecord } from './log-records.js';

export type AgentFailureKind =
  | 'server-address-unresolvable'
  | 'stale-trust-bundle'
  | 'agent-svid-rejected'
  | 'agent-banned'
  | 'join-token-used'
  | 'node-attestation-rejected'
  | 'server-tls-internal'
  | 'server-unreachable'
  | 'trust-domain-mismatch'
  | 'other';

/** Layer at fault for each failure kind: the agent itself, its attestation, or the server. */
export const FAILURE_LAYER: Readonly<Record<AgentFailureKind, 'agent' | 'attestation' | 'server' | 'trust-domain'>> = {
  'server-address-unresolvable': 'agent',
  'stale-trust-bundle': 'attestation',
  'agent-svid-rejected': 'attestation',
  'agent-banned': 'attestation',
  'join-token-used': 'attestation',
  'node-attestation-rejected': 'attestation',
  'server-tls-internal': 'server',
  'server-unreachable': 'server',
  'trust-domain-mismatch': 'trust-domain',
  other: 'agent',
};

// SPIRE's own messages for identity problems; the generic TLS, DNS and network
// problems are read by the SPIRE log module (`findErrorProblem`).
const SPIRE_PATTERNS: readonly (readonly [AgentFailureKind, RegExp])[] = [
  ['trust-domain-mismatch', /trust domain|unexpected ID "spiffe:\/\//i],
  ['agent-banned', /agent is banned|Agent is banned/],
  ['join-token-used', /join token does not exist or has already been used|join token expired/],
  ['node-attestation-rejected', /not configured for cluster|is not an allowed service account|token not authenticated|failed to attest|nodeattestor\(|unable to validate token/],
  ['agent-svid-rejected', /SVID is expired|is not attested|removing SVID and shutting down/],
];

const REJECTION_CODES = new Set(['PermissionDenied', 'InvalidArgument', 'Internal', 'Unauthenticated']);

const PROBLEM_KINDS: Readonly<Partial<Record<LoggedErrorProblem, AgentFailureKind>>> = {
  'unknown-authority': 'stale-trust-bundle',
  'certificate-expired': 'agent-svid-rejected',
  'tls-bad-certificate': 'agent-svid-rejected',
  'tls-internal-error': 'server-tls-internal',
  'dns-lookup-failed': 'server-address-unresolvable',
  'connection-refused': 'server-unreachable',
  'deadline-exceeded': 'server-unreachable',
};

export interface AgentFailure {
  readonly kind: AgentFailureKind;
  readonly record: LogRecord;
}

/**
 * Tells whether the text names SPIFFE IDs of two trust domains, as the handshake error
 * `expected server SPIFFE ID "spiffe://a/spire/server"; got [spiffe://b/spire/server]`
 * does when the agent's trust_domain differs from the server's.
 */
function namesTwoTrustDomains(text: string): boolean {
  const trustDomains = new Set([...text.matchAll(/spiffe:\/\/([a-z0-9._-]+)/g)].map((match) => match[1]));
  return /expected server SPIFFE ID/.test(text) && trustDomains.size > 1;
}

/**
 * Classifies an error text from the agent log. A certificate problem is checked
 * before SPIRE's messages, because a handshake that fails on a stale bundle also
 * ends in "failed to attest" or a deadline.
 */
export function classifyAgentError(text: string): AgentFailureKind {
  const problem = findErrorProblem(text);
  if (problem === 'unknown-authority') {
    return 'stale-trust-bundle';
  }
  const spire = SPIRE_PATTERNS.find(([, pattern]) => pattern.test(text))?.[0];
  if (spire !== undefined) {
    return spire;
  }
  if (namesTwoTrustDomains(text)) {
    return 'trust-domain-mismatch';
  }
  // The server returned an error inside the attestation response, so it rejects the agent.
  if (/attestation response/.test(text) && REJECTION_CODES.has(findGrpcStatus(text)?.code ?? '')) {
    return 'node-attestation-rejected';
  }
  return (problem === undefined ? undefined : PROBLEM_KINDS[problem]) ?? 'other';
}

function errorText(record: LogRecord): string {
  return `${record.message} ${record.fields.error ?? ''}`;
}

/** Returns the agent's crash, re-attestation and sync failures, oldest first. */
export function findAgentFailures(records: readonly LogRecord[]): readonly AgentFailure[] {
  return records
    .filter(
      (record) =>
        record.message === AGENT_MESSAGES.agentCrashed ||
        record.message === AGENT_MESSAGES.syncFailed ||
        /removing SVID and shutting down|re-attestation/i.test(record.message),
    )
    .map((record) => ({ kind: classifyAgentError(errorText(record)), record }));
}
