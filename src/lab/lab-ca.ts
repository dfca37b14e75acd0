/**
 * The lab's certificate authorities, made fresh for every lab with WebCrypto ECDSA
 * P-256 keys. One signs the API server's TLS certificate, whose IP SAN 127.0.0.1 both
 * kubectl and client-node verify. The other is the trust-domain CA that signs the
 * X509-SVIDs the simulated agent issues; a separate ES256 key signs its JWT-SVIDs.
 */
import { randomBytes, webcrypto } from 'node:crypto';
// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata API loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** SPIRE backdates SVIDs by 10 seconds to absorb clock skew (SPIRE 1.15 `NotBeforeCushion`). */
const NOT_BEFORE_CUSHION_MS = 10_000;
/** SPIRE's default X509-SVID lifetime when the entry sets none: one hour. */
export const DEFAULT_X509_SVID_TTL_SECONDS = 3600;

type CryptoProvider = NonNullable<Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]>;
type KeyPair = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];

const provider = webcrypto as unknown as CryptoProvider;

/** PEM material for the API server's HTTPS listener. */
export interface LabTlsMaterial {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** An X509-SVID with its private key, in the encodings the Workload API uses. */
export interface LabX509Svid {
  readonly spiffeId: string;
  readonly certificate: x509.X509Certificate;
  /** DER of the leaf certificate. */
  readonly certificateDer: Buffer;
  /** PKCS#8 DER of the private key. */
  readonly keyDer: Buffer;
}

/** The lab's CAs. Create with {@link createLabCa}. */
export interface LabCa {
  readonly tls: LabTlsMaterial;
  /** The trust-domain CA certificate: the X.509 bundle the simulated agent returns. */
  readonly bundle: x509.X509Certificate;
  /** Signs an X509-SVID for `spiffeId`, valid from 10 seconds ago for `ttlSeconds`. */
  mintX509Svid(spiffeId: string, ttlSeconds: number, dnsNames?: readonly string[]): Promise<LabX509Svid>;
  /** The JWT bundle of the trust domain: a JWK set with the lab's one JWT signing key. */
  readonly jwtBundle: { readonly keys: readonly Record<string, unknown>[] };
  /** Signs an ES256 JWT-SVID for `spiffeId` and `audience`, valid for `ttlSeconds`. */
  mintJwtSvid(spiffeId: string, audience: readonly string[], ttlSeconds: number): Promise<string>;
}

function toPem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}

async function generateKeys(): Promise<KeyPair> {
  return (await provider.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as KeyPair;
}

async function createCaCertificate(name: string, keys: KeyPair, notAfter: Date, uri?: string): Promise<x509.X509Certificate> {
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, provider),
  ];
  if (uri) extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'url', value: uri }]));
  return x509.X509CertificateGenerator.createSelfSigned(
    { name, keys, notBefore: new Date(Date.now() - NOT_BEFORE_CUSHION_MS), notAfter, signingAlgorithm: SIGNING_ALGORITHM, extensions },
    provider,
  );
}

/** Subject, key, expiry and extensions of one leaf certificate. */
interface LeafTemplate {
  readonly subject: string;
  readonly publicKey: KeyPair['publicKey'];
  readonly notAfter: Date;
  readonly extensions: readonly x509.Extension[];
}

/** Signs a non-CA certificate with `issuerKeys`, backdated by the SPIRE cushion. */
function issueLeaf(issuer: x509.X509Certificate, issuerKeys: KeyPair, template: LeafTemplate): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create(
    {
      subject: template.subject,
      issuer: issuer.subject,
      publicKey: template.publicKey,
      signingKey: issuerKeys.privateKey,
      notBefore: new Date(Date.now() - NOT_BEFORE_CUSHION_MS),
      notAfter: template.notAfter,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [new x509.BasicConstraintsExtension(false, undefined, true), ...template.extensions],
    },
    provider,
  );
}

async function createTlsMaterial(): Promise<LabTlsMaterial> {
  const notAfter = new Date(Date.now() + 24 * 3600_000);
  const caKeys = await generateKeys();
  const ca = await createCaCertificate('CN=spiffe-doctor lab CA', caKeys, notAfter);
  const serverKeys = await generateKeys();
  const server = await issueLeaf(ca, caKeys, {
    subject: 'CN=spiffe-doctor lab API server',
    publicKey: serverKeys.publicKey,
    notAfter,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });
  const keyDer = await provider.subtle.exportKey('pkcs8', serverKeys.privateKey);
  return { caPem: ca.toString('pem') + '\n', certPem: server.toString('pem') + '\n', keyPem: toPem('PRIVATE KEY', keyDer) };
}

/** Creates the TLS CA and server certificate and the CA of `trustDomain`. */
export async function createLabCa(trustDomain: string): Promise<LabCa> {
  const tls = await createTlsMaterial();
  const caKeys = await generateKeys();
  // SPIRE's default CA lifetime is 24 hours (ca_ttl).
  const bundle = await createCaCertificate('C=US, O=SPIFFE', caKeys, new Date(Date.now() + 24 * 3600_000), `spiffe://${trustDomain}`);

  const mintX509Svid = async (spiffeId: string, ttlSeconds: number, dnsNames: readonly string[] = []): Promise<LabX509Svid> => {
    const keys = await generateKeys();
    const notAfter = new Date(Math.min(Date.now() + ttlSeconds * 1000, bundle.notAfter.getTime()));
    const names: x509.JsonGeneralName[] = [{ type: 'url', value: spiffeId }, ...dnsNames.map((value) => ({ type: 'dns' as const, value }))];
    const subject = dnsNames[0] ? `C=US, O=SPIRE, CN=${dnsNames[0]}` : 'C=US, O=SPIRE';
    const certificate = await issueLeaf(bundle, caKeys, {
      subject,
      publicKey: keys.publicKey,
      notAfter,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyAgreement, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension(names),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, provider),
        await x509.AuthorityKeyIdentifierExtension.create(bundle, false, provider),
      ],
    });
    const keyDer = Buffer.from(await provider.subtle.exportKey('pkcs8', keys.privateKey));
    return { spiffeId, certificate, certificateDer: Buffer.from(certificate.rawData), keyDer };
  };

  const jwt = await createJwtAuthority();
  return { tls, bundle, mintX509Svid, ...jwt };
}

/** SPIRE's default JWT-SVID lifetime when the entry sets none: five minutes. */
export const DEFAULT_JWT_SVID_TTL_SECONDS = 300;

async function createJwtAuthority(): Promise<Pick<LabCa, 'jwtBundle' | 'mintJwtSvid'>> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomBytes(16).toString('hex');
  const publicJwk = await exportJWK(publicKey);
  const jwtBundle = { keys: [{ use: 'jwt-svid', kid, ...publicJwk }] };

  const mintJwtSvid = (spiffeId: string, audience: readonly string[], ttlSeconds: number): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setSubject(spiffeId)
      .setAudience([...audience])
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .sign(privateKey);
  };
  return { jwtBundle, mintJwtSvid };
}
