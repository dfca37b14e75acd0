/**
 * Measures `diagnose` on one workload against a large synthetic cluster: 10,000
 * registration entries, 200 attested agents and 5,000 agent log lines, where the
 * workload's entry requires another namespace (a selector mismatch, so every entry
 * check runs to the end). The baseline is one JSON round trip of the same evidence,
 * so the ratio shows how far the diagnosis is from linear work over its input.
 */
import { performance } from 'node:perf_hooks';
import { diagnose } from '../diagnosis/diagnose.js';
import type { Evidence } from '../evidence/types.js';
import type { AgentJson, EntryJson } from '../spire/types.js';
import type { Benchmark, BenchResult } from './types.js';

const TRUST_DOMAIN = 'bench.example';
const AGENTS = 200;
const ENTRIES = 10_000;
const LOG_LINES = 5_000;
const ROUNDS = 10;

function agentPath(index: number): string {
  return `/spire/agent/k8s_psat/bench/node-uid-${index}`;
}

function makeEntries(): EntryJson[] {
  const entries: EntryJson[] = [];
  for (let index = 0; index < ENTRIES; index++) {
    entries.push({
      id: `entry-${index}`,
      spiffe_id: { trust_domain: TRUST_DOMAIN, path: `/ns/team-${index % 50}/sa/workload-${index}` },
      parent_id: { trust_domain: TRUST_DOMAIN, path: agentPath(index % AGENTS) },
      selectors: [{ type: 'k8s', value: `ns:team-${index % 50}` }, { type: 'k8s', value: `sa:workload-${index}` }],
      created_at: '1715600000',
    });
  }
  return entries;
}

function makeAgents(): AgentJson[] {
  return Array.from({ length: AGENTS }, (_, index) => ({
    id: { trust_domain: TRUST_DOMAIN, path: agentPath(index) },
    attestation_type: 'k8s_psat',
    x509svid_expires_at: '1715690000',
    selectors: [{ type: 'k8s_psat', value: `agent_node_name:node-${index}` }],
  }));
}

function makeLogs(): string[] {
  return Array.from({ length: LOG_LINES }, (_, index) => {
    const second = String(index % 60).padStart(2, '0');
    return `time="2024-05-14T09:${String(Math.floor(index / 60) % 60).padStart(2, '0')}:${second}Z" level=debug msg="Entry created" entry=entry-${index} selectors_added=2 subsystem_name=cache_manager`;
  });
}

function makeEvidence(): Evidence {
  return {
    gatheredAt: '2024-05-14T10:00:00Z',
    pod: {
      metadata: { name: 'workload-7-abcde', namespace: 'other-team', uid: 'pod-uid-7', labels: { app: 'workload-7' } },
      spec: {
        serviceAccountName: 'workload-7',
        nodeName: 'node-7',
        containers: [{ name: 'app', volumeMounts: [{ name: 'spiffe', mountPath: '/spiffe-workload-api' }] }],
        volumes: [{ name: 'spiffe', csi: { driver: 'csi.spiffe.io' } }],
      },
      status: { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }] },
    },
    entries: makeEntries(),
    agents: makeAgents(),
    agentLogs: makeLogs(),
    workloadFetch: { exitCode: 1, stderr: 'rpc error: code = PermissionDenied desc = no identity issued' },
  };
}

function timePerRound(action: () => unknown): number {
  action();
  const start = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    action();
  }
  return (performance.now() - start) / ROUNDS;
}

export const benchmark: Benchmark = {
  name: 'diagnose',
  async run(): Promise<BenchResult> {
    const evidence = makeEvidence();
    // A fresh copy per round: diagnose memoises per evidence object, and the user runs it once per file.
    const diagnoseMs = timePerRound(() => diagnose(structuredClone(evidence), { toolVersion: 'bench' }));
    const baselineMs = timePerRound(() => structuredClone(JSON.parse(JSON.stringify(evidence)) as Evidence));
    const cause = diagnose(structuredClone(evidence), { toolVersion: 'bench' }).rootCause?.cause ?? 'none';

    return {
      name: 'diagnose',
      metrics: [
        { name: 'diagnose one workload', value: diagnoseMs, unit: 'ms' },
        { name: 'baseline JSON round trip and clone', value: baselineMs, unit: 'ms' },
      ],
      ratios: [{ name: 'diagnose / baseline', value: diagnoseMs / baselineMs }],
      notes: [`${ENTRIES} entries, ${AGENTS} agents, ${LOG_LINES} log lines; root cause found: ${cause}`],
    };
  },
};
