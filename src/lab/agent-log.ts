/**
 * Log lines of the simulated SPIRE agent, in the logrus text format SPIRE 1.15 writes by
 * default: `time="…" level=… msg="…"`, then the fields sorted by key. Probes that read
 * the agent pod's log then find the same evidence as on a real cluster.
 */
import type { KubePod } from '../evidence/kube-types.js';
import { logKey, type LabState } from './lab-state.js';
import { formatKubeTime } from './object-defaults.js';

function quoteIfNeeded(value: string): string {
  return /^[A-Za-z0-9\-._/@^+]+$/.test(value) ? value : JSON.stringify(value);
}

/** Formats one agent log line. */
export function formatAgentLogLine(time: Date, level: string, message: string, fields: Readonly<Record<string, string>>): string {
  const timestamp = formatKubeTime(time);
  const rendered = Object.keys(fields)
    .sort()
    .map((key) => `${key}=${quoteIfNeeded(fields[key] ?? '')}`);
  return [`time="${timestamp}"`, `level=${level}`, `msg=${quoteIfNeeded(message)}`, ...rendered].join(' ');
}

/**
 * Appends a line to the agent container's log in `agentPod`. The caller's `pid` field is
 * added as a new process ID each time, as each exec starts a new process.
 */
export function appendAgentLog(state: LabState, agentPod: KubePod, level: string, message: string, fields: Readonly<Record<string, string>>): void {
  const containers = agentPod.spec?.containers ?? [];
  const container = containers.find((candidate) => candidate.name === 'spire-agent') ?? containers[0];
  const key = logKey(agentPod.metadata?.namespace ?? '', agentPod.metadata?.name ?? '', container?.name ?? '');
  state.appendLog(key, formatAgentLogLine(state.now(), level, message, { ...fields, pid: String(state.nextProcessId()) }));
}
