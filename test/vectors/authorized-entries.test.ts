import { describe, expect, it } from 'vitest';
import { authorizedEntries, entriesForWorkload } from '../../src/spire/authorization.js';
import { parseSelector } from '../../src/spire/selectors.js';
import type { EntryJson } from '../../src/spire/types.js';
import { spiffeIdToJson } from '../../src/spiffe/id.js';
import { loadVectors } from './load-vectors.js';

interface ServerCase {
  readonly name: string;
  readonly agent: { id: string; selectors?: string[]; known_to_cache?: boolean };
  readonly entries: { id: string; parent_id: string; spiffe_id: string; selectors: string[] }[];
  readonly expect_authorized_ids: string[];
}

interface AgentCacheCase {
  readonly name: string;
  readonly entries: { id: string; selectors: string[]; hint?: string; created_at?: number | string }[];
  readonly workload_selectors: string[];
  readonly expect_matching_ids_sorted_by_id: string[];
}

const file = loadVectors<{ server_cases: ServerCase[]; agent_cache_cases: AgentCacheCase[] }>('authorized-entries.json');

describe('authorized-entries vectors', () => {
  it('has cases', () => {
    expect(file.server_cases.length).toBeGreaterThan(2);
    expect(file.agent_cache_cases.length).toBeGreaterThan(1);
  });

  it.each(file.server_cases)('server authorizes $name', (testCase) => {
    const entries: EntryJson[] = testCase.entries.map((entry) => ({
      id: entry.id,
      spiffe_id: spiffeIdToJson(entry.spiffe_id),
      parent_id: spiffeIdToJson(entry.parent_id),
      selectors: entry.selectors.map(parseSelector),
    }));
    const agent = {
      id: testCase.agent.id,
      selectors: testCase.agent.selectors ?? [],
      ...(testCase.agent.known_to_cache !== undefined ? { knownToServer: testCase.agent.known_to_cache } : {}),
    };

    const result = authorizedEntries(agent, entries);

    expect(result.map((entry) => entry.id).sort()).toEqual([...testCase.expect_authorized_ids].sort());
  });

  it.each(file.agent_cache_cases)('agent matches $name', (testCase) => {
    const entries: EntryJson[] = testCase.entries.map((entry) => ({
      id: entry.id,
      spiffe_id: { trust_domain: 'example.org', path: `/${entry.id}` },
      parent_id: { trust_domain: 'example.org', path: '/spire/agent/test' },
      selectors: entry.selectors.map(parseSelector),
      ...(entry.hint !== undefined ? { hint: entry.hint } : {}),
      ...(entry.created_at !== undefined ? { created_at: entry.created_at } : {}),
    }));

    const result = entriesForWorkload(testCase.workload_selectors, entries);

    expect(result.map((entry) => entry.id)).toEqual(testCase.expect_matching_ids_sorted_by_id);
  });
});
