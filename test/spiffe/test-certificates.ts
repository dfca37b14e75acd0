/**
 * Certificates made in the test with @peculiar/x509, so each test controls every
 * extension of the chain it verifies.
 */
// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const HOUR = 3600_000;

/** A certificate and the key pair that signs what it issues. */
export interface TestAuthority {
  readonly certificate: X509Certificate;
  readonly raw: x509.X509Certificate;
  readonly keys: webcrypto.CryptoKeyPair;
}

/** Options for a test leaf; each defaults to a valid X509-SVID. */
export interface LeafOptions {
  readonly uris?: readonly string[];
  readonly isCa?: boolean;
  /** Key usage flags, or null for no key usage extension. */
  readonly keyUsage?: number | null;
  readonly keyUsageCritical?: boolean;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

function toNode(certificate: x509.X509Certificate): X509Certificate {
  return new X509Certificate(Buffer.from(certificate.rawData));
}

/** The extensions of a SPIFFE signing certificate: CA, keyCertSign and cRLSign, the trust domain ID. */
function caExtensions(trustDomain: string): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `spiffe://${trustDomain}` }]),
  ];
}

/** Creates a self-signed root CA with the trust domain ID as its URI SAN. */
export async function createRootCa(trustDomain: string, name = 'CN=root'): Promise<TestAuthority> {
  const keys = await generateKeys();
  const raw = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name,
    notBefore: new Date(Date.now() - HOUR),
    notAfter: new Date(Date.now() + 24 * HOUR),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: caExtensions(trustDomain),
  });
  return { certificate: toNode(raw), raw, keys };
}

/** Creates an intermediate CA signed by `issuer`. */
export async function createIntermediateCa(issuer: TestAuthority, trustDomain: string): Promise<TestAuthority> {
  const keys = await generateKeys();
  const raw = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=intermediate',
    issuer: issuer.raw.subject,
    notBefore: new Date(Date.now() - HOUR),
    notAfter: new Date(Date.now() + 12 * HOUR),
    signingKey: issuer.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: caExtensions(trustDomain),
  });
  return { certificate: toNode(raw), raw, keys };
}

/** Issues a leaf from `issuer`; by default a valid X509-SVID for `spiffe://example.org/api`. */
export async function issueLeaf(issuer: TestAuthority, options: LeafOptions = {}): Promise<X509Certificate> {
  const keys = await generateKeys();
  const keyUsage = options.keyUsage === undefined ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment : options.keyUsage;
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(options.isCa ?? false, undefined, true)];
  if (keyUsage !== null) {
    extensions.push(new x509.KeyUsagesExtension(keyUsage, options.keyUsageCritical ?? true));
  }
  const uris = options.uris ?? ['spiffe://example.org/api'];
  if (uris.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(uris.map((value) => ({ type: 'url' as const, value }))));
  }

  const raw = await x509.X509CertificateGenerator.create({
    serialNumber: '03',
    subject: 'O=SPIRE',
    issuer: issuer.raw.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - HOUR),
    notAfter: options.notAfter ?? new Date(Date.now() + HOUR),
    signingKey: issuer.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  return toNode(raw);
}

export { x509 };
