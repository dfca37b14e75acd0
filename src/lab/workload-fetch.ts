/**
 * `spire-agent api fetch x509` run inside a lab container, simulated along the whole
 * path a real fetch takes in SPIRE 1.15. The socket must be visible in the container, and
 * an agent pod must run on the pod's node and be healthy. The agent then attests the pod
 * (`attestK8sWorkload`), takes the entries the server authorised for it
 * (`authorizedEntries`) and issues those the workload matches (`entriesForWorkload`).
 * Outcomes and texts are SPIRE's, and the agent's log gets the lines a real agent writes.
 */
import type { KubePod } from '../evidence/kube-types.js';
import { authorizedEntries } from '../spire/authorization.js';
import { agentSelectors, agentSpiffeId, entrySpiffeId } from '../spire/entries.js';
import type { EntryJson } from '../spire/types.js';
import { entriesForWorkload } from '../spire/workload-matching.js';
import { agentSocketPathsInContainer } from './agent-socket.js';
import { appendAgentLog } from './agent-log.js';
import { failed, succeeded, type LabExecResult } from './exec-backend.js';
import { DEFAULT_X509_SVID_TTL_SECONDS, type LabCa, type LabX509Svid } from './lab-ca.js';
import type { LabState } from './lab-state.js';
import { formatGoDuration, formatGoJson, formatGoTime } from './spire-cli-output.js';
import { attestWorkload } from './workload-attestation.js';
import { findAgentPodOnNode, isAgentPod } from './spire-layout.js';

/** The Workload API socket `spire-agent api fetch` dials when `-socketPath` is not given. */
export const DEFAULT_AGENT_SOCKET_PATH = '/tmp/spire-agent/public/api.sock';

/** A fetch request: where it runs and its flags. */
export interface X509FetchRequest extends WorkloadCaller {
  readonly output: 'pretty' | 'json';
  readonly silent: boolean;
}

/** Lab state and CA used to simulate a fetch. */
export interface FetchContext {
  readonly state: LabState;
  readonly ca: LabCa;
}

/** Result of dialing the node's agent from a container: the agent pod, or the dial error. */
export type AgentReachability =
  | { readonly reachable: true; readonly agentPod: KubePod; readonly healthy: boolean }
  | { readonly reachable: false; readonly error: string };

/**
 * Decides whether `socketPath` inside the container leads to a running agent. A missing
 * socket file gives the dial error `connect: no such file or directory`; a socket left
 * by an agent pod that no longer runs gives `connect: connection refused`.
 */
export function reachAgent(state: LabState, pod: KubePod, containerName: string, socketPath: string): AgentReachability {
  const { spire, pods } = state.scenario;
  const nodeName = pod.spec?.nodeName ?? '';
  const visible = agentSocketPathsInContainer(pod, containerName, spire.agentSocket).includes(socketPath);
  const agentPod = findAgentPodOnNode(pods, nodeName);
  const stalePod = pods.some((candidate) => isAgentPod(candidate) && candidate.spec?.nodeName === nodeName);

  if (!visible || (!agentPod && !stalePod)) return { reachable: false, error: dialError(socketPath, 'no such file or directory') };
  if (!agentPod) return { reachable: false, error: dialError(socketPath, 'connection refused') };
  const healthy = spire.agents.find((agent) => agent.nodeName === nodeName)?.healthy ?? true;
  return { reachable: true, agentPod, healthy };
}

function dialError(socketPath: string, reason: string): string {
  return `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix ${socketPath}: connect: ${reason}"`;
}

/** The origin of a Workload API call: the pod, its container and the socket it dials. */
export interface WorkloadCaller {
  readonly pod: KubePod;
  readonly containerName: string;
  readonly socketPath: string;
}

/** The entries the agent issues to a caller, or the failed command's result. */
export type IssuedEntries = { readonly ok: true; readonly entries: readonly EntryJson[] } | { readonly ok: false; readonly result: LabExecResult };

/**
 * Follows a Workload API call from `caller` up to the entries the agent issues: dial the
 * socket, check agent health, attest the caller and match its selectors. Every failure
 * is returned as the client prints it, and the agent logs what SPIRE logs. `method` is
 * the Workload API method for the log fields, such as `FetchX509SVID`.
 */
export function findIssuedEntries(context: FetchContext, caller: WorkloadCaller, method: string): IssuedEntries {
  const reach = reachAgent(context.state, caller.pod, caller.containerName, caller.socketPath);
  if (!reach.reachable) return { ok: false, result: failed(`${reach.error}\n`) };
  // An unhealthy agent cannot serve the Workload API, so the client's 5 s default timeout expires.
  if (!reach.healthy) return { ok: false, result: failed('rpc error: code = DeadlineExceeded desc = context deadline exceeded\n') };

  const attestation = attestWorkload(context.state, caller.pod, caller.containerName, method);
  if (!attestation.ok) {
    for (const line of attestation.agentLog) appendAgentLog(context.state, reach.agentPod, line.level, line.message, line.fields);
    return { ok: false, result: failed(`${attestation.clientError}\n`) };
  }

  const entries = entriesForSelectors(context.state, caller.pod.spec?.nodeName ?? '', attestation.selectors);
  if (entries.length === 0) {
    appendAgentLog(context.state, reach.agentPod, 'error', 'No identity issued', { method, registered: 'false', service: 'WorkloadAPI', subsystem_name: 'endpoints' });
    return { ok: false, result: failed('rpc error: code = PermissionDenied desc = no identity issued\n') };
  }
  return { ok: true, entries };
}

/** Runs the simulated fetch and prints what `spire-agent api fetch x509` prints. */
export async function simulateX509Fetch(context: FetchContext, request: X509FetchRequest): Promise<LabExecResult> {
  const started = performance.now();
  const issued = findIssuedEntries(context, request, 'FetchX509SVID');
  if (!issued.ok) return issued.result;

  const { entries } = issued;
  const svids = await Promise.all(entries.map((entry) => context.ca.mintX509Svid(entrySpiffeId(entry), entry.x509_svid_ttl || DEFAULT_X509_SVID_TTL_SECONDS, entry.dns_names ?? [])));
  if (request.silent) return succeeded('');
  const elapsed = performance.now() - started;
  return succeeded(request.output === 'json' ? formatFetchJson(svids, entries, context.ca) : formatFetchPretty(svids, entries, context.ca, elapsed));
}

/**
 * Returns the entries the agent on `nodeName` issues to a workload with `selectors`: the
 * entries authorised for the node's agent record that the selectors match. A node with
 * no attested agent record gets nothing.
 */
export function entriesForSelectors(state: LabState, nodeName: string, selectors: readonly string[]): EntryJson[] {
  const { spire } = state.scenario;
  const record = spire.agents.find((agent) => agent.nodeName === nodeName)?.agent;
  if (!record) return [];
  const authorized = authorizedEntries({ id: agentSpiffeId(record), selectors: agentSelectors(record) }, spire.entries);
  return entriesForWorkload(selectors, authorized);
}

function formatFetchPretty(svids: readonly LabX509Svid[], entries: readonly EntryJson[], ca: LabCa, elapsedMs: number): string {
  // NOTE: SPIRE 1.15 prints "svid" whatever the count.
  const header = `Received ${svids.length} svid after ${formatGoDuration(elapsedMs)}\n\n`;
  const blocks = svids.map((svid, index) => {
    const hint = entries[index]?.hint;
    return [
      `SPIFFE ID:\t\t${svid.spiffeId}\n`,
      hint ? `Hint:\t\t\t${hint}\n` : '',
      `SVID Valid After:\t${formatGoTime(svid.certificate.notBefore)}\n`,
      `SVID Valid Until:\t${formatGoTime(svid.certificate.notAfter)}\n`,
      `CA #1 Valid After:\t${formatGoTime(ca.bundle.notBefore)}\n`,
      `CA #1 Valid Until:\t${formatGoTime(ca.bundle.notAfter)}\n`,
      '\n',
    ].join('');
  });
  return header + blocks.join('');
}

function formatFetchJson(svids: readonly LabX509Svid[], entries: readonly EntryJson[], ca: LabCa): string {
  const bundle = Buffer.from(ca.bundle.rawData).toString('base64');
  return formatGoJson({
    crl: [],
    federated_bundles: {},
    svids: svids.map((svid, index) => ({
      bundle,
      hint: entries[index]?.hint ?? '',
      spiffe_id: svid.spiffeId,
      x509_svid: svid.certificateDer.toString('base64'),
      x509_svid_key: svid.keyDer.toString('base64'),
    })),
  });
}
