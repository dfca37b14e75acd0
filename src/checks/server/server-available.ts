/**
 * The SPIRE server can serve agents: its log shows no failing datastore, no failing
 * CA or signing, and no crash. Messages read from SPIRE v1.15.3
 * (`pkg/server/endpoints`, `pkg/server/ca/manager`, `pkg/server/datastore/sqlstore`).
 * A server that cannot read or write its datastore cannot even build the TLS config
 * for an agent's connection, so every agent fails its handshake.
 */
import { classifySpireLog } from '../../spire/logs.js';
import { parseLogRecords, type LogRecord } from '../support/log-records.js';
import type { KubePod } from '../../evidence/kube-types.js';
import type { Evidence } from '../../evidence/types.js';
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import type { Check, Finding } from '../types.js';

type ServerFault = 'datastore' | 'signing' | 'crash';

// Failures to sign or to build the TLS config for agents that the SPIRE log module
// does not class as a datastore or CA journal error.
const SIGNING_FAILURE = /could not generate TLS config|failed to sign|unable to sign|upstream authority/i;

const ERROR_LEVELS = new Set(['error', 'fatal', 'panic']);

const FAULT_FIX: Readonly<Record<ServerFault, string>> = {
  datastore: 'Restore the datastore: check the database the server connects to (a read-only replica after a failover, a locked SQLite file, credentials), then restart the server and confirm spire-server healthcheck prints "Server is healthy."',
  signing: "Check the server's CA: the KeyManager, UpstreamAuthority and ca_ttl settings; the server log line quoted above names the failing step.",
  crash: 'Read the error on the "Server crashed" line, fix the configuration it names, and restart the server.',
};

function classify(record: LogRecord): ServerFault | undefined {
  if (!ERROR_LEVELS.has(record.level)) {
    return undefined;
  }
  const event = classifySpireLog(record);
  if (event.kind === 'datastore-error') {
    return 'datastore';
  }
  if (event.kind === 'server-ca' && event.action === 'ca-error') {
    return 'signing';
  }
  if (record.message === 'Server crashed') {
    return 'crash';
  }
  // Federation refresh errors concern another trust domain's bundle, not this server's health.
  if (record.fields.subsystem_name === 'bundle_client') {
    return undefined;
  }
  return SIGNING_FAILURE.test(`${record.message} ${record.fields.error ?? ''}`) ? 'signing' : undefined;
}

// The gatherer's words for a server it could not read logs from because it is down.
const SERVER_DOWN = /CrashLoopBackOff|not running|not ready|ImagePullBackOff|Error|OOMKilled|terminated/i;

/** Describes server pods that are not running and ready, with their container state. */
function describeDownServerPods(pods: readonly KubePod[] | undefined): string[] {
  return (pods ?? []).flatMap((pod) => {
    const statuses = pod.status?.containerStatuses ?? [];
    const down = statuses.filter((status) => status.state?.running === undefined || status.ready === false);
    if (pod.status?.phase !== undefined && pod.status.phase !== 'Running') {
      return [`server pod ${pod.metadata?.name ?? '?'} is ${pod.status.phase}`];
    }
    return down.map((status) => `server pod ${pod.metadata?.name ?? '?'} container ${status.name ?? '?'} is ${status.state?.waiting?.reason ?? (status.ready === false ? 'not ready' : 'not running')} after ${status.restartCount ?? 0} restarts`);
  });
}

/** Judges the server from its pods and the gatherer's errors when its log could not be read. */
function judgeWithoutLogs(checkId: string, evidence: Evidence): Finding {
  const podProblems = describeDownServerPods(evidence.serverPods);
  const gatherError = evidence.gatherErrors?.serverLogs;
  const problems = [...podProblems, ...(gatherError !== undefined && SERVER_DOWN.test(gatherError) ? [`gatherErrors.serverLogs: ${gatherError}`] : [])];
  if (problems.length === 0) {
    return evidence.serverPods === undefined
      ? skippedFor(checkId, 'Could not run: neither serverLogs nor serverPods were gathered.', ['Add "serverLogs": kubectl logs of the SPIRE server pod (with --previous after a crash).'])
      : passed(checkId, 'The server pods are running and ready.');
  }
  return failed(checkId, {
    cause: 'server-unavailable',
    confidence: podProblems.length > 0 ? 'certain' : 'likely',
    summary: `The SPIRE server is not running: ${problems[0] ?? ''}. Agents cannot attest or sync while it is down.`,
    evidence: problems,
    fix: ['Read why the server stopped: kubectl logs -n spire SERVER_POD --previous, fix the configuration or datastore error it names, and confirm spire-server healthcheck prints "Server is healthy."'],
  });
}

export const serverAvailableCheck = {
  id: 'server-available',
  category: 'server',
  title: 'SPIRE server is up and can sign',
  severity: 'error',
  requires: [],
  run({ evidence }) {
    if (evidence.serverLogs === undefined) {
      return [judgeWithoutLogs(this.id, evidence)];
    }
    const down = describeDownServerPods(evidence.serverPods);
    const records = parseLogRecords(evidence.serverLogs);
    const faults = records.flatMap((record) => {
      const fault = classify(record);
      return fault === undefined ? [] : [{ fault, record }];
    });
    if (faults.length === 0 && down.length > 0) {
      return [judgeWithoutLogs(this.id, evidence)];
    }
    if (faults.length === 0) {
      return [passed(this.id, 'The server log shows no datastore, signing or crash errors.')];
    }

    const latest = faults.at(-1) as { fault: ServerFault; record: LogRecord };
    const lastLine = records.at(-1);
    // Repeated errors, or an error as the newest line, mean the fault is current rather than a past blip.
    const current = faults.length >= 2 || lastLine === latest.record;
    return [
      failed(this.id, {
        cause: 'server-unavailable',
        confidence: current ? 'certain' : 'likely',
        summary: `The SPIRE server is failing (${latest.fault}): ${latest.record.fields.error ?? latest.record.message}. Agents cannot attest or sync while it does.`,
        evidence: faults.slice(-3).map(({ record }) => record.raw),
        fix: [FAULT_FIX[latest.fault]],
      }),
    ];
  },
} satisfies Check;
