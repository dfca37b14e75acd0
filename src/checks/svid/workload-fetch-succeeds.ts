/**
 * The in-pod `spire-agent api fetch` returns an SVID. This is the symptom, not a
 * cause: a failed fetch is reported with what its gRPC status means (SPIFFE Workload
 * API spec and SPIRE v1.15.3), and ranking ties it to the root cause found by the
 * other checks.
 */
import { failedSymptom, passed } from '../support/finding-builders.js';
import type { GrpcStatus } from '../support/grpc-status.js';
import { viewWorkload, type FetchView } from '../support/workload-view.js';
import type { Check } from '../types.js';

function meaningOf(fetch: FetchView): string {
  const status: GrpcStatus | undefined = fetch.status;
  if (fetch.dial?.reason === 'no-such-file') {
    return `no socket exists at ${fetch.dial.path}`;
  }
  if (fetch.dial?.reason === 'connection-refused') {
    return `a socket file exists at ${fetch.dial.path} but nothing accepts connections on it (the agent is not running there)`;
  }
  if (fetch.dial?.reason === 'permission-denied') {
    return `connecting to ${fetch.dial.path} is denied`;
  }
  const meanings: Readonly<Record<string, string>> = {
    PermissionDenied: 'the agent attested the caller but has no identity for it (no matching entry in its cache)',
    Unavailable: 'the agent could not attest the caller or could not be reached',
    DeadlineExceeded: 'the agent did not answer in time; the workload attestor is probably still polling for the container',
    Unimplemented: 'whatever listens on the socket is not a SPIFFE Workload API server',
    InvalidArgument: 'the agent rejected the request',
  };
  return status === undefined ? 'the command failed without a gRPC status' : meanings[status.code] ?? `gRPC status ${status.code}`;
}

export const workloadFetchSucceedsCheck = {
  id: 'workload-fetch-succeeds',
  category: 'svid',
  title: 'The workload receives an SVID from the Workload API',
  severity: 'error',
  requires: ['workloadFetch'],
  run({ evidence }) {
    const fetch = viewWorkload(evidence).fetch as FetchView;
    if (fetch.succeeded) {
      const ids = fetch.output?.svids.map((svid) => svid.spiffeId) ?? [];
      return [passed(this.id, `The in-pod fetch returned ${ids.length} SVID(s): ${ids.join(', ')}.`)];
    }
    return [
      failedSymptom(this.id, `The in-pod fetch failed: ${meaningOf(fetch)}.`, [`exit code ${fetch.exitCode}: ${fetch.stderr.trim() || '(no stderr)'}`]),
    ];
  },
} satisfies Check;
