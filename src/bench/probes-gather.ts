/**
 * Time to gather one pod's evidence from the lab, relative to one API round trip
 * (a pod GET) on the same lab. The ratio shows how many round trips' worth of wall time
 * a gather costs; a gather makes about 13 API calls and 4 execs, partly concurrently.
 */
import { performance } from 'node:perf_hooks';

import { loadLabScenario, startLab } from '../lab/index.js';
import { ClientNodeSource } from '../probes/kube/client-node-source.js';
import { gatherPodEvidence } from '../probes/kube/gather-pod.js';
import { loadKubeConfig } from '../probes/kube/kube-config.js';
import type { Benchmark, BenchResult } from './types.js';

const REQUEST = { namespace: 'shop', pod: 'web-7d9f8b6c5-x2x9q' };
const ROUND_TRIPS = 40;
const GATHERS = 10;
/** Maximum gather time in pod GETs: an estimate that allows for exec setup costing more than a GET, not a measured bound. */
const TARGET_RATIO = 30;

async function medianMs(runs: number, task: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let index = 0; index < runs; index++) {
    const start = performance.now();
    await task();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? 0;
}

export const benchmark: Benchmark = {
  name: 'probes-gather',
  async run(): Promise<BenchResult> {
    const lab = await startLab(await loadLabScenario('healthy'));
    try {
      const { config } = loadKubeConfig({ kubeconfigPath: lab.kubeconfigPath, env: {} });
      const source = new ClientNodeSource(config, 'the lab');

      const roundTripMs = await medianMs(ROUND_TRIPS, () => source.readPod(REQUEST.namespace, REQUEST.pod));
      const gatherMs = await medianMs(GATHERS, () => gatherPodEvidence(REQUEST, source));
      const ratio = gatherMs / roundTripMs;

      return {
        name: 'probes-gather',
        metrics: [
          { name: 'pod GET (median)', value: roundTripMs, unit: 'ms' },
          { name: 'pod evidence gather (median)', value: gatherMs, unit: 'ms' },
        ],
        ratios: [{ name: 'gather / pod GET', value: ratio, target: `< ${TARGET_RATIO}`, met: ratio < TARGET_RATIO }],
        notes: ['Lab scenario "healthy" on loopback; a gather makes about 13 API calls and 4 execs.'],
      };
    } finally {
      await lab.stop();
    }
  },
};
