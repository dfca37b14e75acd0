import { describe, expect, it } from 'vitest';

import { describeProbeProgress } from '../../src/probes/progress.js';

describe('describeProbeProgress', () => {
  it.each([
    { name: 'agentLogs', state: 'started' as const, detail: undefined, expected: 'Reading agent logs' },
    { name: 'agentLogs', state: 'succeeded' as const, detail: undefined, expected: 'Agent logs read' },
    {
      name: 'agentLogs',
      state: 'failed' as const,
      detail: 'forbidden: grant pods/log in namespace spire',
      expected: 'Agent logs not read: forbidden: grant pods/log in namespace spire',
    },
    { name: 'agentPods', state: 'started' as const, detail: undefined, expected: 'Listing SPIRE agent pods' },
    { name: 'clusterSPIFFEIDs', state: 'started' as const, detail: undefined, expected: 'Listing ClusterSPIFFEIDs' },
    { name: 'workloadFetch', state: 'succeeded' as const, detail: undefined, expected: 'Workload API fetch run' },
    { name: 'agentHealth.node-a', state: 'succeeded' as const, detail: undefined, expected: 'Agent health check (node-a) run' },
    { name: 'process.cgroup', state: 'skipped' as const, detail: 'no such file: /proc/1/cgroup', expected: 'Process facts (cgroup) not read: no such file: /proc/1/cgroup' },
    { name: 'somethingNew', state: 'succeeded' as const, detail: undefined, expected: 'somethingNew gathered' },
  ])('words $name $state', ({ name, state, detail, expected }) => {
    expect(describeProbeProgress(name, state, detail)).toBe(expected);
  });
});
