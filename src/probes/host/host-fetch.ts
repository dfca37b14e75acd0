/**
 * The Workload API fetch on a host: `spire-agent api fetch x509` when the binary is
 * available, else spiffe-doctor's own Workload API client, whose result is printed the
 * way `spire-agent api fetch x509 -output json` prints it. Either way the agent attests
 * the calling process, not the workload, so the result carries a note saying how the
 * caller differs.
 */
import { fetchX509Svid, type X509SvidUpdate } from '../../embedded/workload/client.js';
import { WorkloadApiError } from '../../embedded/workload/errors.js';
import type { ProcessFacts, WorkloadFetch } from '../../evidence/types.js';
import type { CommandRunner } from './command.js';

export interface HostFetchRequest {
  readonly socketPath: string;
  /** Path of the spire-agent binary, when one was found. */
  readonly agentBinary: string | undefined;
  /** The workload's ids, to run the binary as when spiffe-doctor runs as root. */
  readonly workload: ProcessFacts;
  readonly timeoutMs: number;
  readonly runCommand: CommandRunner;
  /** The uid spiffe-doctor runs as; undefined where the platform has none. */
  readonly ownUid: number | undefined;
}

/** Fetches X509-SVIDs from the agent socket and records the output as the CLI prints it. */
export async function fetchOnHost(request: HostFetchRequest): Promise<WorkloadFetch> {
  if (request.agentBinary !== undefined) return fetchWithBinary(request, request.agentBinary);
  return fetchWithClient(request);
}

async function fetchWithBinary(request: HostFetchRequest, binary: string): Promise<WorkloadFetch> {
  const { uid, gid } = request.workload;
  const switchUser = request.ownUid === 0 && uid !== undefined && gid !== undefined;
  const args = ['api', 'fetch', 'x509', '-socketPath', request.socketPath, '-output', 'json'];

  const result = await request.runCommand(binary, args, { timeoutMs: request.timeoutMs, ...(switchUser ? { uid, gid } : {}) });
  const caller = switchUser ? `uid ${uid} and gid ${gid}` : `spiffe-doctor's own uid ${request.ownUid ?? 'unknown'}`;
  return {
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    socketPath: request.socketPath,
    note: `ran ${binary} as ${caller}; the agent attested that process, so its unix:path and unix:sha256 selectors are the binary's, not the workload's`,
  };
}

async function fetchWithClient(request: HostFetchRequest): Promise<WorkloadFetch> {
  const note =
    `fetched with spiffe-doctor's Workload API client as its own uid ${request.ownUid ?? 'unknown'} (no spire-agent binary found); ` +
    "the agent attested spiffe-doctor, so unix selectors are spiffe-doctor's, not the workload's";
  try {
    const update = await fetchX509Svid(request.socketPath, { timeoutMs: request.timeoutMs });
    return { exitCode: 0, stdout: formatFetchJson(update), stderr: '', socketPath: request.socketPath, note };
  } catch (error) {
    if (!(error instanceof WorkloadApiError)) throw error;
    return { exitCode: 1, stdout: '', stderr: `${error.message}\n`, socketPath: request.socketPath, note };
  }
}

/**
 * Prints an X509-SVID response as `spire-agent api fetch x509 -output json` does (SPIRE
 * 1.15): compact JSON with sorted keys, bytes in base64, DER chains concatenated.
 */
export function formatFetchJson(update: X509SvidUpdate): string {
  const base64 = (parts: readonly Buffer[]) => Buffer.concat(parts).toString('base64');
  const federated = Object.fromEntries([...update.federatedBundles].sort(([a], [b]) => a.localeCompare(b)).map(([trustDomain, certificates]) => [trustDomain, base64(certificates)]));

  const document = {
    crl: update.crl.map((crl) => crl.toString('base64')),
    federated_bundles: federated,
    svids: update.svids.map((svid) => ({
      bundle: base64(svid.bundle),
      hint: svid.hint,
      spiffe_id: svid.spiffeId,
      x509_svid: base64(svid.certificates),
      x509_svid_key: svid.privateKey.toString('base64'),
    })),
  };
  return `${JSON.stringify(document)}\n`;
}
