/**
 * The SPIFFE Workload API served by the embedded agent. Behaviour and messages follow
 * the SPIFFE Workload API specification and SPIRE 1.15's agent
 * (`pkg/agent/endpoints/workload/handler.go`):
 * - a call without `workload.spiffe.io: true` fails with InvalidArgument
 *   `security header missing from request`;
 * - a caller with no matching entry gets PermissionDenied `no identity issued`, and the
 *   agent logs `No identity issued` with `registered=false service=WorkloadAPI
 *   method=… pid=…`;
 * - streams send the full state again whenever an SVID rotates or a bundle changes.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../logger.js';
import { parseSpiffeId } from '../../spiffe/id.js';
import { entrySpiffeId } from '../../spire/entries.js';
import { formatSelector, sortSelectors } from '../../spire/selectors.js';
import type { EntryJson, SelectorJson } from '../../spire/types.js';
import { WORKLOAD_API_HEADER, loadWorkloadService, type JwtSvidRequestMessage, type ValidateJwtSvidRequestMessage } from '../workload/proto.js';
import { structFromJson } from '../workload/struct-value.js';
import type { IdentityCache, TrustBundle, WorkloadIdentity } from './identity-cache.js';
import { JwtSvidValidationError, validateJwtSvidToken } from './jwt-validation.js';
import type { PeerCredentials } from './peer-credentials.js';
import { attestWorkload, type WorkloadAttestor } from './workload-attestor.js';
import {
  buildJwtBundlesResponse,
  buildX509BundlesResponse,
  buildX509SvidResponse,
  bundlesForIdentities,
  readyIdentities,
} from './workload-responses.js';

/** Dependencies of the Workload API on the rest of the agent. */
export interface WorkloadApiDependencies {
  readonly cache: IdentityCache;
  readonly attestors: readonly WorkloadAttestor[];
  /** Returns the kernel-reported credentials of the connection a call arrived on. */
  readonly findCredentials: (call: { getPeer(): string }) => PeerCredentials | undefined;
  /** Mints (or returns a cached) JWT-SVID for an entry; rejects when the server refuses. */
  readonly fetchJwtSvid: (entry: EntryJson, audience: readonly string[]) => Promise<string>;
  readonly logger: Logger;
  /** Serve bundles to callers without an identity; default false, as in SPIRE. */
  readonly allowUnauthenticatedVerifiers?: boolean;
  /**
   * Selector prefixes (`log_selectors`, such as `k8s:ns`) whose matching selectors the
   * `No identity issued` line includes, as SPIRE 1.15.2 and later do; default none.
   */
  readonly logSelectorPrefixes?: readonly string[];
}

/** A gRPC status to end a call with. */
class CallError extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(details);
  }
}

const NO_IDENTITY = (): CallError => new CallError(grpc.status.PERMISSION_DENIED, 'no identity issued');

type AnyCall = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>;

interface Caller {
  readonly credentials: PeerCredentials;
  readonly selectors: SelectorJson[];
  readonly logger: Logger;
  readonly logSelectorPrefixes: readonly string[];
}

/** Creates the `SpiffeWorkloadAPI` implementation and returns it with its service definition. */
export function createWorkloadApi(dependencies: WorkloadApiDependencies): {
  service: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
} {
  const implementation: grpc.UntypedServiceImplementation = {
    FetchX509SVID: (call: grpc.ServerWritableStream<unknown, unknown>) => void fetchX509Svid(dependencies, call),
    FetchX509Bundles: (call: grpc.ServerWritableStream<unknown, unknown>) => void fetchBundles(dependencies, call, 'FetchX509Bundles'),
    FetchJWTBundles: (call: grpc.ServerWritableStream<unknown, unknown>) => void fetchBundles(dependencies, call, 'FetchJWTBundles'),
    FetchJWTSVID: (call: grpc.ServerUnaryCall<JwtSvidRequestMessage, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      void answerUnary(callback, fetchJwtSvid(dependencies, call), dependencies.logger),
    ValidateJWTSVID: (call: grpc.ServerUnaryCall<ValidateJwtSvidRequestMessage, unknown>, callback: grpc.sendUnaryData<unknown>) =>
      void answerUnary(callback, validateJwtSvid(dependencies, call), dependencies.logger),
    FetchWITSVID: (call: grpc.ServerWritableStream<unknown, unknown>) => endStream(call, new CallError(grpc.status.UNIMPLEMENTED, 'fetching WIT-SVIDs is not implemented')),
    FetchWITBundles: (call: grpc.ServerWritableStream<unknown, unknown>) => endStream(call, new CallError(grpc.status.UNIMPLEMENTED, 'fetching WIT-SVIDs is not implemented')),
  };
  return { service: loadWorkloadService(), implementation };
}

/** Checks the security header and attests the caller; throws a `CallError` on failure. */
async function admitCaller(dependencies: WorkloadApiDependencies, call: AnyCall, method: string): Promise<Caller> {
  const header = call.metadata.get(WORKLOAD_API_HEADER);
  if (header.length !== 1 || header[0] !== 'true') throw new CallError(grpc.status.INVALID_ARGUMENT, 'security header missing from request');

  const credentials = dependencies.findCredentials(call);
  if (!credentials) {
    dependencies.logger.error('Could not read the caller credentials', { method, service: 'WorkloadAPI' });
    throw new CallError(grpc.status.INTERNAL, 'could not read the caller credentials');
  }

  const logger = dependencies.logger.child({ method, pid: credentials.pid, service: 'WorkloadAPI', subsystem_name: 'endpoints' });
  let selectors: SelectorJson[];
  try {
    selectors = await attestWorkload(dependencies.attestors, credentials, logger);
  } catch (error) {
    logger.error('Workload attestation failed', { error });
    throw new CallError(grpc.status.UNAVAILABLE, 'workload attestation failed');
  }
  logger.debug('PID attested to have selectors', { selectors: selectors.map(formatSelector) });
  return { credentials, selectors, logger, logSelectorPrefixes: dependencies.logSelectorPrefixes ?? [] };
}

function logNoIdentity(caller: Caller): CallError {
  const loggable = caller.selectors.map(formatSelector).filter((selector) => caller.logSelectorPrefixes.some((prefix) => selector.startsWith(prefix)));
  caller.logger.error('No identity issued', { registered: false, ...(loggable.length > 0 ? { selectors: sortSelectors(loggable).join(',') } : {}) });
  return NO_IDENTITY();
}

function toCallError(error: unknown, logger: Logger): CallError {
  if (error instanceof CallError) return error;
  logger.error('Workload API call failed', { error });
  return new CallError(grpc.status.INTERNAL, (error as Error).message);
}

function endStream(call: grpc.ServerWritableStream<unknown, unknown>, error: CallError): void {
  call.emit('error', { code: error.code, details: error.details });
}

async function answerUnary(callback: grpc.sendUnaryData<unknown>, result: Promise<unknown>, logger: Logger): Promise<void> {
  try {
    callback(null, await result);
  } catch (error) {
    const callError = toCallError(error, logger);
    callback({ code: callError.code, details: callError.details });
  }
}

/**
 * Keeps a server stream open and calls `produce` on every cache update. `produce`
 * returns the next message, undefined to wait (nothing changed or SVIDs not minted
 * yet), or throws a `CallError` to end the stream.
 */
function streamUpdates(
  dependencies: WorkloadApiDependencies,
  call: grpc.ServerWritableStream<unknown, unknown>,
  method: keyof typeof STREAM_METHODS,
  produce: () => unknown,
): void {
  // The client may have gone while the caller was being attested.
  if (call.cancelled) return;

  const serialize = loadWorkloadService()[method]!.responseSerialize;
  let lastSent: Buffer | undefined;
  let finished = false;

  const finish = () => {
    finished = true;
    dependencies.cache.off('update', onUpdate);
  };
  const onUpdate = () => {
    if (finished) return;
    try {
      const message = produce();
      if (message === undefined) return;
      const encoded = serialize(message);
      if (lastSent && lastSent.equals(encoded)) return;
      lastSent = encoded;
      call.write(message);
    } catch (error) {
      finish();
      endStream(call, toCallError(error, dependencies.logger));
    }
  };

  dependencies.cache.on('update', onUpdate);
  call.once('cancelled', finish);
  call.once('close', finish);
  call.once('error', finish);
  onUpdate();
}

const STREAM_METHODS = { FetchX509SVID: true, FetchX509Bundles: true, FetchJWTBundles: true } as const;

async function fetchX509Svid(dependencies: WorkloadApiDependencies, call: grpc.ServerWritableStream<unknown, unknown>): Promise<void> {
  let caller: Caller;
  try {
    caller = await admitCaller(dependencies, call, 'FetchX509SVID');
  } catch (error) {
    endStream(call, toCallError(error, dependencies.logger));
    return;
  }

  let loggedWaiting = false;
  streamUpdates(dependencies, call, 'FetchX509SVID', () => {
    const identities = dependencies.cache.identitiesFor(caller.selectors);
    const bundle = dependencies.cache.bundle;
    if (identities.length === 0) throw logNoIdentity(caller);

    const ready = readyIdentities(identities);
    if (!ready || !bundle) {
      if (!loggedWaiting) caller.logger.info('Waiting for SVID to get cached', { selectors: caller.selectors.map(formatSelector) });
      loggedWaiting = true;
      return undefined;
    }
    for (const { identity, svid } of ready) {
      caller.logger.debug('Fetched X.509 SVID', { spiffe_id: entrySpiffeId(identity.entry), ttl: secondsUntil(svid.notAfter) });
    }
    return buildX509SvidResponse(dependencies.cache, ready, bundle);
  });
}

async function fetchBundles(
  dependencies: WorkloadApiDependencies,
  call: grpc.ServerWritableStream<unknown, unknown>,
  method: 'FetchX509Bundles' | 'FetchJWTBundles',
): Promise<void> {
  let caller: Caller;
  try {
    caller = await admitCaller(dependencies, call, method);
  } catch (error) {
    endStream(call, toCallError(error, dependencies.logger));
    return;
  }

  streamUpdates(dependencies, call, method, () => {
    const bundles = bundlesForCaller(dependencies, caller);
    if (!bundles) return undefined;
    return method === 'FetchX509Bundles' ? buildX509BundlesResponse(bundles) : buildJwtBundlesResponse(bundles);
  });
}

/** Returns the bundles a caller may see, or undefined while the agent has no bundle yet. */
function bundlesForCaller(dependencies: WorkloadApiDependencies, caller: Caller): TrustBundle[] | undefined {
  const identities = dependencies.cache.identitiesFor(caller.selectors);
  if (identities.length === 0 && !dependencies.allowUnauthenticatedVerifiers) throw logNoIdentity(caller);

  const bundle = dependencies.cache.bundle;
  if (!bundle) return undefined;
  return bundlesForIdentities(dependencies.cache, identities, bundle);
}

async function fetchJwtSvid(dependencies: WorkloadApiDependencies, call: grpc.ServerUnaryCall<JwtSvidRequestMessage, unknown>): Promise<unknown> {
  const audience = call.request.audience.filter((value) => value !== '');
  if (audience.length === 0) {
    dependencies.logger.error('Missing required audience parameter', { method: 'FetchJWTSVID', service: 'WorkloadAPI' });
    throw new CallError(grpc.status.INVALID_ARGUMENT, 'audience must be specified');
  }
  const requestedId = call.request.spiffe_id;
  if (requestedId) parseRequestedId(requestedId);

  const caller = await admitCaller(dependencies, call, 'FetchJWTSVID');
  const identities = dependencies.cache
    .identitiesFor(caller.selectors)
    .filter((identity) => !requestedId || entrySpiffeId(identity.entry) === requestedId);
  if (identities.length === 0) throw logNoIdentity(caller);

  return { svids: await Promise.all(identities.map((identity) => mintJwtSvid(dependencies, caller, identity, audience))) };
}

function parseRequestedId(requestedId: string): void {
  try {
    parseSpiffeId(requestedId);
  } catch (error) {
    throw new CallError(grpc.status.INVALID_ARGUMENT, `invalid requested SPIFFE ID: ${(error as Error).message}`);
  }
}

async function mintJwtSvid(dependencies: WorkloadApiDependencies, caller: Caller, identity: WorkloadIdentity, audience: string[]) {
  const spiffeId = entrySpiffeId(identity.entry);
  let token: string;
  try {
    token = await dependencies.fetchJwtSvid(identity.entry, audience);
  } catch (error) {
    caller.logger.error('Could not fetch JWT-SVID', { error, spiffe_id: spiffeId });
    throw new CallError(grpc.status.UNAVAILABLE, `could not fetch JWT-SVID: ${(error as Error).message}`);
  }
  caller.logger.debug('Fetched JWT SVID', { audience, spiffe_id: spiffeId });
  return { spiffe_id: spiffeId, svid: token, hint: identity.entry.hint ?? '' };
}

async function validateJwtSvid(dependencies: WorkloadApiDependencies, call: grpc.ServerUnaryCall<ValidateJwtSvidRequestMessage, unknown>): Promise<unknown> {
  const logger = dependencies.logger.child({ method: 'ValidateJWTSVID', service: 'WorkloadAPI' });
  if (!call.request.audience) {
    logger.error('Missing required audience parameter');
    throw new CallError(grpc.status.INVALID_ARGUMENT, 'audience must be specified');
  }
  if (!call.request.svid) {
    logger.error('Missing required svid parameter');
    throw new CallError(grpc.status.INVALID_ARGUMENT, 'svid must be specified');
  }

  const caller = await admitCaller(dependencies, call, 'ValidateJWTSVID');
  const bundles = bundlesForCaller(dependencies, caller) ?? [];
  try {
    const validated = await validateJwtSvidToken(call.request.svid, call.request.audience, new Map(bundles.map((bundle) => [bundle.trustDomainId, bundle])));
    return { spiffe_id: validated.spiffeId, claims: structFromJson(validated.claims) };
  } catch (error) {
    if (!(error instanceof JwtSvidValidationError)) throw error;
    caller.logger.warn('Failed to validate JWT', { audience: call.request.audience, error });
    throw new CallError(grpc.status.INVALID_ARGUMENT, error.message);
  }
}

function secondsUntil(date: Date): number {
  return Math.max(0, Math.round((date.getTime() - Date.now()) / 1000));
}
