import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeKeyUsage, readCertificateExtensions, readDerElements } from '../../src/spiffe/der.js';
import { parsePemCertificates, readCertificateFacts, validateX509SvidLeaf, verifyX509Svid } from '../../src/spiffe/x509-svid.js';
import { createIntermediateCa, createRootCa, issueLeaf, x509, type TestAuthority } from './test-certificates.js';

let root: TestAuthority;
let otherRoot: TestAuthority;
let intermediate: TestAuthority;

beforeAll(async () => {
  root = await createRootCa('example.org');
  otherRoot = await createRootCa('example.org', 'CN=other');
  intermediate = await createIntermediateCa(root, 'example.org');
});

describe('readCertificateFacts', () => {
  it('reads a leaf', async () => {
    const leaf = await issueLeaf(root, { uris: ['spiffe://example.org/api'] });

    const facts = readCertificateFacts(leaf);

    expect(facts.uris).toEqual(['spiffe://example.org/api']);
    expect(facts.isCa).toBe(false);
    expect(facts.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(facts.keyUsageCritical).toBe(true);
  });

  it('reads a CA', () => {
    const facts = readCertificateFacts(root.certificate);

    expect(facts.isCa).toBe(true);
    expect(facts.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
    expect(facts.uris).toEqual(['spiffe://example.org']);
  });
});

describe('validateX509SvidLeaf', () => {
  it.each([
    { name: 'valid leaf', options: {}, codes: [] },
    { name: 'no URI SAN', options: { uris: [] }, codes: ['no-uri-san'] },
    { name: 'two URI SANs', options: { uris: ['spiffe://example.org/a', 'spiffe://example.org/b'] }, codes: ['several-uri-sans'] },
    { name: 'invalid ID', options: { uris: ['spiffe://Example.org/a'] }, codes: ['invalid-spiffe-id'] },
    { name: 'trust domain ID', options: { uris: ['spiffe://example.org'] }, codes: ['leaf-id-without-path'] },
    { name: 'CA flag', options: { isCa: true }, codes: ['leaf-is-ca'] },
    { name: 'no key usage', options: { keyUsage: null }, codes: ['key-usage-missing'] },
    { name: 'non-critical key usage', options: { keyUsageCritical: false }, codes: ['key-usage-not-critical'] },
    { name: 'no digitalSignature', options: { keyUsage: x509.KeyUsageFlags.keyEncipherment }, codes: ['digital-signature-missing'] },
    {
      name: 'signing key usages',
      options: { keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign },
      codes: ['leaf-can-sign-certificates', 'leaf-can-sign-crls'],
    },
  ])('reports $name', async ({ options, codes }) => {
    const leaf = await issueLeaf(root, options);

    expect(validateX509SvidLeaf(leaf).problems.map((problem) => problem.code)).toEqual(codes);
  });

  it('names the invalid ID rule', async () => {
    const leaf = await issueLeaf(root, { uris: ['spiffe://example.org/a//b'] });

    expect(validateX509SvidLeaf(leaf).problems[0]?.message).toBe(
      'the leaf\'s URI SAN "spiffe://example.org/a//b" is not a valid SPIFFE ID: path cannot contain empty segments',
    );
  });
});

describe('verifyX509Svid', () => {
  it('accepts a leaf signed by the root', async () => {
    const leaf = await issueLeaf(root);

    expect(verifyX509Svid([leaf], [root.certificate])).toEqual({ spiffeId: 'spiffe://example.org/api', problems: [] });
  });

  it('accepts a chain through an intermediate', async () => {
    const leaf = await issueLeaf(intermediate);

    expect(verifyX509Svid([leaf, intermediate.certificate], [root.certificate]).problems).toEqual([]);
  });

  it('rejects a leaf from another root', async () => {
    const leaf = await issueLeaf(otherRoot);

    expect(verifyX509Svid([leaf], [root.certificate]).problems.map((problem) => problem.code)).toEqual(['no-trusted-root']);
  });

  it('rejects a chain missing its intermediate', async () => {
    const leaf = await issueLeaf(intermediate);

    expect(verifyX509Svid([leaf], [root.certificate]).problems.map((problem) => problem.code)).toEqual(['no-trusted-root']);
  });

  it.each([
    { name: 'expired', notBefore: new Date(Date.now() - 7200_000), notAfter: new Date(Date.now() - 3600_000), code: 'expired' },
    { name: 'not yet valid', notBefore: new Date(Date.now() + 3600_000), notAfter: new Date(Date.now() + 7200_000), code: 'not-yet-valid' },
  ])('reports a leaf that is $name', async ({ notBefore, notAfter, code }) => {
    const leaf = await issueLeaf(root, { notBefore, notAfter });

    expect(verifyX509Svid([leaf], [root.certificate]).problems.map((problem) => problem.code)).toEqual([code]);
  });

  it('judges validity at the given time', async () => {
    const leaf = await issueLeaf(root);

    const problems = verifyX509Svid([leaf], [root.certificate], { now: new Date(Date.now() + 48 * 3600_000) }).problems;

    expect(problems.map((problem) => problem.code)).toEqual(['expired']);
  });

  it('reports an empty chain', () => {
    expect(verifyX509Svid([], [root.certificate]).problems.map((problem) => problem.code)).toEqual(['empty-chain']);
  });
});

describe('PEM and DER reading', () => {
  it('reads every PEM block', async () => {
    const leaf = await issueLeaf(root);

    const certificates = parsePemCertificates(`${leaf.toString()}\n${root.certificate.toString()}`);

    expect(certificates.map((certificate) => certificate.fingerprint256)).toEqual([leaf.fingerprint256, root.certificate.fingerprint256]);
  });

  it('decodes key usage bits', () => {
    // BIT STRING with 7 unused bits and one content byte 0x80 (digitalSignature), then 0x01 (decipherOnly in byte two).
    expect(decodeKeyUsage(Uint8Array.from([0x03, 0x03, 0x07, 0x80, 0x80]))).toEqual(['digitalSignature', 'decipherOnly']);
  });

  it('never throws anything but DerError on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          readDerElements(bytes);
          readCertificateExtensions(bytes);
        } catch (error) {
          expect((error as Error).name).toBe('DerError');
        }
      }),
    );
  });
});
