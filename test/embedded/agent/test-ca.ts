/**
 * A test CA that issues X509-SVIDs and signs JWT-SVIDs with keys made in the test, for
 * filling the agent's cache without a server.
 */
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { buildCertificate, computeSubjectKeyIdentifier, generateSerialNumber, type NameAttribute } from '../../../src/embedded/server/certificate-builder.js';
import type { CachedX509Svid, TrustBundle } from '../../../src/embedded/agent/identity-cache.js';

export interface TestCa {
  readonly trustDomain: string;
  readonly bundle: TrustBundle;
  readonly jwtPrivateKey: KeyObject;
  readonly jwtKeyId: string;
  issueSvid(entryId: string, spiffeId: string, lifetimeSeconds?: number): CachedX509Svid;
}

const CA_SUBJECT: NameAttribute[] = [
  { type: 'C', value: 'US' },
  { type: 'O', value: 'SPIFFE' },
];

/** Creates a CA for `trustDomain` with one X.509 root and one JWT key. */
export function createTestCa(trustDomain: string): TestCa {
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caPublicKey = caKeys.publicKey.export({ format: 'der', type: 'spki' });
  const signer = { privateKey: caKeys.privateKey, subject: CA_SUBJECT, subjectKeyIdentifier: computeSubjectKeyIdentifier(caPublicKey) };
  const root = buildCertificate(
    {
      subject: CA_SUBJECT,
      subjectPublicKeyInfo: caPublicKey,
      serialNumber: generateSerialNumber(),
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 24 * 3600_000),
      isCa: true,
      uriSans: [`spiffe://${trustDomain}`],
      dnsSans: [],
    },
    signer,
  );

  const jwtKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwtKeyId = `key-${trustDomain}`;

  return {
    trustDomain,
    bundle: {
      trustDomainId: `spiffe://${trustDomain}`,
      x509Authorities: [root],
      jwtAuthorities: [{ keyId: jwtKeyId, publicKey: jwtKeys.publicKey.export({ format: 'der', type: 'spki' }), expiresAt: 0 }],
    },
    jwtPrivateKey: jwtKeys.privateKey,
    jwtKeyId,
    issueSvid(entryId, spiffeId, lifetimeSeconds = 3600) {
      const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const now = Date.now();
      const leaf = buildCertificate(
        {
          subject: [
            { type: 'C', value: 'US' },
            { type: 'O', value: 'SPIRE' },
          ],
          subjectPublicKeyInfo: keys.publicKey.export({ format: 'der', type: 'spki' }),
          serialNumber: generateSerialNumber(),
          notBefore: new Date(now - 10_000),
          notAfter: new Date(now + lifetimeSeconds * 1000),
          isCa: false,
          uriSans: [spiffeId],
          dnsSans: [],
        },
        signer,
      );
      const parsed = new X509Certificate(leaf);
      return {
        entryId,
        spiffeId,
        certificates: [leaf],
        privateKey: keys.privateKey.export({ format: 'der', type: 'pkcs8' }),
        notBefore: new Date(parsed.validFrom),
        notAfter: new Date(parsed.validTo),
      };
    },
  };
}
