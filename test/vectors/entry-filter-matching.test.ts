import { describe, expect, it } from 'vitest';
import { filterAgents, filterEntries, type EntryFilter, type MatchBehavior } from '../../src/spire/entry-filter.js';
import { formatSelector } from '../../src/spire/selectors.js';
import type { AgentJson, EntryJson, SelectorJson } from '../../src/spire/types.js';
import { spiffeIdToJson } from '../../src/spiffe/id.js';
import { loadVectors } from './load-vectors.js';

interface VectorEntry {
  readonly parent_id: string;
  readonly spiffe_id: string;
  readonly hint: string;
  readonly selectors: SelectorJson[];
  readonly federates_with: string[];
  readonly downstream?: boolean;
}

interface VectorFilter {
  readonly by_parent_id?: string;
  readonly by_spiffe_id?: string;
  readonly by_hint?: string;
  readonly by_selectors?: { match: MatchBehavior; selectors: SelectorJson[] };
  readonly by_federates_with?: { match: MatchBehavior; trust_domains: string[] };
  readonly by_downstream?: boolean;
  readonly by_entry_id?: string;
}

interface VectorFile {
  readonly entries: Record<string, VectorEntry>;
  readonly cases: { name: string; entries: string[]; filter: VectorFilter; expect?: string[]; expect_error?: string }[];
  readonly attested_node_selector_cases: {
    nodes: Record<string, SelectorJson[]>;
    cases: { name: string; filter: { match: MatchBehavior; selectors: SelectorJson[] }; nodes: string[]; expect: string[] }[];
  };
}

const file = loadVectors<VectorFile>('entry-filter-matching.json');

function toEntry(id: string): EntryJson {
  const entry = file.entries[id];
  if (entry === undefined) {
    throw new Error(`vector entry ${id} not found`);
  }
  return {
    id,
    spiffe_id: spiffeIdToJson(entry.spiffe_id),
    parent_id: spiffeIdToJson(entry.parent_id),
    hint: entry.hint,
    selectors: entry.selectors,
    federates_with: entry.federates_with,
    ...(entry.downstream !== undefined ? { downstream: entry.downstream } : {}),
  };
}

function toFilter(filter: VectorFilter): EntryFilter {
  return {
    ...(filter.by_parent_id !== undefined ? { parentId: filter.by_parent_id } : {}),
    ...(filter.by_spiffe_id !== undefined ? { spiffeId: filter.by_spiffe_id } : {}),
    ...(filter.by_hint !== undefined ? { hint: filter.by_hint } : {}),
    ...(filter.by_selectors !== undefined
      ? { selectors: { match: filter.by_selectors.match, selectors: filter.by_selectors.selectors.map(formatSelector) } }
      : {}),
    ...(filter.by_federates_with !== undefined
      ? { federatesWith: { match: filter.by_federates_with.match, trustDomains: filter.by_federates_with.trust_domains } }
      : {}),
    ...(filter.by_downstream !== undefined ? { downstream: filter.by_downstream } : {}),
    ...(filter.by_entry_id !== undefined ? { entryId: filter.by_entry_id } : {}),
  };
}

describe('entry-filter-matching vectors', () => {
  it('has cases', () => {
    expect(file.cases.length).toBeGreaterThan(10);
  });

  it.each(file.cases.filter((testCase) => testCase.expect_error === undefined))('filters $name', (testCase) => {
    const entries = testCase.entries.map(toEntry);

    const result = filterEntries(entries, toFilter(testCase.filter));

    expect(result.map((entry) => entry.id)).toEqual(testCase.expect);
  });

  it.each(file.cases.filter((testCase) => testCase.expect_error !== undefined))('rejects $name', (testCase) => {
    const entries = testCase.entries.map(toEntry);

    expect(() => filterEntries(entries, toFilter(testCase.filter))).toThrow(testCase.expect_error);
  });

  it.each(file.attested_node_selector_cases.cases)('filters agents $name', (testCase) => {
    const agents: AgentJson[] = testCase.nodes.map((name) => ({
      id: { trust_domain: 'example.org', path: `/spire/agent/${name}` },
      selectors: file.attested_node_selector_cases.nodes[name] ?? [],
    }));
    const filter = { selectors: { match: testCase.filter.match, selectors: testCase.filter.selectors.map(formatSelector) } };

    const result = filterAgents(agents, filter);

    expect(result.map((agent) => agent.id.path.split('/').pop())).toEqual(testCase.expect);
  });
});
