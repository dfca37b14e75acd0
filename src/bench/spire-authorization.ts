/**
 * Measures the SPIRE authorization walk and explanations on a large synthetic
 * registration: 10,000 workload entries under 200 agents and 20 node aliases. The
 * baseline is one pass that groups the same entries by parent ID, so the ratio shows
 * how far the walk is from linear work over the entry list.
 */
import { performance } from 'node:perf_hooks';
import { authorizedEntries, createAuthorizationExplainer } from '../spire/authorization.js';
import type { EntryJson } from '../spire/types.js';
import type { Benchmark, BenchResult } from './types.js';

const TRUST_DOMAIN = 'bench.example';
const AGENTS = 200;
const ALIASES = 20;
const ENTRIES = 10_000;
const ROUNDS = 20;

function agentPath(index: number): string {
  return `/spire/agent/k8s_psat/bench/node-${index}`;
}

function makeRegistration(): EntryJson[] {
  const entries: EntryJson[] = [];
  for (let alias = 0; alias < ALIASES; alias++) {
    entries.push({
      id: `alias-${alias}`,
      spiffe_id: { trust_domain: TRUST_DOMAIN, path: `/pool/${alias}` },
      parent_id: { trust_domain: TRUST_DOMAIN, path: '/spire/server' },
      selectors: [{ type: 'k8s_psat', value: `agent_node_label:pool:${alias}` }],
    });
  }
  for (let index = 0; index < ENTRIES; index++) {
    const parentPath = index % 2 === 0 ? agentPath(index % AGENTS) : `/pool/${index % ALIASES}`;
    entries.push({
      id: `entry-${index}`,
      spiffe_id: { trust_domain: TRUST_DOMAIN, path: `/ns/team-${index % 50}/sa/workload-${index}` },
      parent_id: { trust_domain: TRUST_DOMAIN, path: parentPath },
      selectors: [{ type: 'k8s', value: `ns:team-${index % 50}` }, { type: 'k8s', value: `sa:workload-${index}` }],
    });
  }
  return entries;
}

function timePerRound(action: () => unknown): number {
  action();
  const start = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    action();
  }
  return (performance.now() - start) / ROUNDS;
}

function groupByParent(entries: readonly EntryJson[]): Map<string, EntryJson[]> {
  const groups = new Map<string, EntryJson[]>();
  for (const entry of entries) {
    const key = `${entry.parent_id.trust_domain}${entry.parent_id.path}`;
    const group = groups.get(key);
    if (group === undefined) {
      groups.set(key, [entry]);
    } else {
      group.push(entry);
    }
  }
  return groups;
}

export const benchmark: Benchmark = {
  name: 'spire-authorization',
  async run(): Promise<BenchResult> {
    const entries = makeRegistration();
    const agent = { id: `spiffe://${TRUST_DOMAIN}${agentPath(7)}`, selectors: ['k8s_psat:cluster:bench', 'k8s_psat:agent_node_label:pool:3'] };

    const baselineMs = timePerRound(() => groupByParent(entries));
    const walkMs = timePerRound(() => authorizedEntries(agent, entries));
    const explainAllMs = timePerRound(() => {
      const explain = createAuthorizationExplainer(agent, entries);
      return entries.map(explain);
    });

    return {
      name: this.name,
      metrics: [
        { name: 'group by parent (baseline)', value: baselineMs, unit: 'ms' },
        { name: 'authorizedEntries', value: walkMs, unit: 'ms' },
        { name: 'explain every entry', value: explainAllMs, unit: 'ms' },
      ],
      ratios: [
        { name: 'authorizedEntries / baseline', value: walkMs / baselineMs, target: '<= 10', met: walkMs / baselineMs <= 10 },
        { name: 'explain every entry / baseline', value: explainAllMs / baselineMs, target: '<= 50', met: explainAllMs / baselineMs <= 50 },
      ],
      notes: [`${ENTRIES} entries, ${AGENTS} agents, ${ALIASES} node aliases, mean of ${ROUNDS} rounds after one warm-up round`],
    };
  },
};
