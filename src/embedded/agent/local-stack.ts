/**
 * Helpers to run the embedded server next to the embedded agent in one process: a
 * loopback server configuration in a given directory, and the admin calls (join
 * tokens, registration entries) made over the server's Unix socket. The agent tests and
 * the Workload API benchmark use them, and so can the lab.
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadServerApi } from '../proto-loader.js';
import type { EmbeddedServerConfig } from '../server/config.js';
import type { SelectorJson, SpiffeIdJson } from '../../spire/types.js';

/** Returns a server configuration on 127.0.0.1 with a free port, keeping every file under `directory`. */
export function loopbackServerConfig(directory: string, trustDomain: string): EmbeddedServerConfig {
  return {
    trustDomain,
    bindAddress: '127.0.0.1',
    bindPort: 0,
    socketPath: join(directory, 'server', 'api.sock'),
    dataDir: join(directory, 'server-data'),
    logLevel: 'error',
    caKeyType: 'ec-p256',
    caTtlSeconds: 24 * 3600,
    defaultX509SvidTtlSeconds: 3600,
    defaultJwtSvidTtlSeconds: 300,
    agentTtlSeconds: 3600,
    databasePath: join(directory, 'server-data', 'datastore.sqlite3'),
    keyManager: { kind: 'memory' },
    adminIds: [],
  };
}

/** A registration entry to create; TTL 0 means the server default. */
export interface NewEntry {
  readonly spiffeId: SpiffeIdJson;
  readonly parentId: SpiffeIdJson;
  readonly selectors: readonly SelectorJson[];
  readonly x509SvidTtl?: number;
}

type AdminClient = grpc.Client & Record<string, (request: unknown, callback: (error: grpc.ServiceError | null, response: unknown) => void) => void>;

/** Admin calls on an embedded (or SPIRE) server's Unix socket. */
export class ServerAdminClient {
  readonly #agent: AdminClient;
  readonly #entry: AdminClient;

  constructor(socketPath: string) {
    const api = loadServerApi();
    this.#agent = new api.Agent(`unix:${socketPath}`, grpc.credentials.createInsecure()) as unknown as AdminClient;
    this.#entry = new api.Entry(`unix:${socketPath}`, grpc.credentials.createInsecure()) as unknown as AdminClient;
  }

  /**
   * Creates a join token valid for `ttlSeconds` (default 600, as `token generate`).
   * With `nodeSpiffeId` the server also creates an entry for that ID parented to the
   * agent, so entries parented to the node ID reach the agent too.
   */
  async createJoinToken(ttlSeconds = 600, nodeSpiffeId?: string): Promise<string> {
    const request = { ttl: ttlSeconds, ...(nodeSpiffeId ? { agent_id: spiffeIdJson(nodeSpiffeId) } : {}) };
    const token = await call<{ value: string }>(this.#agent, 'CreateJoinToken', request);
    return token.value;
  }

  /** Creates one registration entry and returns its ID; rejects with the server's per-entry status. */
  async createEntry(entry: NewEntry): Promise<string> {
    const response = await call<{ results: { status: { code: number; message: string }; entry: { id: string } | null }[] }>(this.#entry, 'BatchCreateEntry', {
      entries: [{ spiffe_id: entry.spiffeId, parent_id: entry.parentId, selectors: entry.selectors, x509_svid_ttl: entry.x509SvidTtl ?? 0 }],
    });
    const result = response.results[0];
    if (!result?.entry || result.status.code !== 0) throw new Error(`could not create the registration entry: ${result?.status.message ?? 'no result'}`);
    return result.entry.id;
  }

  /** Evicts an agent (`Agent/DeleteAgent`); `agentId` is its SPIFFE ID. */
  async evictAgent(agentId: string): Promise<void> {
    await call(this.#agent, 'DeleteAgent', { id: spiffeIdJson(agentId) });
  }

  /** Bans an agent (`Agent/BanAgent`); `agentId` is its SPIFFE ID. */
  async banAgent(agentId: string): Promise<void> {
    await call(this.#agent, 'BanAgent', { id: spiffeIdJson(agentId) });
  }

  /** Deletes one registration entry. */
  async deleteEntry(id: string): Promise<void> {
    await call(this.#entry, 'BatchDeleteEntry', { ids: [id] });
  }

  close(): void {
    this.#agent.close();
    this.#entry.close();
  }
}

function spiffeIdJson(id: string): SpiffeIdJson {
  const url = new URL(id);
  return { trust_domain: url.host, path: url.pathname };
}

function call<T>(client: AdminClient, method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) => client[method]!(request, (error, response) => (error ? reject(error) : resolve(response as T))));
}
