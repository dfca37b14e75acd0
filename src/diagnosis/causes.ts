/**
 * The root-cause vocabulary of the diagnosis JSON (`rootCause.cause`), in causal
 * order: a cause earlier in the list explains failures of causes after it. The order
 * drives ranking; the values are a public contract and must not be renamed.
 */
export const CAUSES = [
  'pod-not-found',
  'pod-not-running',
  'server-unavailable',
  'agent-not-on-node',
  'agent-unhealthy',
  'agent-not-attested',
  'socket-not-mounted',
  'socket-path-mismatch',
  'socket-unreachable',
  'workload-attestation-failed',
  'entry-missing',
  'selector-mismatch',
  'parent-id-mismatch',
  'entry-expired',
  'entry-not-synced',
  'trust-domain-mismatch',
  'svid-expired',
  'wrong-identity',
  'federation-bundle-missing',
  'jwt-audience-mismatch',
  'registrar-mismatch',
  'unknown',
] as const;

export type Cause = (typeof CAUSES)[number];

/** Returns the position of a cause in causal order; lower explains higher. */
export function causalRank(cause: Cause): number {
  return CAUSES.indexOf(cause);
}

export function isCause(value: unknown): value is Cause {
  return typeof value === 'string' && (CAUSES as readonly string[]).includes(value);
}
