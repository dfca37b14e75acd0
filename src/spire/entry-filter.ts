/**
 * `spire-server entry show` and `agent list` filters, with the match semantics of
 * SPIRE's datastore (SPIRE 1.16.0-dev, commit ef8527ec9,
 * `pkg/server/datastore/sqlstore`, pinned by its `ListRegistrationEntries` and
 * `ListAttestedNodes` test tables).
 *
 * With the entry's set E and the filter's set F, the match modes are:
 * exact E = F, subset E ⊆ F, superset E ⊇ F, any E ∩ F ≠ ∅. All filters are ANDed.
 */
import { parseSpiffeId, sameSpiffeId } from '../spiffe/id.js';
import { isSpiffeIdError } from '../spiffe/errors.js';
import { findTrustDomain, parseTrustDomain } from '../spiffe/trust-domain.js';
import { agentSelectors, entrySelectors } from './entries.js';
import { EntryFilterError } from './errors.js';
import { parseSelector, selectorSet } from './selectors.js';
import type { AgentJson, EntryJson, SpiffeIdJson } from './types.js';

/** The comparison between a set in an entry and the set in a filter. `entry show` defaults to superset. */
export type MatchBehavior = 'exact' | 'subset' | 'superset' | 'any';

/** The match modes `-matchSelectorsOn` and `-matchFederatesWithOn` accept. */
export const MATCH_BEHAVIORS: readonly MatchBehavior[] = ['exact', 'subset', 'superset', 'any'];

/** A filter as `spire-server entry show` builds it from its flags. Absent fields do not filter. */
export interface EntryFilter {
  /** `-entryID`: the entry with this ID. */
  readonly entryId?: string;
  /** `-spiffeID`. */
  readonly spiffeId?: string;
  /** `-parentID`. */
  readonly parentId?: string;
  /** `-hint`: entries with exactly this hint. */
  readonly hint?: string;
  /** `-selector` with `-matchSelectorsOn`; selectors are `type:value` strings. */
  readonly selectors?: { readonly match: MatchBehavior; readonly selectors: readonly string[] };
  /** `-federatesWith` with `-matchFederatesWithOn`; trust domains as names or IDs. */
  readonly federatesWith?: { readonly match: MatchBehavior; readonly trustDomains: readonly string[] };
  /**
   * `-downstream`. Since SPIRE v1.9.0 the CLI always sends it, so a plain `entry
   * show` lists only entries with `downstream` false, and `entry show -downstream`
   * only those with it true. Absent here means both.
   */
  readonly downstream?: boolean;
}

/**
 * Returns the entries that pass every part of `filter`, in their original order.
 *
 * @throws EntryFilterError with SPIRE's message for an empty selector list, an
 * unknown match mode, or an invalid SPIFFE ID or trust domain, and SelectorError
 * for a selector without `:`.
 */
export function filterEntries(entries: readonly EntryJson[], filter: EntryFilter): EntryJson[] {
  const predicates = buildEntryPredicates(filter);
  return entries.filter((entry) => predicates.every((predicate) => predicate(entry)));
}

type EntryPredicate = (entry: EntryJson) => boolean;

function buildEntryPredicates(filter: EntryFilter): EntryPredicate[] {
  const predicates: EntryPredicate[] = [];
  if (filter.entryId !== undefined) {
    const entryId = filter.entryId;
    predicates.push((entry) => entry.id === entryId);
  }
  if (filter.spiffeId !== undefined) {
    const spiffeId = parseFilterId(filter.spiffeId);
    predicates.push((entry) => sameSpiffeId(entry.spiffe_id, spiffeId));
  }
  if (filter.parentId !== undefined) {
    const parentId = parseFilterId(filter.parentId);
    predicates.push((entry) => sameSpiffeId(entry.parent_id, parentId));
  }
  if (filter.hint !== undefined) {
    const hint = filter.hint;
    predicates.push((entry) => (entry.hint ?? '') === hint);
  }
  if (filter.downstream !== undefined) {
    const downstream = filter.downstream;
    predicates.push((entry) => (entry.downstream ?? false) === downstream);
  }
  if (filter.selectors !== undefined) {
    const matches = selectorMatcher(filter.selectors.match, filter.selectors.selectors);
    predicates.push((entry) => matches(entrySelectors(entry)));
  }
  if (filter.federatesWith !== undefined) {
    const matches = federatesWithMatcher(filter.federatesWith.match, filter.federatesWith.trustDomains);
    predicates.push((entry) => matches(entry.federates_with ?? []));
  }
  return predicates;
}

/** A filter as `spire-server agent list` builds it from `-selector` and `-matchSelectorsOn`. */
export interface AgentFilter {
  readonly selectors?: { readonly match: MatchBehavior; readonly selectors: readonly string[] };
}

/**
 * Returns the agents whose node selectors pass `filter`, in their original order.
 *
 * @throws EntryFilterError for an empty selector list or an unknown match mode.
 */
export function filterAgents(agents: readonly AgentJson[], filter: AgentFilter): AgentJson[] {
  if (filter.selectors === undefined) {
    return [...agents];
  }
  const matches = selectorMatcher(filter.selectors.match, filter.selectors.selectors);
  return agents.filter((agent) => matches(agentSelectors(agent)));
}

function selectorMatcher(match: MatchBehavior, selectors: readonly string[]): (values: readonly string[]) => boolean {
  requireMatchBehavior(match);
  if (selectors.length === 0) {
    throw new EntryFilterError('cannot list by empty selector set', {
      suggestions: ['Give at least one -selector type:value, or drop the selector filter.'],
    });
  }
  selectors.forEach(parseSelector);
  return setMatcher(match, selectorSet(selectors));
}

function federatesWithMatcher(match: MatchBehavior, trustDomains: readonly string[]): (values: readonly string[]) => boolean {
  requireMatchBehavior(match);
  if (trustDomains.length === 0) {
    throw new EntryFilterError('the federates-with filter has no trust domains', {
      suggestions: ['Give at least one -federatesWith trust domain, or drop the filter.'],
    });
  }
  const requested = new Set(trustDomains.map(parseFilterTrustDomain));
  const matches = setMatcher(match, requested);
  // An entry that federates with nothing never matches a federates-with filter, even
  // in subset mode where the empty set would be a subset of anything.
  return (values) => values.length > 0 && matches(values.map(normalizeEntryTrustDomain));
}

/** Builds the test for one match mode against a fixed filter set F. */
function setMatcher(match: MatchBehavior, requested: ReadonlySet<string>): (values: readonly string[]) => boolean {
  return (values) => {
    const have = new Set(values);
    switch (match) {
      case 'exact':
        return have.size === requested.size && [...have].every((value) => requested.has(value));
      case 'subset':
        return have.size > 0 && [...have].every((value) => requested.has(value));
      case 'superset':
        return [...requested].every((value) => have.has(value));
      case 'any':
        return [...have].some((value) => requested.has(value));
    }
  };
}

function requireMatchBehavior(match: string): void {
  if (!(MATCH_BEHAVIORS as readonly string[]).includes(match)) {
    throw new EntryFilterError(`match behavior ${JSON.stringify(match)} unknown`, {
      suggestions: [`Use one of: ${MATCH_BEHAVIORS.join(', ')}.`],
    });
  }
}

function parseFilterId(text: string): SpiffeIdJson {
  try {
    const id = parseSpiffeId(text);
    return { trust_domain: id.trustDomain, path: id.path };
  } catch (error) {
    if (isSpiffeIdError(error)) {
      throw new EntryFilterError(`error parsing SPIFFE ID ${JSON.stringify(text)}: ${error.reason}`, {
        cause: error,
        suggestions: error.suggestions,
      });
    }
    throw error;
  }
}

function parseFilterTrustDomain(text: string): string {
  try {
    return parseTrustDomain(text);
  } catch (error) {
    if (isSpiffeIdError(error)) {
      throw new EntryFilterError(`invalid federated trust domain ${JSON.stringify(text)}: ${error.reason}`, {
        cause: error,
        suggestions: error.suggestions,
      });
    }
    throw error;
  }
}

/** Reduces an entry's `federates_with` value to a trust domain name; a value that is not one stays as written. */
function normalizeEntryTrustDomain(text: string): string {
  return findTrustDomain(text) ?? text;
}
