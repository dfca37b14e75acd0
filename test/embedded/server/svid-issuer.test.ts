import { X509Certificate, generateKeyPairSync } from 'node:crypto';

import { createLocalJWKSet, exportJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';

import { TrustDomainCa, type CaJournal } from '../../../src/embedded/server/ca.js';
import { createMemoryKeyManager, type KeyType } from '../../../src/embedded/server/key-manager.js';
import { issueJwtSvid, issueX509Svid } from '../../../src/embedded/server/svid-issuer.js';
import { findX509SvidViolations } from './svid-conformance.js';

function openCa(keyType: KeyType, now?: () => Date) {
  let journal: CaJournal | undefined;
  return TrustDomainCa.open({
    trustDomain: 'example.org',
    keyType,
    caTtlSeconds: 24 * 3600,
    keyManager: createMemoryKeyManager(),
    journalStore: { readCaJournal: () => journal, writeCaJournal: (value) => (journal = value) },
    now,
  });
}

function workloadKey(type: 'ec' | 'rsa' = 'ec') {
  const pair = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return pair.publicKey.export({ format: 'der', type: 'spki' });
}

describe('issueX509Svid', () => {
  it.each([
    { name: 'P-256 CA, EC workload', caKey: 'ec-p256', workload: 'ec', dnsNames: [] },
    { name: 'P-384 CA, EC workload', caKey: 'ec-p384', workload: 'ec', dnsNames: ['api.example.org'] },
    { name: 'RSA-2048 CA, RSA workload', caKey: 'rsa-2048', workload: 'rsa', dnsNames: ['a.example.org', '*.b.example.org'] },
  ] as const)('conforms to the spec with $name', ({ caKey, workload, dnsNames }) => {
    const ca = openCa(caKey);
    const svid = issueX509Svid(ca.current, {
      spiffeId: 'spiffe://example.org/ns/default/sa/api',
      subjectPublicKeyInfo: workloadKey(workload),
      ttlSeconds: 3600,
      dnsNames,
    });

    expect(findX509SvidViolations(svid.certChain, ca.x509Authorities())).toEqual([]);
    const leaf = new X509Certificate(svid.certChain[0]!);
    expect(leaf.subjectAltName).toContain('URI:spiffe://example.org/ns/default/sa/api');
    expect(leaf.ca).toBe(false);
    expect(leaf.subject).toContain('O=SPIRE');
    for (const name of dnsNames) expect(leaf.subjectAltName).toContain(`DNS:${name}`);
    if (dnsNames[0] !== undefined) expect(leaf.subject).toContain(`CN=${dnsNames[0]}`);
  });

  it('caps expiry at the CA expiry', () => {
    const ca = openCa('ec-p256');
    const svid = issueX509Svid(ca.current, {
      spiffeId: 'spiffe://example.org/long',
      subjectPublicKeyInfo: workloadKey(),
      ttlSeconds: 10 * 24 * 3600,
    });

    expect(svid.expiresAt).toBe(Math.floor(new Date(ca.current.certificate.validTo).getTime() / 1000));
  });
});

describe('TrustDomainCa rotation', () => {
  it('keeps both roots in the bundle during overlap', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const ca = openCa('ec-p256', () => now);
    const firstRoot = ca.current.certificateDer;

    now = new Date('2026-01-01T11:00:00Z');
    expect(ca.rotateIfDue()).toBe('none');
    now = new Date('2026-01-01T12:00:01Z');
    expect(ca.rotateIfDue()).toBe('prepared');
    expect(ca.x509Authorities()).toHaveLength(2);
    expect(ca.current.certificateDer.equals(firstRoot)).toBe(true);

    now = new Date('2026-01-01T20:00:01Z');
    expect(ca.rotateIfDue()).toBe('activated');
    expect(ca.current.certificateDer.equals(firstRoot)).toBe(false);
    const svid = issueX509Svid(ca.current, { spiffeId: 'spiffe://example.org/w', subjectPublicKeyInfo: workloadKey(), ttlSeconds: 60, now });
    expect(findX509SvidViolations(svid.certChain, [firstRoot, ca.current.certificateDer], now)).toEqual([]);
    expect(findX509SvidViolations(svid.certChain, [firstRoot], now)).toContain('chain does not verify to any bundle root');
  });
});

describe('issueJwtSvid', () => {
  // The bundle marks JWT keys `use: "jwt-svid"`, but jose only selects keys whose
  // `use` is absent or "sig", so the JWKS handed to jose omits it.
  async function bundleJwks(ca: TrustDomainCa) {
    const keys = await Promise.all(
      ca.jwtAuthorities().map(async (authority) => ({ ...(await exportJWK(authority.publicKey)), kid: authority.keyId })),
    );
    return createLocalJWKSet({ keys });
  }

  it.each([
    { name: 'P-256 key', caKey: 'ec-p256', alg: 'ES256' },
    { name: 'P-384 key', caKey: 'ec-p384', alg: 'ES384' },
    { name: 'RSA key', caKey: 'rsa-2048', alg: 'RS256' },
  ] as const)('verifies against the JWKS with $name', async ({ caKey, alg }) => {
    const ca = openCa(caKey);
    const svid = await issueJwtSvid(ca.current, { spiffeId: 'spiffe://example.org/w', audience: ['db', ''], ttlSeconds: 300 });

    const { payload, protectedHeader } = await jwtVerify(svid.token, await bundleJwks(ca), {
      audience: 'db',
      algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'],
    });
    expect(protectedHeader.alg).toBe(alg);
    expect(protectedHeader.kid).toMatch(/^[a-zA-Z0-9]{32}$/);
    expect(payload.sub).toBe('spiffe://example.org/w');
    expect(payload.aud).toEqual(['db']);
    expect(payload.exp).toBe(svid.expiresAt);
    expect(svid.expiresAt - svid.issuedAt).toBe(300);
    expect(payload.jti).toBeUndefined();
  });

  it('rejects a wrong audience', async () => {
    const ca = openCa('ec-p256');
    const svid = await issueJwtSvid(ca.current, { spiffeId: 'spiffe://example.org/w', audience: ['db'], ttlSeconds: 300 });

    await expect(jwtVerify(svid.token, await bundleJwks(ca), { audience: 'other' })).rejects.toThrow(/aud/);
  });

  it('rejects alg none', async () => {
    const ca = openCa('ec-p256');
    const svid = await issueJwtSvid(ca.current, { spiffeId: 'spiffe://example.org/w', audience: ['db'], ttlSeconds: 300 });
    const [, payload] = svid.token.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: ca.current.jwt.keyId })).toString('base64url')}.${payload}.`;

    await expect(jwtVerify(unsigned, await bundleJwks(ca), { audience: 'db' })).rejects.toThrow();
  });

  it('adds a 22-character jti on request', async () => {
    const ca = openCa('ec-p256');
    const svid = await issueJwtSvid(ca.current, { spiffeId: 'spiffe://example.org/w', audience: ['db'], ttlSeconds: 300, includeJti: true });

    const { payload } = await jwtVerify(svid.token, await bundleJwks(ca), { audience: 'db' });
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
