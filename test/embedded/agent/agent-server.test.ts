import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddedAgent, type EmbeddedAgentHandle } from '../../../src/embedded/agent/agent.js';
import type { EmbeddedAgentConfig } from '../../../src/embedded/agent/config.js';
import { isAgentError } from '../../../src/embedded/agent/errors.js';
import { createLogrusLogger } from '../../../src/embedded/agent/logrus-logger.js';
import { fetchJwtBundles, fetchJwtSvid, fetchX509Svid, validateJwtSvid, watchX509Svid, type X509SvidUpdate } from '../../../src/embedded/workload/client.js';
import type { WorkloadApiError } from '../../../src/embedded/workload/errors.js';
import { startServerFixture, type ServerFixture } from './server-fixture.js';
import { createTestCa } from './test-ca.js';

const TRUST_DOMAIN = 'example.org';
const UID = process.getuid?.() ?? 0;
const SYNC_INTERVAL_MS = 200;

describe('embedded agent with embedded server', () => {
  let fixture: ServerFixture;
  let agent: EmbeddedAgentHandle | undefined;
  let logLines: string[];

  function agentConfig(overrides: Partial<EmbeddedAgentConfig> = {}): EmbeddedAgentConfig {
    return {
      trustDomain: TRUST_DOMAIN,
      serverAddress: '127.0.0.1',
      serverPort: fixture.server.address.port,
      socketPath: join(fixture.directory, 'agent', 'api.sock'),
      dataDir: join(fixture.directory, 'agent-data'),
      trustBundle: fixture.trustBundle(),
      insecureBootstrap: false,
      logLevel: 'debug',
      keyManager: 'memory',
      unixAttestor: {},
      syncIntervalMs: SYNC_INTERVAL_MS,
      allowUnauthenticatedVerifiers: false,
      ...overrides,
    };
  }

  async function startAgent(overrides: Partial<EmbeddedAgentConfig> = {}): Promise<EmbeddedAgentHandle> {
    const token = overrides.joinToken ?? (await fixture.createJoinToken());
    agent = await startEmbeddedAgent(agentConfig({ joinToken: token, ...overrides }), {
      logger: createLogrusLogger({ level: 'debug', write: (line) => logLines.push(line) }),
    });
    return agent;
  }

  async function createOwnEntry(agentId: string, path: string, x509SvidTtl?: number): Promise<string> {
    const parentPath = new URL(agentId).pathname;
    return fixture.createEntry({
      spiffeId: { trust_domain: TRUST_DOMAIN, path },
      parentId: { trust_domain: TRUST_DOMAIN, path: parentPath },
      selectors: [{ type: 'unix', value: `uid:${UID}` }],
      ...(x509SvidTtl === undefined ? {} : { x509SvidTtl }),
    });
  }

  beforeEach(async () => {
    fixture = await startServerFixture(TRUST_DOMAIN);
    logLines = [];
  });

  afterEach(async () => {
    await agent?.close();
    agent = undefined;
    await fixture.close();
  });

  it('agent ID follows the join token form', async () => {
    const token = await fixture.createJoinToken();

    const started = await startAgent({ joinToken: token });

    expect(started.spiffeId).toBe(`spiffe://${TRUST_DOMAIN}/spire/agent/join_token/${token}`);
  });

  it('insecure bootstrap attests without a bundle', async () => {
    const started = await startAgent({ trustBundle: undefined, insecureBootstrap: true });
    await createOwnEntry(started.spiffeId, '/workload');
    await started.syncNow();

    const update = await fetchX509Svid(started.socketPath);

    expect(update.svids[0]!.bundle).toEqual(fixture.trustBundle());
  });

  it('restart with disk key manager reuses the SVID', async () => {
    const token = await fixture.createJoinToken();
    const first = await startAgent({ joinToken: token, keyManager: 'disk' });
    const firstId = first.spiffeId;
    await first.close();
    agent = undefined;

    // The join token is spent, so only the stored SVID lets the agent start again.
    const second = await startAgent({ joinToken: token, keyManager: 'disk' });

    expect(second.spiffeId).toBe(firstId);
    expect(logLines.some((line) => line.includes('msg="Reusing the agent SVID stored in the data directory"'))).toBe(true);
  });

  it('workload fetches and validates both SVIDs', async () => {
    // Given an agent and an entry for this process's uid
    const started = await startAgent();
    await createOwnEntry(started.spiffeId, '/workload');
    await started.syncNow();

    // When the process fetches an X509-SVID and a JWT-SVID over the socket
    const update = await fetchX509Svid(started.socketPath);
    const [jwtSvid] = await fetchJwtSvid(started.socketPath, { audience: ['billing'] });
    const jwtBundles = await fetchJwtBundles(started.socketPath);

    // Then the X509-SVID chains to the fetched bundle
    const svid = update.svids[0]!;
    const leaf = new X509Certificate(svid.certificates[0]!);
    expect(svid.spiffeId).toBe(`spiffe://${TRUST_DOMAIN}/workload`);
    expect(leaf.subjectAltName).toBe(`URI:spiffe://${TRUST_DOMAIN}/workload`);
    expect(leaf.verify(new X509Certificate(svid.bundle[0]!).publicKey)).toBe(true);

    // And the JWT-SVID verifies against the fetched JWT bundle, locally and through the agent
    const jwks = jwtBundles.get(`spiffe://${TRUST_DOMAIN}`) as { keys: [] };
    const { payload } = await jwtVerify(jwtSvid!.token, createLocalJWKSet(jwks), { audience: 'billing' });
    expect(payload.sub).toBe(`spiffe://${TRUST_DOMAIN}/workload`);
    const validated = await validateJwtSvid(started.socketPath, { audience: 'billing', token: jwtSvid!.token });
    expect(validated.spiffeId).toBe(`spiffe://${TRUST_DOMAIN}/workload`);
  });

  it('entry under the token node ID reaches the agent', async () => {
    // Given a token whose node ID entry the server parents to the agent
    const token = await fixture.createJoinToken(`spiffe://${TRUST_DOMAIN}/node/a`);
    const started = await startAgent({ joinToken: token });
    await fixture.createEntry({
      spiffeId: { trust_domain: TRUST_DOMAIN, path: '/via-node' },
      parentId: { trust_domain: TRUST_DOMAIN, path: '/node/a' },
      selectors: [{ type: 'unix', value: `uid:${UID}` }],
    });
    await started.syncNow();

    const update = await fetchX509Svid(started.socketPath);

    expect(update.svids.map((svid) => svid.spiffeId)).toEqual([`spiffe://${TRUST_DOMAIN}/via-node`]);
  });

  it('deleted entry stops issuance within a sync', async () => {
    const started = await startAgent();
    const entryId = await createOwnEntry(started.spiffeId, '/workload');
    await started.syncNow();
    await fetchX509Svid(started.socketPath);

    // The scheduled sync, not syncNow, must pick up the deletion.
    await fixture.deleteEntry(entryId);
    await waitFor(() => started.cache.entries.every((entry) => entry.id !== entryId));
    const failure = await fetchX509Svid(started.socketPath).catch((error: unknown) => error);

    expect((failure as WorkloadApiError).message).toBe('rpc error: code = PermissionDenied desc = no identity issued');
    expect(logLines.some((line) => /level=error msg="No identity issued" method=FetchX509SVID pid=\d+ registered=false/.test(line))).toBe(true);
  });

  it('short TTL rotation reaches an open stream', async () => {
    const started = await startAgent();
    await createOwnEntry(started.spiffeId, '/short-lived', 2);
    await started.syncNow();

    const updates: X509SvidUpdate[] = [];
    await new Promise<void>((resolve, reject) => {
      const watch = watchX509Svid(started.socketPath, {
        onUpdate: (update) => {
          updates.push(update);
          if (updates.length < 2) return;
          watch.close();
          resolve();
        },
        onError: reject,
      });
    });

    expect(updates[1]!.svids[0]!.spiffeId).toBe(`spiffe://${TRUST_DOMAIN}/short-lived`);
    expect(updates[1]!.svids[0]!.certificates[0]).not.toEqual(updates[0]!.svids[0]!.certificates[0]);
  });

  it('agent renews its SVID past half-life', async () => {
    // Given a server that issues agent SVIDs whose half-life has passed on arrival
    await fixture.close();
    fixture = await startServerFixture(TRUST_DOMAIN, { agentTtlSeconds: 2 });
    const started = await startAgent();
    await createOwnEntry(started.spiffeId, '/after-renewal');

    // When two more sync rounds run, each renewing the agent SVID first
    await started.syncNow();
    await started.syncNow();

    // Then the server still accepts the renewed agent and serves its entries
    expect(logLines.filter((line) => line.includes('msg="Renewed agent SVID"')).length).toBeGreaterThanOrEqual(2);
    expect((await fetchX509Svid(started.socketPath)).svids[0]?.spiffeId).toBe(`spiffe://${TRUST_DOMAIN}/after-renewal`);
  });

  it('stopped server makes sync fail and retry', async () => {
    const started = await startAgent();

    await fixture.stopServer();
    await waitFor(() => logLines.some((line) => line.includes('level=error msg="Synchronize failed"')));

    const logged = logLines.find((line) => line.includes('msg="Synchronize failed"'));
    expect(logged).toMatch(/ retry_in_ms=400\n$/);
    expect(started.cache.bundle).toBeDefined();
  });

  it.each([
    {
      name: 'evicted',
      act: (id: string) => fixture.evictAgent(id),
      message: /^the server no longer accepts agent "spiffe:\/\/example\.org\/spire\/agent\/join_token\/[^"]+" \(AGENT_NOT_ATTESTED\) and a join token cannot be used again$/,
      log: 'msg="Agent failed re-attestation; removing SVID and shutting down"',
    },
    {
      name: 'banned',
      act: (id: string) => fixture.banAgent(id),
      message: /^the server has banned agent "spiffe:\/\/example\.org\/spire\/agent\/join_token\/[^"]+"$/,
      log: 'msg="Agent is banned: removing SVID and shutting down"',
    },
  ])('agent shuts down when $name', async ({ act, message, log }) => {
    const started = await startAgent();

    await act(started.spiffeId);
    const reason = await started.terminated;

    expect(reason.message).toMatch(message);
    expect(logLines.some((line) => line.includes(log))).toBe(true);
    const failure = await fetchX509Svid(started.socketPath, { timeoutMs: 1000 }).catch((error: unknown) => error);
    expect((failure as WorkloadApiError).code).toBe(grpc.status.UNAVAILABLE);
  });

  it.each([
    { name: 'used join token', setUp: 'reuse', message: /^failed to receive attestation response: rpc error: code = InvalidArgument desc = .*join token does not exist or has already been used$/ },
    { name: 'unknown join token', setUp: 'unknown', message: /^failed to receive attestation response: rpc error: code = InvalidArgument desc = .*join token does not exist or has already been used$/ },
    { name: 'dead server', setUp: 'dead', message: /^could not connect to the SPIRE server at 127\.0\.0\.1:(\d+): connect ECONNREFUSED 127\.0\.0\.1:\1$/ },
    { name: 'wrong trust bundle', setUp: 'wrong-bundle', message: /^could not verify the SPIRE server at 127\.0\.0\.1:\d+: self[- ]signed certificate in certificate chain$/ },
  ])('agent start fails clearly: $name', async ({ setUp, message }) => {
    let overrides: Partial<EmbeddedAgentConfig> = { joinToken: 'c8f3a6b2-0000-4000-8000-000000000000' };
    if (setUp === 'reuse') {
      const token = await fixture.createJoinToken();
      const first = await startAgent({ joinToken: token });
      await first.close();
      agent = undefined;
      overrides = { joinToken: token, socketPath: join(fixture.directory, 'second.sock') };
    }
    if (setUp === 'dead') overrides = { ...overrides, serverPort: await closedPort() };
    if (setUp === 'wrong-bundle') overrides = { ...overrides, trustBundle: createTestCa(TRUST_DOMAIN).bundle.x509Authorities };

    const failure = await startEmbeddedAgent(agentConfig(overrides), { logger: createLogrusLogger({ write: () => {} }) }).catch((error: unknown) => error);

    expect(isAgentError(failure)).toBe(true);
    expect((failure as Error).message).toMatch(message);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Returns a loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
