/**
 * The embedded SPIRE-compatible agent. It attests to the server with a join token and
 * syncs the entries it is authorised for every `sync_interval`. It mints workload
 * X509-SVIDs, rotates them and its own SVID at half-life, and serves the SPIFFE
 * Workload API on a Unix socket.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../logger.js';
import { removeAgentState, writeAgentState } from './agent-store.js';
import type { EmbeddedAgentConfig } from './config.js';
import { generateKeyAndCsr } from './csr.js';
import { IdentityCache, entryId } from './identity-cache.js';
import { JwtSvidCache } from './jwt-svid-cache.js';
import { attestNode, attestedFrom, type AttestedAgent } from './node-attestation.js';
import { isPastHalfLife } from './rotation.js';
import { AgentError } from './errors.js';
import { findPermissionDeniedReason } from './permission-denied.js';
import { isServiceError, ServerClient } from './server-client.js';
import { synchronize, type SyncContext } from './synchronizer.js';
import { createUnixAttestor } from './unix-attestor.js';
import type { WorkloadAttestor } from './workload-attestor.js';
import { startWorkloadServer, type WorkloadServer } from './workload-server.js';

export interface StartEmbeddedAgentOptions {
  readonly logger: Logger;
  /** Workload attestors to use in place of those in the configuration, such as the lab's `k8s` attestor. */
  readonly attestors?: readonly WorkloadAttestor[];
  /** Clock; default the system clock. */
  readonly now?: () => Date;
}

/** A running embedded agent. */
export interface EmbeddedAgentHandle {
  /** The agent's SPIFFE ID, such as `spiffe://example.org/spire/agent/join_token/<token>`. */
  readonly spiffeId: string;
  readonly socketPath: string;
  readonly cache: IdentityCache;
  /** Runs a sync round now, outside the schedule; rejects when it fails. */
  syncNow(): Promise<void>;
  /**
   * Settles when the agent stops by itself because the server evicted or banned it,
   * with the error to report. It never settles after `close()`.
   */
  readonly terminated: Promise<AgentError>;
  /** Stops syncing, closes the Workload API socket and the server connections. */
  close(): Promise<void>;
}

/** Starts an agent; resolves once it has attested, synced once and is serving the Workload API. */
export async function startEmbeddedAgent(config: EmbeddedAgentConfig, options: StartEmbeddedAgentOptions): Promise<EmbeddedAgentHandle> {
  const logger = options.logger;
  const now = options.now ?? (() => new Date());
  const server = new ServerClient(config.serverAddress, config.serverPort, config.trustDomain);
  const cache = new IdentityCache();
  const jwtSvids = new JwtSvidCache();

  logger.info('Starting agent', { data_dir: config.dataDir, trust_domain: config.trustDomain });
  let agent: AttestedAgent;
  try {
    agent = await attestNode(config, server, logger, now());
  } catch (error) {
    server.close();
    throw error;
  }

  const context: SyncContext = {
    server,
    cache,
    logger,
    identity: () => agent.identity,
    trustedCertificates: () => agent.bundle,
    setTrustedCertificates: (certificates) => (agent = { ...agent, bundle: certificates }),
    now,
  };
  // Scheduled and on-demand rounds share one run at a time, so no entry is minted twice.
  let running: Promise<void> | undefined;
  const runSync = () => {
    running ??= (async () => {
      await renewAgentSvidIfDue();
      await synchronize(context);
      jwtSvids.retainEntries(new Set(cache.entries.map(entryId)));
    })().finally(() => (running = undefined));
    return running;
  };
  const renewAgentSvidIfDue = async () => {
    if (!isPastHalfLife(agent.notBefore, agent.notAfter, now())) return;
    const { csr, privateKeyDer } = generateKeyAndCsr();
    const certificates = await server.renewAgent(csr, agent.identity, agent.bundle);
    agent = attestedFrom(certificates, privateKeyDer, agent.bundle);
    server.resetChannels();
    await writeAgentState(config.dataDir, { certificates, privateKey: privateKeyDer, bundle: agent.bundle }, config.keyManager === 'disk');
    logger.info('Renewed agent SVID', { expiration: agent.notAfter.toISOString(), spiffe_id: agent.spiffeId });
  };

  let workloadServer: WorkloadServer;
  try {
    await runSync();
    workloadServer = await startWorkloadServer({
      socketPath: config.socketPath,
      isHealthy: () => cache.bundle !== undefined,
      dependencies: {
        cache,
        attestors: options.attestors ?? defaultAttestors(config),
        logger,
        allowUnauthenticatedVerifiers: config.allowUnauthenticatedVerifiers,
        logSelectorPrefixes: config.logSelectors ?? [],
        fetchJwtSvid: (entry, audience) =>
          jwtSvids.fetch(entryId(entry), audience, now(), () => server.newJwtSvid(entryId(entry), audience, agent.identity, agent.bundle)),
      },
    });
  } catch (error) {
    server.close();
    throw error;
  }
  logger.info('Starting Workload API', { address: config.socketPath, network: 'unix' });

  let terminate: (error: AgentError) => void = () => {};
  const terminated = new Promise<AgentError>((resolve) => (terminate = resolve));
  let shutDownOnce: Promise<void> | undefined;
  const shutDown = () => (shutDownOnce ??= stopServing());
  const stopServing = async () => {
    scheduler.stop();
    await workloadServer.close();
    server.close();
  };
  const stopIfRejected = async (error: unknown): Promise<boolean> => {
    const rejection = agentRejection(error, agent.spiffeId);
    if (!rejection) return false;
    logger.error(rejection.logMessage, { error, reason: rejection.reason, spiffe_id: agent.spiffeId });
    await removeAgentState(config.dataDir);
    await shutDown();
    terminate(rejection.error);
    return true;
  };

  const scheduler = scheduleSync(runSync, config.syncIntervalMs, logger, stopIfRejected);
  return {
    spiffeId: agent.spiffeId,
    socketPath: config.socketPath,
    cache,
    syncNow: runSync,
    terminated,
    async close() {
      await shutDown();
      logger.info('Agent stopped');
    },
  };
}

function defaultAttestors(config: EmbeddedAgentConfig): WorkloadAttestor[] {
  return config.unixAttestor ? [createUnixAttestor(config.unixAttestor)] : [];
}

/**
 * Returns what to log and report when the server has rejected the agent itself: banned,
 * or evicted, expired or replaced. SPIRE 1.15's agent re-attests in the second case,
 * but a join token works once, so a join-token agent shuts down in both.
 */
function agentRejection(error: unknown, spiffeId: string): { reason: string; logMessage: string; error: AgentError } | undefined {
  if (!isServiceError(error) || error.code !== grpc.status.PERMISSION_DENIED) return undefined;
  const reason = findPermissionDeniedReason(error);
  if (!reason || reason === 'UNKNOWN') return undefined;

  if (reason === 'AGENT_BANNED') {
    return {
      reason,
      logMessage: 'Agent is banned: removing SVID and shutting down',
      error: new AgentError(`the server has banned agent "${spiffeId}"`, {
        cause: error,
        suggestions: ['Evict the agent on the server to lift the ban, then start it with a new join token.'],
      }),
    };
  }
  return {
    reason,
    logMessage: 'Agent failed re-attestation; removing SVID and shutting down',
    error: new AgentError(`the server no longer accepts agent "${spiffeId}" (${reason}) and a join token cannot be used again`, {
      cause: error,
      suggestions: ['Create a new join token on the server and start the agent with it.'],
    }),
  };
}

/**
 * Runs `sync` every `intervalMs`. After a failure the delay doubles, up to 48 intervals
 * or 8 minutes, whichever is shorter, as SPIRE 1.15's backoff allows at most. When
 * `stopIfFatal` returns true for an error, no further round is scheduled.
 */
function scheduleSync(
  sync: () => Promise<void>,
  intervalMs: number,
  logger: Logger,
  stopIfFatal: (error: unknown) => Promise<boolean>,
): { stop(): void } {
  const maxDelay = Math.min(48 * intervalMs, 8 * 60_000);
  let delay = intervalMs;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const tick = async () => {
    try {
      await sync();
      delay = intervalMs;
    } catch (error) {
      if (await stopIfFatal(error)) return;
      delay = Math.min(delay * 2, maxDelay);
      logger.error('Synchronize failed', { error, retry_in_ms: delay });
    }
    if (!stopped) timer = setTimeout(() => void tick(), delay);
  };
  timer = setTimeout(() => void tick(), delay);

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
