/**
 * A Workload API server over a temp-dir Unix socket, backed by an in-memory cache and
 * a test CA, attesting callers with the real `unix` attestor. JWT-SVIDs are signed
 * with the test CA's key.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { IdentityCache } from '../../../src/embedded/agent/identity-cache.js';
import { createLogrusLogger } from '../../../src/embedded/agent/logrus-logger.js';
import { createUnixAttestor } from '../../../src/embedded/agent/unix-attestor.js';
import type { WorkloadAttestor } from '../../../src/embedded/agent/workload-attestor.js';
import { startWorkloadServer, type WorkloadServer } from '../../../src/embedded/agent/workload-server.js';
import type { EntryJson } from '../../../src/spire/types.js';
import { createTestCa, type TestCa } from './test-ca.js';

export const TRUST_DOMAIN = 'example.org';
/** The test process's effective UID, which the unix attestor reports as `unix:uid:<uid>`. */
export const UID = process.getuid?.() ?? 0;

export interface WorkloadFixture {
  readonly directory: string;
  readonly socketPath: string;
  readonly ca: TestCa;
  readonly cache: IdentityCache;
  readonly logLines: string[];
  start(attestors?: WorkloadAttestor[], logSelectorPrefixes?: string[]): Promise<WorkloadServer>;
  /** Adds an entry for this process's UID and mints its SVID. */
  addOwnEntry(id: string, path: string, hint?: string): void;
  close(): Promise<void>;
}

/** Builds a registration entry as the agent receives it. */
export function entryFor(id: string, path: string, selectors: EntryJson['selectors'], hint = ''): EntryJson {
  return { id, spiffe_id: { trust_domain: TRUST_DOMAIN, path }, parent_id: { trust_domain: TRUST_DOMAIN, path: '/agent' }, selectors, hint };
}

/** Creates the fixture; call `start()` to listen and `close()` in `afterEach`. */
export async function createWorkloadFixture(): Promise<WorkloadFixture> {
  const directory = await mkdtemp(join(tmpdir(), 'workload-api-'));
  const socketPath = join(directory, 'public', 'api.sock');
  const ca = createTestCa(TRUST_DOMAIN);
  const cache = new IdentityCache();
  cache.setBundle(ca.bundle);
  const logLines: string[] = [];
  let server: WorkloadServer | undefined;

  return {
    directory,
    socketPath,
    ca,
    cache,
    logLines,
    async start(attestors = [createUnixAttestor()], logSelectorPrefixes = []) {
      server = await startWorkloadServer({
        socketPath,
        isHealthy: () => cache.bundle !== undefined,
        dependencies: {
          cache,
          attestors,
          logSelectorPrefixes,
          logger: createLogrusLogger({ level: 'debug', write: (line) => logLines.push(line) }),
          fetchJwtSvid: (entry, audience) =>
            new SignJWT({ aud: [...audience] })
              .setProtectedHeader({ alg: 'ES256', kid: ca.jwtKeyId, typ: 'JWT' })
              .setSubject(`spiffe://${entry.spiffe_id.trust_domain}${entry.spiffe_id.path}`)
              .setIssuedAt()
              .setExpirationTime('5m')
              .sign(ca.jwtPrivateKey),
        },
      });
      return server;
    },
    addOwnEntry(id, path, hint = '') {
      cache.setEntries([...cache.entries, entryFor(id, path, [{ type: 'unix', value: `uid:${UID}` }], hint)]);
      cache.setX509Svid(ca.issueSvid(id, `spiffe://${TRUST_DOMAIN}${path}`));
    },
    async close() {
      await server?.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
