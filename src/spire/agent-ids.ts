/**
 * The SPIFFE IDs SPIRE gives its server and agents (SPIRE v1.15.3: `pkg/common/idutil`,
 * the join token and k8s_psat node attestors). Registration entries are parented to
 * these IDs, so a typo in one of them leaves an entry that no agent receives.
 */
import { formatSpiffeId, type SpiffeId } from '../spiffe/id.js';
import { SERVER_ID_PATH } from './entries.js';

/** The path prefix of every agent SPIFFE ID. */
export const AGENT_ID_PATH_PREFIX = '/spire/agent/';

/** Returns the SPIRE server's SPIFFE ID, `spiffe://<trust domain>/spire/server`. */
export function serverSpiffeId(trustDomain: string): string {
  return formatSpiffeId({ trustDomain, path: SERVER_ID_PATH });
}

/**
 * Returns the SPIFFE ID of an agent attested with a join token:
 * `spiffe://<trust domain>/spire/agent/join_token/<token>`.
 */
export function joinTokenAgentId(trustDomain: string, token: string): string {
  return formatSpiffeId({ trustDomain, path: `${AGENT_ID_PATH_PREFIX}join_token/${token}` });
}

/**
 * Returns the SPIFFE ID of an agent attested with k8s_psat:
 * `spiffe://<trust domain>/spire/agent/k8s_psat/<cluster>/<node UID>`, where
 * `<cluster>` is the key of the server's `clusters` map. With the server option
 * `use_pod_uid_for_agent_id`, pass `{ podUid }` instead to get
 * `.../k8s_psat/<cluster>/pod/<pod UID>`.
 */
export function k8sPsatAgentId(trustDomain: string, cluster: string, node: string | { readonly podUid: string }): string {
  const suffix = typeof node === 'string' ? node : `pod/${node.podUid}`;
  return formatSpiffeId({ trustDomain, path: `${AGENT_ID_PATH_PREFIX}k8s_psat/${cluster}/${suffix}` });
}

/** Tells whether a SPIFFE ID path has the shape SPIRE uses for agents (`/spire/agent/...`). */
export function isAgentIdPath(path: string): boolean {
  return path.startsWith(AGENT_ID_PATH_PREFIX);
}

/** Tells whether a SPIFFE ID path is the SPIRE server's (`/spire/server`). */
export function isServerIdPath(path: string): boolean {
  return path === SERVER_ID_PATH;
}

/** The node attestor an agent SPIFFE ID names, with the attestor-specific segments after it. */
export interface AgentIdParts {
  /** The plugin name as it appears in the ID, such as `join_token`, `k8s_psat` or `x509pop`. */
  readonly attestor: string;
  readonly segments: readonly string[];
}

/** Splits an agent SPIFFE ID into its node attestor and the segments after it; undefined for other IDs. */
export function findAgentIdParts(id: SpiffeId): AgentIdParts | undefined {
  if (!isAgentIdPath(id.path)) {
    return undefined;
  }
  const [attestor, ...segments] = id.path.slice(AGENT_ID_PATH_PREFIX.length).split('/');
  if (attestor === undefined || attestor === '') {
    return undefined;
  }
  return { attestor, segments };
}
