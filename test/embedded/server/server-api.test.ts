import { createPublicKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { callUnary, createAdminClients, isRpcError, type AdminClients } from '../../../src/embedded/server/cli/admin-client.js';
import { startEmbeddedServer, type EmbeddedServerHandle } from '../../../src/embedded/server/server.js';
import { isUserError } from '../../../src/errors.js';
import { findX509SvidViolations } from './svid-conformance.js';
import { attestWithJoinToken, makeAgentClients, makeCsr, makeP256Key, makeServerConfig, makeTempDir } from './helpers.js';

const id = (path: string) => ({ trust_domain: 'example.org', path });

function entryMessage(overrides: Record<string, unknown> = {}) {
  return {
    spiffe_id: id('/workload'),
    parent_id: id('/spire/agent/join_token/abc'),
    selectors: [{ type: 'unix', value: 'uid:1000' }],
    ...overrides,
  };
}

interface CreateResult {
  results: { status: { code: number; message: string }; entry: { id: string; revision_number: string } | null }[];
}

describe('embedded server admin API', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let server: EmbeddedServerHandle | undefined;
  let admin: AdminClients | undefined;

  beforeEach(async () => {
    temp = makeTempDir();
    server = await startEmbeddedServer(makeServerConfig(temp.path));
    admin = createAdminClients(server.socketPath);
  });

  afterEach(async () => {
    admin?.close();
    await server?.stop();
    temp.remove();
  });

  it.each([
    { name: 'reserved path', entry: entryMessage({ spiffe_id: id('/spire/x') }), code: 3, message: 'failed to convert entry: invalid spiffe ID: "spiffe://example.org/spire/x" is not a workload in trust domain "example.org"; path is in the reserved namespace' },
    { name: 'foreign parent', entry: entryMessage({ parent_id: { trust_domain: 'other.org', path: '/a' } }), code: 3, message: 'failed to convert entry: invalid parent ID: "spiffe://other.org/a" is not a member of trust domain "example.org"' },
    { name: 'bad path', entry: entryMessage({ spiffe_id: id('/a//b') }), code: 3, message: 'failed to convert entry: invalid spiffe ID: path cannot contain empty segments' },
    { name: 'no selectors', entry: entryMessage({ selectors: [] }), code: 3, message: 'failed to convert entry: selector list is empty' },
    { name: 'selector type colon', entry: entryMessage({ selectors: [{ type: 'a:b', value: 'c' }] }), code: 3, message: "failed to convert entry: selector type contains ':'" },
    { name: 'bad DNS name', entry: entryMessage({ dns_names: ['a.*.b'] }), code: 3, message: 'failed to convert entry: invalid DNS name: wildcard must be first label' },
    { name: 'long hint', entry: entryMessage({ hint: 'h'.repeat(1025) }), code: 3, message: 'failed to convert entry: hint is too long, max length is 1024 characters' },
    { name: 'negative TTL', entry: entryMessage({ x509_svid_ttl: -1 }), code: 3, message: 'failed to create entry: datastore-validation: invalid registration entry: X509SvidTtl is not set' },
    { name: 'unknown federated bundle', entry: entryMessage({ federates_with: ['other.org'] }), code: 13, message: 'failed to create entry: unable to find federated bundle "spiffe://other.org"' },
  ])('rejects entry with $name', async ({ entry, code, message }) => {
    const response = await callUnary<CreateResult>(admin!.entry, 'BatchCreateEntry', { entries: [entry] });

    expect(response.results[0]!.status).toEqual({ code, message });
    expect(await callUnary<{ count: number }>(admin!.entry, 'CountEntries', {})).toEqual({ count: 0 });
  });

  it('rejects duplicate entry with existing one', async () => {
    const first = await callUnary<CreateResult>(admin!.entry, 'BatchCreateEntry', { entries: [entryMessage()] });
    const second = await callUnary<CreateResult>(admin!.entry, 'BatchCreateEntry', { entries: [entryMessage()] });

    expect(second.results[0]!.status).toEqual({ code: 6, message: 'similar entry already exists' });
    expect(second.results[0]!.entry!.id).toBe(first.results[0]!.entry!.id);
  });

  it('updates, filters and deletes entries', async () => {
    const created = await callUnary<CreateResult>(admin!.entry, 'BatchCreateEntry', {
      entries: [entryMessage(), entryMessage({ spiffe_id: id('/db'), selectors: [{ type: 'unix', value: 'uid:2000' }] })],
    });
    const entryId = created.results[0]!.entry!.id;

    const updated = await callUnary<CreateResult>(admin!.entry, 'BatchUpdateEntry', {
      entries: [{ id: entryId, hint: 'api' }],
      input_mask: { hint: true },
    });
    expect(updated.results[0]!.status.code).toBe(0);
    expect(updated.results[0]!.entry!.revision_number).toBe('1');

    const bySelector = await callUnary<{ entries: { id: string }[] }>(admin!.entry, 'ListEntries', {
      filter: { by_selectors: { selectors: [{ type: 'unix', value: 'uid:2000' }], match: 'MATCH_EXACT' } },
    });
    expect(bySelector.entries.map((entry) => entry.id)).toEqual([created.results[1]!.entry!.id]);

    const deleted = await callUnary<{ results: { status: { code: number } }[] }>(admin!.entry, 'BatchDeleteEntry', { ids: [entryId, 'missing'] });
    expect(deleted.results.map((result) => result.status.code)).toEqual([0, 5]);
    await expect(callUnary(admin!.entry, 'GetEntry', { id: entryId })).rejects.toThrow('rpc error: code = NotFound desc = entry not found');
  });

  it('reports healthy once bundle exists', async () => {
    expect(await callUnary(admin!.health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
    const bundle = await callUnary<{ trust_domain: string; x509_authorities: unknown[]; jwt_authorities: unknown[] }>(admin!.bundle, 'GetBundle', {});
    expect(bundle.trust_domain).toBe('example.org');
    expect(bundle.x509_authorities).toHaveLength(1);
    expect(bundle.jwt_authorities).toHaveLength(1);
  });

  it('attests a join-token agent and issues SVIDs', async () => {
    const token = await callUnary<{ value: string }>(admin!.agent, 'CreateJoinToken', { ttl: 600 });
    const agentId = `/spire/agent/join_token/${token.value}`;
    await callUnary(admin!.entry, 'BatchCreateEntry', { entries: [entryMessage({ parent_id: id(agentId), dns_names: ['api.example.org'] })] });
    const roots = server!.bundle().x509_authorities.map((authority) => authority.asn1);

    const agentKey = makeP256Key();
    const anonymous = makeAgentClients(server!.address.port, roots);
    const attested = await attestWithJoinToken(anonymous.agent, token.value, makeCsr(agentKey));
    anonymous.close();
    expect(attested.result.svid.id.path).toBe(agentId);
    expect(findX509SvidViolations(attested.result.svid.cert_chain, roots)).toEqual([]);

    const agent = makeAgentClients(server!.address.port, roots, { chain: attested.result.svid.cert_chain, privateKey: agentKey.privateKey });
    try {
      const authorized = await callUnary<{ entries: { id: string; spiffe_id: { path: string } }[] }>(agent.entry, 'GetAuthorizedEntries', {});
      expect(authorized.entries.map((entry) => entry.spiffe_id.path)).toEqual(['/workload']);

      const workloadKey = makeP256Key();
      const issued = await callUnary<{ results: { status: { code: number }; svid: { cert_chain: Buffer[] } }[] }>(agent.svid, 'BatchNewX509SVID', {
        params: [{ entry_id: authorized.entries[0]!.id, csr: makeCsr(workloadKey) }, { entry_id: 'unknown', csr: makeCsr(workloadKey) }],
      });
      expect(issued.results.map((result) => result.status.code)).toEqual([0, 5]);
      const chain = issued.results[0]!.svid.cert_chain;
      expect(findX509SvidViolations(chain, roots)).toEqual([]);
      expect(new X509Certificate(chain[0]!).subjectAltName).toBe('URI:spiffe://example.org/workload, DNS:api.example.org');

      const jwt = await callUnary<{ svid: { token: string } }>(agent.svid, 'NewJWTSVID', { entry_id: authorized.entries[0]!.id, audience: ['db'] });
      const jwks = createLocalJWKSet({
        keys: server!.bundle().jwt_authorities.map((authority) => ({
          ...createPublicKey({ key: authority.public_key, format: 'der', type: 'spki' }).export({ format: 'jwk' }),
          kid: authority.key_id,
        })),
      });
      const verified = await jwtVerify(jwt.svid.token, jwks, { audience: 'db' });
      expect(verified.payload.sub).toBe('spiffe://example.org/workload');
      await expect(jwtVerify(jwt.svid.token, jwks, { audience: 'other' })).rejects.toThrow(/aud/);
      await expect(callUnary(agent.svid, 'NewJWTSVID', { entry_id: authorized.entries[0]!.id, audience: [] })).rejects.toThrow('at least one audience is required');
    } finally {
      agent.close();
    }

    await expect(attestWithJoinToken(makeAgentClients(server!.address.port, roots).agent, token.value, makeCsr(agentKey))).rejects.toThrow(
      'join token does not exist or has already been used',
    );
  });

  it('denies agent calls after ban', async () => {
    const token = await callUnary<{ value: string }>(admin!.agent, 'CreateJoinToken', { ttl: 600 });
    const roots = server!.bundle().x509_authorities.map((authority) => authority.asn1);
    const agentKey = makeP256Key();
    const anonymous = makeAgentClients(server!.address.port, roots);
    const attested = await attestWithJoinToken(anonymous.agent, token.value, makeCsr(agentKey));
    anonymous.close();

    await callUnary(admin!.agent, 'BanAgent', { id: id(`/spire/agent/join_token/${token.value}`) });
    const agent = makeAgentClients(server!.address.port, roots, { chain: attested.result.svid.cert_chain, privateKey: agentKey.privateKey });
    try {
      const error = await callUnary(agent.entry, 'GetAuthorizedEntries', {}).catch((caught: unknown) => caught);
      expect(isRpcError(error)).toBe(true);
      expect((error as { code: number }).code).toBe(7);
      expect(String(error)).toContain('authorization denied for method /spire.api.server.entry.v1.Entry/GetAuthorizedEntries');
    } finally {
      agent.close();
    }
    const listed = await callUnary<{ agents: { banned: boolean }[] }>(admin!.agent, 'ListAgents', {});
    expect(listed.agents.map((item) => item.banned)).toEqual([true]);
  });

  it('promotes renewed SVID on first use', async () => {
    const token = await callUnary<{ value: string }>(admin!.agent, 'CreateJoinToken', { ttl: 600 });
    const roots = server!.bundle().x509_authorities.map((authority) => authority.asn1);
    const firstKey = makeP256Key();
    const anonymous = makeAgentClients(server!.address.port, roots);
    const attested = await attestWithJoinToken(anonymous.agent, token.value, makeCsr(firstKey));
    anonymous.close();

    const oldAgent = makeAgentClients(server!.address.port, roots, { chain: attested.result.svid.cert_chain, privateKey: firstKey.privateKey });
    const secondKey = makeP256Key();
    const renewed = await callUnary<{ svid: { cert_chain: Buffer[] } }>(oldAgent.agent, 'RenewAgent', { params: { csr: makeCsr(secondKey) } });
    expect(findX509SvidViolations(renewed.svid.cert_chain, roots)).toEqual([]);
    expect(await callUnary(oldAgent.entry, 'GetAuthorizedEntries', {})).toEqual({ entries: [] });
    oldAgent.close();

    const newAgent = makeAgentClients(server!.address.port, roots, { chain: renewed.svid.cert_chain, privateKey: secondKey.privateKey });
    expect(await callUnary(newAgent.entry, 'GetAuthorizedEntries', {})).toEqual({ entries: [] });
    newAgent.close();

    const staleAgent = makeAgentClients(server!.address.port, roots, { chain: attested.result.svid.cert_chain, privateKey: firstKey.privateKey });
    try {
      await expect(callUnary(staleAgent.entry, 'GetAuthorizedEntries', {})).rejects.toThrow('code = PermissionDenied');
    } finally {
      staleAgent.close();
    }
    const agent = await callUnary<{ x509svid_serial_number: string }>(admin!.agent, 'GetAgent', { id: id(`/spire/agent/join_token/${token.value}`) });
    expect(agent.x509svid_serial_number).toBe(BigInt(`0x${new X509Certificate(renewed.svid.cert_chain[0]!).serialNumber}`).toString(10));
  });

  it('prunes expired entries only on request', async () => {
    const past = String(Math.floor(Date.now() / 1000) - 60);
    await callUnary(admin!.entry, 'BatchCreateEntry', { entries: [entryMessage({ expires_at: past }), entryMessage({ spiffe_id: id('/kept') })] });

    expect(await callUnary(admin!.entry, 'CountEntries', {})).toEqual({ count: 2 });
    expect(server!.pruneExpiredEntries()).toBe(1);
    const listed = await callUnary<{ entries: { spiffe_id: { path: string } }[] }>(admin!.entry, 'ListEntries', {});
    expect(listed.entries.map((entry) => entry.spiffe_id.path)).toEqual(['/kept']);
  });

  it('reports debug info with server SVID', async () => {
    const info = await callUnary<{ svid_chain: { id: { path: string } }[]; entries_count: number; agents_count: number }>(admin!.debug, 'GetInfo', {});

    expect(info.svid_chain.map((cert) => cert.id.path)).toEqual(['/spire/server', '']);
    expect(info.entries_count).toBe(0);
    expect(info.agents_count).toBe(0);
  });

  it('rejects admin calls over TLS without identity', async () => {
    const roots = server!.bundle().x509_authorities.map((authority) => authority.asn1);
    const anonymous = makeAgentClients(server!.address.port, roots);
    try {
      await expect(callUnary(anonymous.entry, 'ListEntries', {})).rejects.toThrow('code = PermissionDenied');
      expect(await callUnary<{ trust_domain: string }>(anonymous.bundle, 'GetBundle', {})).toMatchObject({ trust_domain: 'example.org' });
    } finally {
      anonymous.close();
    }
  });
});

describe('embedded server lifecycle', () => {
  it('keeps entries and CA across restart', async () => {
    const temp = makeTempDir();
    try {
      const config = makeServerConfig(temp.path);
      let server = await startEmbeddedServer(config);
      let admin = createAdminClients(server.socketPath);
      await callUnary(admin.entry, 'BatchCreateEntry', { entries: [entryMessage()] });
      const rootBefore = server.bundle().x509_authorities[0]!.asn1;
      admin.close();
      await server.stop();

      expect(statSync(join(temp.path, 'data', 'keys.json')).mode & 0o777).toBe(0o600);
      server = await startEmbeddedServer(config);
      admin = createAdminClients(server.socketPath);
      expect(await callUnary(admin.entry, 'CountEntries', {})).toEqual({ count: 1 });
      expect(server.bundle().x509_authorities[0]!.asn1.equals(rootBefore)).toBe(true);
      admin.close();
      await server.stop();
    } finally {
      temp.remove();
    }
  });

  it('rotates CA with overlap in bundle', async () => {
    const temp = makeTempDir();
    let now = new Date();
    const start = now.getTime();
    const server = await startEmbeddedServer(makeServerConfig(temp.path), { now: () => now });
    const admin = createAdminClients(server.socketPath);
    try {
      const firstRoot = server.bundle().x509_authorities[0]!.asn1;
      now = new Date(start + 12 * 3600_000 + 1000);
      expect(server.checkRotation()).toBe('prepared');
      expect(server.bundle().x509_authorities).toHaveLength(2);
      expect(server.bundle().jwt_authorities).toHaveLength(2);

      now = new Date(start + 20 * 3600_000 + 1000);
      expect(server.checkRotation()).toBe('activated');
      const roots = server.bundle().x509_authorities.map((authority) => authority.asn1);
      expect(roots).toHaveLength(2);
      const minted = await callUnary<{ svid: { cert_chain: Buffer[] } }>(admin.svid, 'MintX509SVID', { csr: makeCsr(makeP256Key(), { uris: ['spiffe://example.org/w'] }) });
      expect(findX509SvidViolations(minted.svid.cert_chain, roots, now)).toEqual([]);
      expect(findX509SvidViolations(minted.svid.cert_chain, [firstRoot], now)).toContain('chain does not verify to any bundle root');

      // At 25 h the first root has expired, and the second (created at 12 h) has reached half-life, so a third is prepared.
      now = new Date(start + 25 * 3600_000);
      expect(server.checkRotation()).toBe('prepared');
      const remaining = server.bundle().x509_authorities.map((authority) => authority.asn1);
      expect(remaining.some((root) => root.equals(firstRoot))).toBe(false);
      expect(remaining.some((root) => root.equals(roots[1]!))).toBe(true);
      expect(remaining).toHaveLength(2);
    } finally {
      admin.close();
      await server.stop();
      temp.remove();
    }
  });

  it('rejects second server on same socket', async () => {
    const temp = makeTempDir();
    const server = await startEmbeddedServer(makeServerConfig(temp.path));
    try {
      const error = await startEmbeddedServer(makeServerConfig(temp.path, { dataDir: join(temp.path, 'other') })).catch((caught: unknown) => caught);
      expect(isUserError(error)).toBe(true);
      expect(String((error as Error).message)).toBe(`another server is already listening on socket ${server.socketPath}`);
    } finally {
      await server.stop();
      temp.remove();
    }
  });

  it.each([
    { name: 'read-only directory', setUp: (dir: string) => chmodSync(dir, 0o500), path: (dir: string) => dir, rootIgnores: true },
    { name: 'directory under a file', setUp: (dir: string) => writeFileSync(join(dir, 'file'), ''), path: (dir: string) => join(dir, 'file', 'data'), rootIgnores: false },
  ])('rejects data directory: $name', async ({ setUp, path, rootIgnores }) => {
    const temp = makeTempDir();
    const parent = join(temp.path, 'parent');
    mkdirSync(parent);
    setUp(parent);
    const dataDir = path(parent);
    try {
      const result = await startEmbeddedServer(makeServerConfig(temp.path, { dataDir, databasePath: join(dataDir, 'db.sqlite3') })).catch((caught: unknown) => caught);
      // Root ignores directory permissions, so the read-only case only applies to other users.
      if (rootIgnores && process.getuid?.() === 0) {
        expect(isUserError(result)).toBe(false);
        await (result as EmbeddedServerHandle).stop();
        return;
      }
      expect(isUserError(result)).toBe(true);
      expect((result as Error).message).toContain(`data directory ${dataDir} is not writable`);
      expect(existsSync(join(temp.path, 'api.sock'))).toBe(false);
    } finally {
      chmodSync(parent, 0o700);
      temp.remove();
    }
  });
});
