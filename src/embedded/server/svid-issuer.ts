/**
 * Issues X509-SVIDs and JWT-SVIDs from the trust-domain CA, with SPIRE 1.15's
 * contents and defaults: subject C=US, O=SPIRE, one URI
 * SAN, CA=false, digitalSignature+keyEncipherment+keyAgreement, serverAuth+clientAuth,
 * NotBefore 10 s in the past and NotAfter capped at the CA's expiry.
 */
import { randomUUID, type KeyObject } from 'node:crypto';

import { SignJWT } from 'jose';

import type { ActiveAuthority } from './ca.js';
import { buildCertificate, generateSerialNumber, type NameAttribute } from './certificate-builder.js';

/** Default SVID TTLs of SPIRE 1.15: X509-SVID 1 hour, JWT-SVID 5 minutes. */
export const DEFAULT_X509_SVID_TTL_SECONDS = 3600;
export const DEFAULT_JWT_SVID_TTL_SECONDS = 300;

const NOT_BEFORE_CUSHION_MS = 10_000;

export interface X509SvidRequest {
  readonly spiffeId: string;
  /** DER SubjectPublicKeyInfo of the workload's key. */
  readonly subjectPublicKeyInfo: Buffer;
  readonly ttlSeconds: number;
  /** The first DNS name also becomes the subject common name. */
  readonly dnsNames?: readonly string[];
  readonly now?: Date;
}

export interface IssuedX509Svid {
  /** DER certificates, leaf first. The root is not included, as SPIRE sends none without an upstream CA. */
  readonly certChain: Buffer[];
  /** Unix seconds. */
  readonly expiresAt: number;
}

/** Signs an X509-SVID for `request.spiffeId` with the given authority. */
export function issueX509Svid(authority: ActiveAuthority, request: X509SvidRequest): IssuedX509Svid {
  const now = request.now ?? new Date();
  const dnsNames = request.dnsNames ?? [];
  const notAfter = capAtAuthority(authority, now.getTime() + request.ttlSeconds * 1000);

  const subject: NameAttribute[] = [
    { type: 'C', value: 'US' },
    { type: 'O', value: 'SPIRE' },
  ];
  if (dnsNames.length > 0) {
    subject.push({ type: 'CN', value: dnsNames[0]! });
  }

  const certificate = buildCertificate(
    {
      subject,
      subjectPublicKeyInfo: request.subjectPublicKeyInfo,
      serialNumber: generateSerialNumber(),
      notBefore: new Date(now.getTime() - NOT_BEFORE_CUSHION_MS),
      notAfter: new Date(notAfter),
      isCa: false,
      uriSans: [request.spiffeId],
      dnsSans: dnsNames,
    },
    authority.signer,
  );
  return { certChain: [certificate], expiresAt: Math.floor(notAfter / 1000) };
}

function capAtAuthority(authority: ActiveAuthority, notAfterMs: number): number {
  return Math.min(notAfterMs, authority.notAfterMs);
}

export interface JwtSvidRequest {
  readonly spiffeId: string;
  readonly audience: readonly string[];
  readonly ttlSeconds: number;
  /** Adds a `jti` claim (entry attribute `jwt_svid_include_jti`). */
  readonly includeJti?: boolean;
  readonly now?: Date;
}

export interface IssuedJwtSvid {
  readonly token: string;
  /** Unix seconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Returns the JWS `alg` for a signing key: ES256 for P-256, ES384 for P-384, RS256 for RSA. */
export function jwtAlgorithmFor(key: KeyObject): 'ES256' | 'ES384' | 'RS256' {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyDetails?.namedCurve === 'secp384r1') return 'ES384';
  return 'ES256';
}

/**
 * Signs a JWT-SVID (JWS compact) with `sub`, `aud` as an array with empty strings
 * dropped, `exp` capped at the JWT key's expiry, `iat`, and `jti` when requested.
 */
export async function issueJwtSvid(authority: ActiveAuthority, request: JwtSvidRequest): Promise<IssuedJwtSvid> {
  const now = request.now ?? new Date();
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = Math.min(issuedAt + request.ttlSeconds, authority.jwt.expiresAt);
  const audience = request.audience.filter((value) => value !== '');

  const claims: Record<string, unknown> = { aud: audience };
  if (request.includeJti === true) {
    claims.jti = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
  }
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: jwtAlgorithmFor(authority.jwtKey), kid: authority.jwt.keyId, typ: 'JWT' })
    .setSubject(request.spiffeId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(authority.jwtKey);
  return { token, issuedAt, expiresAt };
}
