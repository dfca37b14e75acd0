/**
 * Structured facts read out of the `error` text SPIRE logs: the gRPC status, the
 * kubelet request failure of the Kubernetes workload attestor, and the underlying
 * problem (an untrusted certificate, a refused connection, a read-only database, …).
 * Error texts are from SPIRE 1.16.0-dev, ef8527ec9 (`pkg/agent/plugin/workloadattestor/k8s`) and from
 * Go's crypto/x509, crypto/tls and net packages.
 */

/** A gRPC status embedded as `rpc error: code = <Code> desc = <message>`. */
export interface LoggedGrpcStatus {
  readonly code: string;
  readonly message: string;
}

/** A failed kubelet `/pods` request made by the `k8s` workload attestor. */
export interface KubeletFailure {
  /** HTTP status for `unexpected status code on pods response: <code> <body>`. */
  readonly statusCode?: number;
  /** The response body or the transport error after the status code or URL. */
  readonly detail: string;
  /** The URL from `unable to perform request: Get "<url>": …`. */
  readonly url?: string;
}

/**
 * The root problem an error text names, most specific first:
 * - `unknown-authority`: `x509: certificate signed by unknown authority` (trust bundle mismatch);
 * - `certificate-expired`: `certificate has expired` or `expired certificate`;
 * - `tls-bad-certificate`: the peer rejected our certificate (`remote error: tls: bad certificate`);
 * - `tls-internal-error`: the peer failed the handshake on its side (`tls: internal error`);
 * - `datastore-read-only`: the SQL datastore rejects writes (read-only replica, recovery mode);
 * - `dns-lookup-failed`, `connection-refused`, `no-such-file`, `permission-denied`, `deadline-exceeded`.
 */
export type LoggedErrorProblem =
  | 'unknown-authority'
  | 'certificate-expired'
  | 'tls-bad-certificate'
  | 'tls-internal-error'
  | 'datastore-read-only'
  | 'dns-lookup-failed'
  | 'connection-refused'
  | 'no-such-file'
  | 'permission-denied'
  | 'deadline-exceeded';

const PROBLEM_PATTERNS: ReadonlyArray<readonly [LoggedErrorProblem, RegExp]> = [
  ['unknown-authority', /certificate signed by unknown authority/],
  ['certificate-expired', /certificate has expired|expired certificate/],
  ['tls-bad-certificate', /tls: bad certificate/],
  ['tls-internal-error', /tls: internal error/],
  ['datastore-read-only', /read-only transaction|read-only mode|during recovery|--read-only option/],
  ['dns-lookup-failed', /no such host|server misbehaving|lookup \S+ on \S+/],
  ['connection-refused', /connection refused/],
  ['no-such-file', /no such file or directory/],
  ['permission-denied', /permission denied|code = PermissionDenied/],
  ['deadline-exceeded', /context deadline exceeded|code = DeadlineExceeded|i\/o timeout/],
];

/** Finds the most specific problem an error text names, or undefined. */
export function findErrorProblem(text: string | undefined): LoggedErrorProblem | undefined {
  if (text === undefined) return undefined;
  return PROBLEM_PATTERNS.find(([, pattern]) => pattern.test(text))?.[0];
}

/** Finds the innermost `rpc error: code = X desc = …` in an error text. */
export function findGrpcStatus(text: string | undefined): LoggedGrpcStatus | undefined {
  if (text === undefined) return undefined;
  const matches = [...text.matchAll(/rpc error: code = (\w+) desc = /g)];
  const last = matches.at(-1);
  if (last === undefined || last[1] === undefined) return undefined;
  return { code: last[1], message: text.slice((last.index ?? 0) + last[0].length) };
}

/** Finds a kubelet pod list failure in an error text from the `k8s` workload attestor. */
export function findKubeletFailure(text: string | undefined): KubeletFailure | undefined {
  if (text === undefined) return undefined;

  const status = /unexpected status code on pods response: (\d{3})\s*(.*)$/s.exec(text);
  if (status) return { statusCode: Number(status[1]), detail: (status[2] ?? '').trim() };

  const request = /unable to perform request: (?:Get "([^"]*)": )?(.*)$/s.exec(text);
  if (request) return { ...(request[1] ? { url: request[1] } : {}), detail: (request[2] ?? '').trim() };

  const other = /(unable to (?:read pods response|parse kubelet response|decode pod info from kubelet response)|invalid kubelet response): ?(.*)$/s.exec(text);
  if (other) return { detail: `${other[1]}: ${other[2] ?? ''}`.trim() };
  return undefined;
}

/** Finds the plugin name in `workload attestor "<name>" failed`. */
export function findFailedAttestor(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return /workload attestor "([^"]+)" failed/.exec(text)?.[1];
}
