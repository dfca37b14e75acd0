/**
 * The embedded server started in-process on 127.0.0.1 (port 0) with a temp-dir admin
 * socket, plus the admin calls the agent tests need.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loopbackServerConfig, ServerAdminClient, type NewEntry } from '../../../src/embedded/agent/local-stack.js';
import type { EmbeddedServerConfig } from '../../../src/embedded/server/config.js';
import { startEmbeddedServer, type EmbeddedServerHandle } from '../../../src/embedded/server/server.js';
import { silentLogger } from '../../../src/logger.js';

export interface ServerFixture {
  readonly directory: string;
  readonly server: EmbeddedServerHandle;
  /** The server's X.509 authorities (DER), for the agent's trust bundle. */
  trustBundle(): Buffer[];
  createJoinToken(nodeSpiffeId?: string): Promise<string>;
  createEntry(entry: NewEntry): Promise<string>;
  deleteEntry(id: string): Promise<void>;
  /** Evicts or bans the agent with this SPIFFE ID. */
  evictAgent(agentId: string): Promise<void>;
  banAgent(agentId: string): Promise<void>;
  /** Stops the server early; `close()` then only cleans up. */
  stopServer(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a server for `trustDomain`; `close()` stops it and removes its files. */
export async function startServerFixture(trustDomain: string, overrides: Partial<EmbeddedServerConfig> = {}): Promise<ServerFixture> {
  const directory = await mkdtemp(join(tmpdir(), 'agent-server-'));
  const config = { ...loopbackServerConfig(directory, trustDomain), ...overrides };
  let server: EmbeddedServerHandle;
  try {
    server = await startEmbeddedServer(config, { logger: silentLogger });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const admin = new ServerAdminClient(config.socketPath);
  let stopping: Promise<void> | undefined;
  const stopServer = () => (stopping ??= server.stop());

  return {
    directory,
    server,
    trustBundle: () => server.bundle().x509_authorities.map((authority: { asn1: Buffer }) => authority.asn1),
    createJoinToken: (nodeSpiffeId) => admin.createJoinToken(600, nodeSpiffeId),
    createEntry: (entry) => admin.createEntry(entry),
    deleteEntry: (id) => admin.deleteEntry(id),
    evictAgent: (agentId) => admin.evictAgent(agentId),
    banAgent: (agentId) => admin.banAgent(agentId),
    stopServer,
    async close() {
      admin.close();
      await stopServer();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
