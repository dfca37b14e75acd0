/**
 * A SPIFFE Workload API client over a Unix domain socket. It works against
 * spiffe-doctor's embedded agent and against a real SPIRE agent, and is what the
 * `agent api ...` commands and the doctor's fetch probe use.
 *
 * Every call sends the `workload.spiffe.io: true` metadata. Failures are
 * `WorkloadApiError`s carrying the gRPC status code.
 */
import { resolve as resolvePath } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { describeDialFailure } from './dial-error.js';
import { splitDerSequence } from './der.js';
import { WorkloadApiError } from './errors.js';
import { jsonFromStruct } from './struct-value.js';
import {
  WORKLOAD_API_HEADER,
  workloadClientConstructor,
  type JwtBundlesResponseMessage,
  type JwtSvidResponseMessage,
  type ValidateJwtSvidResponseMessage,
  type X509BundlesResponseMessage,
  type X509SvidResponseMessage,
} from './proto.js';

/** Default socket path of a SPIRE agent's public Workload API (SPIRE 1.15 `defaults_posix.go`). */
export const DEFAULT_AGENT_SOCKET_PATH = '/tmp/spire-agent/public/api.sock';

/** Default call timeout, the same as `spire-agent api fetch -timeout` (5s). */
export const DEFAULT_TIMEOUT_MS = 5_000;

export interface CallOptions {
  /** Deadline for the call in milliseconds; default 5000. */
  readonly timeoutMs?: number;
}

/** One X509-SVID with its private key and the bundle of its trust domain. */
export interface X509Svid {
  readonly spiffeId: string;
  /** DER certificates, leaf first. */
  readonly certificates: readonly Buffer[];
  /** PKCS#8 DER private key. */
  readonly privateKey: Buffer;
  /** DER CA certificates of the SVID's trust domain. */
  readonly bundle: readonly Buffer[];
  /** Empty when the registration entry has no hint. */
  readonly hint: string;
}

/** One `X509SVIDResponse`: the caller's SVIDs and the federated bundles. */
export interface X509SvidUpdate {
  readonly svids: readonly X509Svid[];
  /** DER CRLs. */
  readonly crl: readonly Buffer[];
  /** Federated trust domain ID → DER CA certificates. */
  readonly federatedBundles: ReadonlyMap<string, readonly Buffer[]>;
}

/** One JWT-SVID as the Workload API returns it. */
export interface JwtSvid {
  readonly spiffeId: string;
  /** The token in JWS compact serialization: a secret, never log it. */
  readonly token: string;
  readonly hint: string;
}

export interface FetchJwtSvidOptions extends CallOptions {
  /** Audiences for the token; at least one. */
  readonly audience: readonly string[];
  /** Ask only for this SPIFFE ID; default all the caller's identities. */
  readonly spiffeId?: string;
}

export interface ValidateJwtSvidOptions extends CallOptions {
  readonly audience: string;
  readonly token: string;
}

/** The result of `ValidateJWTSVID`. */
export interface ValidatedJwtSvid {
  readonly spiffeId: string;
  readonly claims: Record<string, unknown>;
}

/** A running `FetchX509SVID` stream. */
export interface X509SvidWatch {
  /** Cancels the stream; no callback runs afterwards. */
  close(): void;
}

export interface WatchX509SvidHandlers {
  readonly onUpdate: (update: X509SvidUpdate) => void;
  /** Runs once when the stream ends with an error (not after `close()`). */
  readonly onError: (error: WorkloadApiError) => void;
}

type WorkloadClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

function createClient(socketPath: string): WorkloadClient {
  const Constructor = workloadClientConstructor();
  return new Constructor(`unix:${resolvePath(socketPath)}`, grpc.credentials.createInsecure()) as unknown as WorkloadClient;
}

function securityMetadata(): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(WORKLOAD_API_HEADER, 'true');
  return metadata;
}

function deadlineAfter(options: CallOptions): Date {
  return new Date(Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS));
}

/**
 * Converts a grpc-js error to a `WorkloadApiError` with the wording of Go's client:
 * an expired deadline reads `context deadline exceeded`, a failed dial names the socket.
 */
async function toWorkloadApiError(error: unknown, socketPath: string): Promise<WorkloadApiError> {
  const serviceError = error as Partial<grpc.ServiceError>;
  const code = serviceError.code ?? grpc.status.UNKNOWN;
  if (code === grpc.status.DEADLINE_EXCEEDED) {
    return new WorkloadApiError(code, 'context deadline exceeded', { cause: error });
  }
  if (code === grpc.status.UNAVAILABLE) {
    const dialFailure = await describeDialFailure(socketPath);
    if (dialFailure) return new WorkloadApiError(code, dialFailure, { cause: error });
  }
  return new WorkloadApiError(code, serviceError.details ?? String(error), { cause: error });
}

function toX509SvidUpdate(message: X509SvidResponseMessage): X509SvidUpdate {
  const federatedBundles = new Map<string, Buffer[]>();
  for (const [trustDomainId, bundle] of Object.entries(message.federated_bundles)) {
    federatedBundles.set(trustDomainId, splitDerSequence(bundle));
  }
  return {
    svids: message.svids.map((svid) => ({
      spiffeId: svid.spiffe_id,
      certificates: splitDerSequence(svid.x509_svid),
      privateKey: svid.x509_svid_key,
      bundle: splitDerSequence(svid.bundle),
      hint: svid.hint,
    })),
    crl: message.crl,
    federatedBundles,
  };
}

/** Reads the first message of a server stream, or fails with the stream's status. */
function firstStreamMessage<T>(socketPath: string, method: string, options: CallOptions): Promise<T> {
  const client = createClient(socketPath);
  const stream = client[method]!({}, securityMetadata(), { deadline: deadlineAfter(options) }) as grpc.ClientReadableStream<T>;

  return new Promise<T>((resolve, reject) => {
    let settled = false;
    stream.once('data', (message: T) => {
      settled = true;
      stream.cancel();
      client.close();
      resolve(message);
    });
    stream.once('error', (error) => {
      client.close();
      if (settled) return;
      settled = true;
      toWorkloadApiError(error, socketPath).then(reject, reject);
    });
  });
}

function unaryCall<Request, Response>(socketPath: string, method: string, request: Request, options: CallOptions): Promise<Response> {
  const client = createClient(socketPath);
  const call = client[method] as (
    request: Request,
    metadata: grpc.Metadata,
    callOptions: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: Response) => void,
  ) => void;

  return new Promise<Response>((resolve, reject) => {
    call.call(client, request, securityMetadata(), { deadline: deadlineAfter(options) }, (error, response) => {
      client.close();
      if (error || response === undefined) {
        toWorkloadApiError(error, socketPath).then(reject, reject);
        return;
      }
      resolve(response);
    });
  });
}

/** Fetches the caller's X509-SVIDs: the first `FetchX509SVID` response. */
export async function fetchX509Svid(socketPath: string, options: CallOptions = {}): Promise<X509SvidUpdate> {
  const message = await firstStreamMessage<X509SvidResponseMessage>(socketPath, 'FetchX509SVID', options);
  return toX509SvidUpdate(message);
}

/** Fetches the X.509 bundles the caller may use: trust domain ID → DER CA certificates. */
export async function fetchX509Bundles(socketPath: string, options: CallOptions = {}): Promise<Map<string, Buffer[]>> {
  const message = await firstStreamMessage<X509BundlesResponseMessage>(socketPath, 'FetchX509Bundles', options);
  const bundles = new Map<string, Buffer[]>();
  for (const [trustDomainId, bundle] of Object.entries(message.bundles)) bundles.set(trustDomainId, splitDerSequence(bundle));
  return bundles;
}

/** Fetches the JWT bundles: trust domain ID → parsed JWK Set. */
export async function fetchJwtBundles(socketPath: string, options: CallOptions = {}): Promise<Map<string, unknown>> {
  const message = await firstStreamMessage<JwtBundlesResponseMessage>(socketPath, 'FetchJWTBundles', options);
  const bundles = new Map<string, unknown>();
  for (const [trustDomainId, jwks] of Object.entries(message.bundles)) bundles.set(trustDomainId, JSON.parse(jwks.toString('utf8')));
  return bundles;
}

/** Fetches JWT-SVIDs for `options.audience`. */
export async function fetchJwtSvid(socketPath: string, options: FetchJwtSvidOptions): Promise<JwtSvid[]> {
  const request = { audience: [...options.audience], spiffe_id: options.spiffeId ?? '' };
  const response = await unaryCall<typeof request, JwtSvidResponseMessage>(socketPath, 'FetchJWTSVID', request, options);
  return response.svids.map((svid) => ({ spiffeId: svid.spiffe_id, token: svid.svid, hint: svid.hint }));
}

/** Asks the agent to validate a JWT-SVID for one audience; rejects with InvalidArgument if it is not valid. */
export async function validateJwtSvid(socketPath: string, options: ValidateJwtSvidOptions): Promise<ValidatedJwtSvid> {
  const request = { audience: options.audience, svid: options.token };
  const response = await unaryCall<typeof request, ValidateJwtSvidResponseMessage>(socketPath, 'ValidateJWTSVID', request, options);
  return { spiffeId: response.spiffe_id, claims: jsonFromStruct(response.claims) };
}

/**
 * Opens a `FetchX509SVID` stream and calls `onUpdate` for every response: the first
 * one, and one per rotation or bundle change. The stream has no deadline.
 */
export function watchX509Svid(socketPath: string, handlers: WatchX509SvidHandlers): X509SvidWatch {
  const client = createClient(socketPath);
  const stream = client.FetchX509SVID!({}, securityMetadata()) as grpc.ClientReadableStream<X509SvidResponseMessage>;
  let closed = false;

  stream.on('data', (message: X509SvidResponseMessage) => {
    if (!closed) handlers.onUpdate(toX509SvidUpdate(message));
  });
  stream.on('error', (error) => {
    if (closed) return;
    closed = true;
    client.close();
    void toWorkloadApiError(error, socketPath).then(handlers.onError);
  });

  return {
    close() {
      closed = true;
      stream.cancel();
      client.close();
    },
  };
}
