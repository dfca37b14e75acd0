/**
 * The registration entries the SPIRE server sends an agent, and the reason a given
 * entry is or is not among them (SPIRE v1.15.3 `pkg/server/authorizedentries/cache.go`, unchanged at 1.16.0-dev).
 *
 * The server indexes entries by parent ID path. An agent receives every entry
 * parented to its own SPIFFE ID, then every entry parented to one of those entries'
 * SPIFFE IDs, and so on. It also receives the same descendants of every node alias
 * (an entry parented to `/spire/server`) whose selectors are all among the agent's
 * node selectors. The walk visits each parent path once, so parent cycles end.
 * Only entries whose SPIFFE ID and parent ID are in the server's trust domain are
 * indexed; the agent's trust domain is the server's.
 */
import { formatSpiffeId, parseSpiffeId } from '../spiffe/id.js';
import { entryParentId, isNodeAlias, SERVER_ID_PATH } from './entries.js';
import { formatSelector, isSubset, selectorSet } from './selectors.js';
import { isAgentIdPath } from './agent-ids.js';
import type { EntryJson } from './types.js';

/** An attested agent as the server's entry cache records it. */
export interface AgentIdentity {
  /** The agent's SPIFFE ID, for example `spiffe://example.org/spire/agent/k8s_psat/prod/<node UID>`. */
  readonly id: string;
  /** The agent's node selectors (`type:value`), from node attestation. */
  readonly selectors: readonly string[];
  /**
   * False when the server's cache does not know the agent yet (just attested) or
   * has pruned it (expired). Such an agent still receives entries parented to its
   * own ID but nothing through node aliases. Default true.
   */
  readonly knownToServer?: boolean;
}

interface EntryIndex {
  readonly trustDomain: string;
  /** Non-alias entries of the trust domain, by parent ID path. */
  readonly byParentPath: ReadonlyMap<string, readonly EntryJson[]>;
  /** Non-alias entries of the trust domain, by SPIFFE ID path. */
  readonly bySpiffeIdPath: ReadonlyMap<string, readonly EntryJson[]>;
  /** Node alias entries of the trust domain. */
  readonly aliases: readonly EntryJson[];
}

/** The route to an authorized entry: from the agent's ID or through a node alias. */
export interface AuthorizationPath {
  /** The node alias the walk started from, or undefined when it started at the agent's ID. */
  readonly alias?: EntryJson;
  /** The entries between the root and this entry, nearest the root first (empty for a direct child). */
  readonly via: readonly EntryJson[];
}

/**
 * Returns the registration entries the SPIRE server sends to `agent`: its
 * descendants and those of every node alias it is a member of. Node alias entries
 * themselves are never sent. The result is in walk order, agent first.
 */
export function authorizedEntries(agent: AgentIdentity, entries: readonly EntryJson[]): EntryJson[] {
  return [...walkAuthorized(agent, entries).keys()];
}

/** Returns the node alias entries `agent` is a member of: aliases with ≥1 selector, all on the agent. */
export function agentAliases(agent: AgentIdentity, entries: readonly EntryJson[]): EntryJson[] {
  const agentId = parseSpiffeId(agent.id);
  return matchingAliases(agent, indexEntries(entries, agentId.trustDomain));
}

function matchingAliases(agent: AgentIdentity, index: EntryIndex): EntryJson[] {
  if (agent.knownToServer === false) {
    return [];
  }
  // An alias without selectors is in no selector index, so the server never matches it.
  const agentSelectors = selectorSet(agent.selectors);
  return index.aliases.filter((alias) => alias.selectors.length > 0 && isSubset(alias.selectors, agentSelectors));
}

function indexEntries(entries: readonly EntryJson[], trustDomain: string): EntryIndex {
  const byParentPath = new Map<string, EntryJson[]>();
  const bySpiffeIdPath = new Map<string, EntryJson[]>();
  const aliases: EntryJson[] = [];
  for (const entry of entries) {
    if (entry.spiffe_id.trust_domain !== trustDomain || entry.parent_id.trust_domain !== trustDomain) {
      continue;
    }
    if (isNodeAlias(entry)) {
      aliases.push(entry);
      continue;
    }
    addToGroup(byParentPath, entry.parent_id.path, entry);
    addToGroup(bySpiffeIdPath, entry.spiffe_id.path, entry);
  }
  return { trustDomain, byParentPath, bySpiffeIdPath, aliases };
}

function addToGroup(groups: Map<string, EntryJson[]>, key: string, entry: EntryJson): void {
  const group = groups.get(key);
  if (group === undefined) {
    groups.set(key, [entry]);
    return;
  }
  group.push(entry);
}

/** The first route the walk took to an entry: the alias it started from and the entry it came through. */
interface Reach {
  readonly alias?: EntryJson;
  readonly through?: EntryJson;
}

/** Walks the authorized entries of `agent` and records how each was first reached. */
function walkAuthorized(agent: AgentIdentity, entries: readonly EntryJson[]): Map<EntryJson, Reach> {
  const agentId = parseSpiffeId(agent.id);
  return walkIndex(agent, agentId.path, indexEntries(entries, agentId.trustDomain));
}

function walkIndex(agent: AgentIdentity, agentPath: string, index: EntryIndex): Map<EntryJson, Reach> {
  const found = new Map<EntryJson, Reach>();
  const parentsSeen = new Set<string>();

  addDescendants(index, agentPath, {}, found, parentsSeen);
  for (const alias of matchingAliases(agent, index)) {
    addDescendants(index, alias.spiffe_id.path, { alias }, found, parentsSeen);
  }
  return found;
}

/** Adds the descendants of `rootPath` to `found`, depth first, with an explicit stack so long chains cannot overflow. */
function addDescendants(
  index: EntryIndex,
  rootPath: string,
  root: { readonly alias?: EntryJson },
  found: Map<EntryJson, Reach>,
  parentsSeen: Set<string>,
): void {
  const pending: { parentPath: string; through?: EntryJson }[] = [{ parentPath: rootPath }];
  while (pending.length > 0) {
    const { parentPath, through } = pending.pop() as { parentPath: string; through?: EntryJson };
    if (parentsSeen.has(parentPath)) {
      continue;
    }
    parentsSeen.add(parentPath);

    for (const entry of index.byParentPath.get(parentPath) ?? []) {
      if (!found.has(entry)) {
        found.set(entry, { ...root, ...(through !== undefined ? { through } : {}) });
      }
      pending.push({ parentPath: entry.spiffe_id.path, through: entry });
    }
  }
}

/** Rebuilds the route to an entry from the `through` links recorded by the walk. */
function routeTo(entry: EntryJson, found: ReadonlyMap<EntryJson, Reach>): AuthorizationPath {
  const reach = found.get(entry) as Reach;
  const via: EntryJson[] = [];
  for (let step = reach.through; step !== undefined; step = found.get(step)?.through) {
    via.unshift(step);
  }
  return reach.alias === undefined ? { via } : { alias: reach.alias, via };
}

/** The reason an entry is, or is not, sent to an agent. */
export type AuthorizationExplanation =
  | { readonly authorized: true; readonly kind: 'direct-child'; readonly path: AuthorizationPath }
  | { readonly authorized: true; readonly kind: 'descendant'; readonly path: AuthorizationPath }
  | { readonly authorized: true; readonly kind: 'via-alias'; readonly path: AuthorizationPath & { readonly alias: EntryJson } }
  | { readonly authorized: false; readonly kind: 'other-trust-domain'; readonly trustDomain: string; readonly message: string }
  | { readonly authorized: false; readonly kind: 'is-node-alias'; readonly message: string }
  | {
      readonly authorized: false;
      readonly kind: 'alias-selectors-missing';
      /** The alias closest to matching, and the node selectors the agent lacks for it. */
      readonly alias: EntryJson;
      readonly missingSelectors: readonly string[];
      /** Entries between the alias and the examined entry, nearest the alias first. */
      readonly via: readonly EntryJson[];
      readonly message: string;
    }
  | { readonly authorized: false; readonly kind: 'agent-unknown-to-server'; readonly alias: EntryJson; readonly via: readonly EntryJson[]; readonly message: string }
  | { readonly authorized: false; readonly kind: 'parent-is-other-agent'; readonly parentId: string; readonly via: readonly EntryJson[]; readonly message: string }
  | { readonly authorized: false; readonly kind: 'parent-is-server'; readonly via: readonly EntryJson[]; readonly message: string }
  | { readonly authorized: false; readonly kind: 'parent-unknown'; readonly parentId: string; readonly via: readonly EntryJson[]; readonly message: string }
  | { readonly authorized: false; readonly kind: 'parent-cycle'; readonly via: readonly EntryJson[]; readonly message: string };

/**
 * Explains whether the server sends `entry` to `agent`, and why. A sent entry is a
 * direct child of the agent's ID, a descendant of another authorized entry, or
 * reached through a node alias. For an entry that is not sent, the result names the
 * first broken link above it: an alias whose selectors the agent lacks, another
 * agent's ID, a parent that nothing has as its SPIFFE ID, or a cycle.
 */
export function explainAuthorization(agent: AgentIdentity, entry: EntryJson, entries: readonly EntryJson[]): AuthorizationExplanation {
  return createAuthorizationExplainer(agent, entries)(entry);
}

/**
 * Returns a function that explains, like {@link explainAuthorization}, any entry of
 * `entries` for `agent`. The index and the authorization walk are built once, so
 * explaining every entry costs about as much as one walk instead of one per entry.
 */
export function createAuthorizationExplainer(agent: AgentIdentity, entries: readonly EntryJson[]): (entry: EntryJson) => AuthorizationExplanation {
  const agentId = parseSpiffeId(agent.id);
  const index = indexEntries(entries, agentId.trustDomain);
  const found = walkIndex(agent, agentId.path, index);

  return (entry) => {
    if (found.has(entry)) {
      return describeRoute(routeTo(entry, found));
    }

    const trustDomainMismatch = [entry.spiffe_id.trust_domain, entry.parent_id.trust_domain].find((td) => td !== agentId.trustDomain);
    if (trustDomainMismatch !== undefined) {
      return {
        authorized: false,
        kind: 'other-trust-domain',
        trustDomain: trustDomainMismatch,
        message: `the entry names trust domain "${trustDomainMismatch}" but the agent is in "${agentId.trustDomain}", and the server only serves entries of its own trust domain`,
      };
    }
    if (isNodeAlias(entry)) {
      return {
        authorized: false,
        kind: 'is-node-alias',
        message: 'the entry is a node alias (parent /spire/server). The server uses it to group agents and never sends it to an agent',
      };
    }
    return explainMissingLink(agent, index, entry, [], new Set<EntryJson>());
  };
}

function describeRoute(route: AuthorizationPath): AuthorizationExplanation {
  if (route.alias !== undefined) {
    return { authorized: true, kind: 'via-alias', path: { alias: route.alias, via: route.via } };
  }
  if (route.via.length === 0) {
    return { authorized: true, kind: 'direct-child', path: route };
  }
  return { authorized: true, kind: 'descendant', path: route };
}

/**
 * Walks up from an unauthorized entry's parent and reports the first link that
 * breaks the chain. `below` contains the entries already passed on the way up, ending
 * with the examined entry.
 */
function explainMissingLink(
  agent: AgentIdentity,
  index: EntryIndex,
  entry: EntryJson,
  below: readonly EntryJson[],
  visited: Set<EntryJson>,
): AuthorizationExplanation {
  visited.add(entry);
  const parentPath = entry.parent_id.path;
  const parentId = entryParentId(entry);
  const chain = [entry, ...below];
  const between = chain.slice(0, -1);

  const aliases = index.aliases.filter((alias) => alias.spiffe_id.path === parentPath);
  if (aliases.length > 0) {
    return explainAliasMiss(agent, aliases, between);
  }

  const parents = index.bySpiffeIdPath.get(parentPath) ?? [];
  const unvisited = parents.filter((parent) => !visited.has(parent));
  if (unvisited[0] !== undefined) {
    return explainMissingLink(agent, index, unvisited[0], chain, visited);
  }
  if (parents.length > 0) {
    return {
      authorized: false,
      kind: 'parent-cycle',
      via: between,
      message: `the parent chain of the entry loops back through ${parentId} and never reaches the agent`,
    };
  }
  return explainUnknownParent(agent, parentPath, parentId, between);
}

function explainUnknownParent(agent: AgentIdentity, parentPath: string, parentId: string, via: readonly EntryJson[]): AuthorizationExplanation {
  if (parentPath === SERVER_ID_PATH) {
    return { authorized: false, kind: 'parent-is-server', via, message: 'the entry is parented to the server ID' };
  }
  if (isAgentIdPath(parentPath)) {
    return {
      authorized: false,
      kind: 'parent-is-other-agent',
      parentId,
      via,
      message: `the parent ID ${parentId} is another agent's SPIFFE ID, not ${agent.id}`,
    };
  }
  return {
    authorized: false,
    kind: 'parent-unknown',
    parentId,
    via,
    message: `no agent, node alias or registration entry has the SPIFFE ID ${parentId}, which is the entry's parent ID`,
  };
}

/** Explains why none of the node aliases with the parent's SPIFFE ID includes the agent. */
function explainAliasMiss(agent: AgentIdentity, aliases: readonly EntryJson[], via: readonly EntryJson[]): AuthorizationExplanation {
  const agentSelectors = selectorSet(agent.selectors);
  const ranked = aliases
    .map((alias) => ({ alias, missing: alias.selectors.map(formatSelector).filter((selector) => !agentSelectors.has(selector)) }))
    .sort((a, b) => a.missing.length - b.missing.length);
  const nearest = ranked[0] as { alias: EntryJson; missing: string[] };
  const aliasId = formatSpiffeId(nearest.alias.spiffe_id);

  if (nearest.alias.selectors.length === 0) {
    return {
      authorized: false,
      kind: 'alias-selectors-missing',
      alias: nearest.alias,
      missingSelectors: [],
      via,
      message: `the node alias ${aliasId} has no selectors, so the server never counts any agent as its member`,
    };
  }
  if (nearest.missing.length === 0 && agent.knownToServer === false) {
    return {
      authorized: false,
      kind: 'agent-unknown-to-server',
      alias: nearest.alias,
      via,
      message: `the agent's selectors match the node alias ${aliasId}, but the server's entry cache does not know the agent yet or has pruned it as expired`,
    };
  }
  return {
    authorized: false,
    kind: 'alias-selectors-missing',
    alias: nearest.alias,
    missingSelectors: nearest.missing,
    via,
    message: `the entry is parented to the node alias ${aliasId}, but the agent lacks its node selectors ${nearest.missing.join(', ')}`,
  };
}

export {
  compareSelectors,
  entriesForWorkload,
  rankCandidateEntries,
  type CandidateEntry,
  type MissingSelector,
  type SelectorComparison,
} from './workload-matching.js';
