/**
 * Progress wording for probes, for spinners in the terminal. Finished probes read as a
 * noun plus a past participle ("Agent logs read"); running ones as a present participle.
 */
import type { ProbeState } from './probe-runner.js';

const PROBE_NOUNS: Readonly<Record<string, { readonly noun: string; readonly verb: string; readonly done: string }>> = {
  pod: { noun: 'Pod', verb: 'Reading', done: 'read' },
  pods: { noun: 'Pods', verb: 'Listing', done: 'listed' },
  node: { noun: 'Node', verb: 'Reading', done: 'read' },
  events: { noun: 'Pod events', verb: 'Listing', done: 'listed' },
  agentPods: { noun: 'SPIRE agent pods', verb: 'Listing', done: 'listed' },
  agentHealth: { noun: 'Agent health check', verb: 'Running', done: 'run' },
  agentLogs: { noun: 'Agent logs', verb: 'Reading', done: 'read' },
  agentConfig: { noun: 'Agent config', verb: 'Reading', done: 'read' },
  entries: { noun: 'Registration entries', verb: 'Listing', done: 'listed' },
  agents: { noun: 'Attested agents', verb: 'Listing', done: 'listed' },
  serverPods: { noun: 'SPIRE server pods', verb: 'Listing', done: 'listed' },
  serverLogs: { noun: 'Server logs', verb: 'Reading', done: 'read' },
  serverConfig: { noun: 'Server config', verb: 'Reading', done: 'read' },
  clusterSPIFFEIDs: { noun: 'ClusterSPIFFEIDs', verb: 'Listing', done: 'listed' },
  clusterStaticEntries: { noun: 'ClusterStaticEntries', verb: 'Listing', done: 'listed' },
  workloadFetch: { noun: 'Workload API fetch', verb: 'Running', done: 'run' },
  process: { noun: 'Process facts', verb: 'Reading', done: 'read' },
};

/**
 * Describes a probe's progress in one line, for example `Reading agent logs`,
 * `Agent logs read`, `Agent logs not read: forbidden: grant pods/log in namespace spire`.
 * Per-node and per-fact probes (`agentLogs.node-a`, `process.uid`) name their part.
 */
export function describeProbeProgress(name: string, state: ProbeState, detail?: string): string {
  const [field = name, part] = splitProbeName(name);
  const wording = PROBE_NOUNS[field] ?? { noun: field, verb: 'Gathering', done: 'gathered' };
  const noun = part === undefined ? wording.noun : `${wording.noun} (${part})`;

  switch (state) {
    case 'started':
      return `${wording.verb} ${lowerFirst(noun)}`;
    case 'succeeded':
      return `${noun} ${wording.done}`;
    case 'failed':
    case 'skipped':
      return `${noun} not ${wording.done}${detail ? `: ${detail}` : ''}`;
  }
}

function splitProbeName(name: string): [string, string | undefined] {
  const dot = name.indexOf('.');
  return dot === -1 ? [name, undefined] : [name.slice(0, dot), name.slice(dot + 1)];
}

/** Lowercases the first letter unless the word is a name in capitals, such as SPIRE or ClusterSPIFFEIDs. */
function lowerFirst(text: string): string {
  const firstWord = text.split(' ')[0] ?? '';
  if (/[A-Z].*[A-Z]/.test(firstWord)) return text;
  return text.charAt(0).toLowerCase() + text.slice(1);
}
