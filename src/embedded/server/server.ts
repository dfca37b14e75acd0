/**
 * Starts the embedded SPIRE-compatible server in this process: the admin API on a
 * Unix socket (every caller is a local administrator) and the agent API over TLS on
 * `bind_address:bind_port`, both backed by one SQLite datastore and one CA.
 */
import { X509Certificate } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';

import * as grpc from '@grpc/grpc-js';

import { UserError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { loadServerApi } from '../proto-loader.js';
import { createAgentHandlers, createAgentSelfHandlers } from './api/agent-service.js';
import { attestAgent } from './api/attest-agent.js';
import { createBundleHandlers } from './api/bundle-service.js';
import type { ServerContext } from './api/context.js';
import { bundleToMessage } from './api/convert.js';
import { createEntryHandlers, getAuthorizedEntries } from './api/entry-service.js';
import { createDebugHandlers, createHealthHandlers } from './api/health-debug.js';
import { createSvidHandlers } from './api/svid-service.js';
import { SyncSession } from './api/sync-authorized-entries.js';
import { TrustDomainCa } from './ca.js';
import type { EmbeddedServerConfig } from './config.js';
import { Datastore } from './datastore.js';
import { adaptUnary, authorize, failStream, type Transport, type UnaryHandler } from './grpc-adapter.js';
import { createDiskKeyManager, createMemoryKeyManager } from './key-manager.js';
import { createLogrusLogger } from './logrus-logger.js';
import type { TrustBundle } from './records.js';
import { ServerTlsIdentity } from './tls-identity.js';

/** A running embedded server. */
export interface EmbeddedServerHandle {
  readonly socketPath: string;
  /** The TLS endpoint agents dial; `port` is the bound port when the configuration asked for 0. */
  readonly address: { readonly host: string; readonly port: number };
  readonly trustDomain: string;
  /** Returns the server's current trust bundle as an API Bundle message. */
  bundle(): ReturnType<typeof bundleToMessage>;
  /**
   * Runs the CA rotation check now instead of waiting for the timer, and returns what
   * changed. The lab and tests use it together with the `now` option.
   */
  checkRotation(): 'prepared' | 'activated' | 'none';
  /**
   * Deletes registration entries whose `expires_at` has passed, as the 5-minute timer
   * does, and returns how many were deleted. Until then agents still receive them.
   */
  pruneExpiredEntries(): number;
  /** Stops both listeners, waits for calls in flight, closes the datastore and removes the socket. */
  stop(): Promise<void>;
}

/** Options of {@link startEmbeddedServer}. */
export interface EmbeddedServerOptions {
  /** Defaults to logrus text lines on stderr at the configured level. */
  readonly logger?: Logger;
  /**
   * The server's clock, for CA rotation, SVID validity and expiry checks. Defaults to
   * the system clock. TLS handshakes always use the system clock.
   */
  readonly now?: () => Date;
}

/** How often the CA rotation and server SVID renewal are checked. */
const ROTATION_CHECK_INTERVAL_MS = 10_000;

/** How often registration entries past their `expires_at` are deleted; SPIRE 1.15 prunes every 5 minutes. */
const ENTRY_PRUNE_INTERVAL_MS = 5 * 60_000;

/**
 * Starts the server.
 *
 * @throws UserError when the socket is in use by another server, or the socket or
 *   data directory is not writable.
 */
export async function startEmbeddedServer(config: EmbeddedServerConfig, options: EmbeddedServerOptions = {}): Promise<EmbeddedServerHandle> {
  const logger = options.logger ?? createLogrusLogger(config.logLevel);
  await prepareSocketPath(config.socketPath);
  prepareDataDir(config.dataDir);

  const now = options.now ?? (() => new Date());
  const identity = new ServerTlsIdentity(config.trustDomain, config.defaultX509SvidTtlSeconds, now);
  const datastore = Datastore.open(config.databasePath);
  let context: ServerContext;
  try {
    context = openContext(config, datastore, logger, now, identity);
  } catch (error) {
    datastore.close();
    throw error;
  }
  identity.refresh(context.ca, context.ca.x509Authorities(), true);

  const adminServer = buildServer(context, 'admin');
  const agentServer = buildServer(context, 'agent');
  let port: number;
  try {
    await bind(adminServer, `unix:${config.socketPath}`, grpc.ServerCredentials.createInsecure());
    chmodSync(config.socketPath, 0o770);
    const credentials = grpc.experimental.createCertificateProviderServerCredentials(identity, identity, false);
    port = await bind(agentServer, `${formatHost(config.bindAddress)}:${config.bindPort}`, credentials);
  } catch (error) {
    adminServer.forceShutdown();
    agentServer.forceShutdown();
    datastore.close();
    throw new UserError(`failed to start server listeners: ${(error as Error).message}`, {
      suggestions: [`Check that ${config.bindAddress}:${config.bindPort} is free and that ${config.socketPath} is writable.`],
    });
  }
  logger.info('Starting Server APIs', { address: `${config.bindAddress}:${port}`, network: 'tcp', subsystem_name: 'endpoints' });
  logger.info('Starting Server APIs', { address: config.socketPath, network: 'unix', subsystem_name: 'endpoints' });

  const timer = setInterval(() => rotate(context, identity), ROTATION_CHECK_INTERVAL_MS);
  timer.unref();
  const pruneTimer = setInterval(() => pruneExpiredEntries(context), ENTRY_PRUNE_INTERVAL_MS);
  pruneTimer.unref();

  return {
    socketPath: config.socketPath,
    address: { host: config.bindAddress, port },
    trustDomain: config.trustDomain,
    bundle: () => bundleToMessage(datastore.findBundle(config.trustDomain)!),
    checkRotation: () => rotate(context, identity),
    pruneExpiredEntries: () => pruneExpiredEntries(context),
    async stop() {
      clearInterval(timer);
      clearInterval(pruneTimer);
      await Promise.all([shutdown(adminServer), shutdown(agentServer)]);
      datastore.close();
      if (existsSync(config.socketPath)) unlinkSync(config.socketPath);
      logger.info('Server stopped');
    },
  };
}

function openContext(config: EmbeddedServerConfig, datastore: Datastore, logger: Logger, now: () => Date, identity: ServerTlsIdentity): ServerContext {
  const keyManager = config.keyManager.kind === 'disk' ? createDiskKeyManager(config.keyManager.keysPath) : createMemoryKeyManager();
  const ca = TrustDomainCa.open({
    trustDomain: config.trustDomain,
    keyType: config.caKeyType,
    ...(config.jwtKeyType === undefined ? {} : { jwtKeyType: config.jwtKeyType }),
    caTtlSeconds: config.caTtlSeconds,
    keyManager,
    journalStore: datastore,
    now,
  });
  const context: ServerContext = {
    config,
    datastore,
    ca,
    logger,
    startedAt: now(),
    now,
    publishAuthorities: () => publishAuthorities(context),
    serverSvidChain: () => identity.chain(),
  };
  context.publishAuthorities();
  logger.info('X509 CA activated', {
    expiration: ca.current.certificate.validTo,
    issued_at: ca.current.certificate.validFrom,
    slot: 'current',
    subsystem_name: 'ca_manager',
    trust_domain_id: `spiffe://${config.trustDomain}`,
  });
  return context;
}

/**
 * Merges the CA's roots and JWT keys into the server's own bundle and drops expired
 * ones. The sequence number goes up by one when anything changed.
 */
function publishAuthorities(context: ServerContext): void {
  const now = context.now().getTime();
  const trustDomain = context.config.trustDomain;
  const existing: TrustBundle = context.datastore.findBundle(trustDomain) ?? {
    trustDomain,
    x509Authorities: [],
    jwtAuthorities: [],
    refreshHint: 0,
    sequenceNumber: 0,
  };

  const x509 = [...existing.x509Authorities];
  for (const der of context.ca.x509Authorities()) {
    if (!x509.some((authority) => authority.asn1.equals(der))) x509.push({ asn1: der, tainted: false });
  }
  const jwt = [...existing.jwtAuthorities];
  for (const authority of context.ca.jwtAuthorities()) {
    if (!jwt.some((item) => item.keyId === authority.keyId)) {
      jwt.push({ publicKey: authority.publicKey.export({ format: 'der', type: 'spki' }), keyId: authority.keyId, expiresAt: authority.expiresAt, tainted: false });
    }
  }
  const liveX509 = x509.filter((authority) => new Date(new X509Certificate(authority.asn1).validTo).getTime() > now);
  const liveJwt = jwt.filter((authority) => authority.expiresAt === 0 || authority.expiresAt * 1000 > now);

  const changed = liveX509.length !== existing.x509Authorities.length || liveJwt.length !== existing.jwtAuthorities.length || !existing.x509Authorities.every((item, index) => item.asn1.equals(liveX509[index]!.asn1));
  if (!changed && context.datastore.findBundle(trustDomain) !== undefined) {
    return;
  }
  context.datastore.saveBundle({ ...existing, x509Authorities: liveX509, jwtAuthorities: liveJwt, sequenceNumber: existing.sequenceNumber + 1 });
}

function pruneExpiredEntries(context: ServerContext): number {
  const now = Math.floor(context.now().getTime() / 1000);
  let pruned = 0;
  try {
    for (const entry of context.datastore.listEntries()) {
      if (entry.expiresAt !== 0 && entry.expiresAt < now && context.datastore.deleteEntry(entry.id)) {
        context.logger.info('Pruned an expired registration entry', { entry_id: entry.id, spiffe_id: entry.spiffeId });
        pruned += 1;
      }
    }
  } catch (error) {
    context.logger.error('Failed to prune expired registration entries', { error: (error as Error).message });
  }
  return pruned;
}

function rotate(context: ServerContext, identity: ServerTlsIdentity): 'prepared' | 'activated' | 'none' {
  try {
    const change = context.ca.rotateIfDue();
    if (change !== 'none') {
      context.logger.info(change === 'prepared' ? 'X509 CA prepared' : 'X509 CA activated', {
        subsystem_name: 'ca_manager',
        trust_domain_id: `spiffe://${context.config.trustDomain}`,
      });
    }
    context.publishAuthorities();
    const roots = context.datastore.findBundle(context.config.trustDomain)?.x509Authorities.map((authority) => authority.asn1) ?? [];
    identity.refresh(context.ca, roots, change === 'activated');
    return change;
  } catch (error) {
    context.logger.error('CA rotation check failed', { error: (error as Error).message });
    return 'none';
  }
}

function buildServer(context: ServerContext, transport: Transport): grpc.Server {
  const api = loadServerApi();
  const server = new grpc.Server(transport === 'agent' ? { 'grpc.max_connection_age_ms': 3 * 60_000 } : {});
  const unary = (service: string, handlers: Record<string, unknown>) => adaptUnary(context, transport, service, handlers as Record<string, UnaryHandler>);

  server.addService(api.Entry.service, {
    ...unary('Entry', {
      ...createEntryHandlers(context),
      GetAuthorizedEntries: (request: { output_mask?: Record<string, boolean> | null }, authorization: { node?: never }) =>
        getAuthorizedEntries(context, authorization.node!, request.output_mask),
    }),
    SyncAuthorizedEntries: (call: grpc.ServerDuplexStream<unknown, unknown>) => handleSync(context, transport, call),
  });
  server.addService(api.Agent.service, {
    ...unary('Agent', { ...createAgentHandlers(context), ...createAgentSelfHandlers(context) }),
    AttestAgent: (call: grpc.ServerDuplexStream<unknown, unknown>) => handleAttest(context, transport, call),
  });
  server.addService(api.SVID.service, unary('SVID', createSvidHandlers(context)));
  server.addService(api.Bundle.service, unary('Bundle', createBundleHandlers(context)));
  if (transport === 'admin') {
    server.addService(api.Health.service, unary('Health', createHealthHandlers(context)));
    server.addService(api.Debug.service, unary('Debug', createDebugHandlers(context)));
  }
  // TODO: the TrustDomain (federation relationship) service is not registered, so its methods return Unimplemented (remove once federation relationships are implemented).
  // TODO: NewDownstreamX509CA, PublishJWTAuthority and the WIT-SVID methods have no handler, so grpc-js answers them with Unimplemented (remove once nested SPIRE and WIT-SVIDs are supported).
  return server;
}

function handleAttest(context: ServerContext, transport: Transport, call: grpc.ServerDuplexStream<unknown, unknown>): void {
  let done = false;
  call.on('data', (request: Parameters<typeof attestAgent>[1]) => {
    if (done) return;
    done = true;
    try {
      authorize(context, transport, call, 'Agent', 'AttestAgent');
      call.write(attestAgent(context, request));
      call.end();
    } catch (error) {
      context.logger.warn('Agent attestation failed', { error: (error as Error).message });
      failStream(context, call, error, 'AttestAgent');
    }
  });
  call.on('error', () => undefined);
}

function handleSync(context: ServerContext, transport: Transport, call: grpc.ServerDuplexStream<unknown, unknown>): void {
  let session: SyncSession | undefined;
  let finished = false;
  call.on('data', (request: { output_mask?: Record<string, boolean> | null; ids: string[] }) => {
    if (finished) return;
    try {
      if (session === undefined) {
        const authorization = authorize(context, transport, call, 'Entry', 'SyncAuthorizedEntries');
        session = new SyncSession(context, authorization.node!, call);
      }
      if (session.handle(request)) {
        finished = true;
        call.end();
      }
    } catch (error) {
      finished = true;
      failStream(context, call, error, 'SyncAuthorizedEntries');
    }
  });
  call.on('end', () => {
    if (!finished) {
      finished = true;
      call.end();
    }
  });
  call.on('error', () => undefined);
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function bind(server: grpc.Server, address: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port)));
  });
}

function shutdown(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const timeout = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 5_000);
    server.tryShutdown(() => {
      clearTimeout(timeout);
      resolve();
    });
  });
}

/**
 * Creates the socket directory and removes a stale socket file. A socket that still
 * accepts connections belongs to a running server, which is an error.
 */
async function prepareSocketPath(socketPath: string): Promise<void> {
  const directory = dirname(socketPath);
  try {
    mkdirSync(directory, { recursive: true, mode: 0o750 });
    accessSync(directory, constants.W_OK);
  } catch (error) {
    throw new UserError(`socket directory ${directory} is not writable: ${(error as Error).message}`, {
      suggestions: ['Set socket_path in the server block to a path in a writable directory.'],
    });
  }
  if (!existsSync(socketPath)) {
    return;
  }

  if (await isListening(socketPath)) {
    throw new UserError(`another server is already listening on socket ${socketPath}`, {
      suggestions: ['Stop the other server, or set a different socket_path in the server block.'],
    });
  }
  unlinkSync(socketPath);
}

function isListening(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function prepareDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    accessSync(dataDir, constants.W_OK);
  } catch (error) {
    throw new UserError(`data directory ${dataDir} is not writable: ${(error as Error).message}`, {
      suggestions: [`Give the server user write access to ${dataDir}, or set data_dir in the server block to a writable directory.`],
    });
  }
}
