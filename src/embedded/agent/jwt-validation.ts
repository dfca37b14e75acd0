/**
 * Validation of JWT-SVIDs for `ValidateJWTSVID`, following the SPIFFE JWT-SVID
 * specification: JWS compact form, an allowed `alg`, `typ` absent or `JWT`/`JOSE`, a
 * signature by a key (found by `kid`) in the bundle of the trust domain of `sub`, and
 * required `sub`, `aud` (containing the requested audience) and unexpired `exp`.
 */
import { createPublicKey } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { parseSpiffeId } from '../../spiffe/id.js';
import type { TrustBundle } from './identity-cache.js';

/** Signature algorithms the JWT-SVID specification allows. */
const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'];

/** A token that failed validation; the message names the check that failed. */
export class JwtSvidValidationError extends Error {
  override readonly name = 'JwtSvidValidationError';
}

export interface ValidatedToken {
  readonly spiffeId: string;
  readonly claims: Record<string, unknown>;
}

/** Validates `token` for `audience` against `bundles`, keyed by trust domain ID. */
export async function validateJwtSvidToken(
  token: string,
  audience: string,
  bundles: ReadonlyMap<string, TrustBundle>,
  now: Date = new Date(),
): Promise<ValidatedToken> {
  const { keyId, subject } = readUnverifiedParts(token);
  const trustDomainId = `spiffe://${subjectTrustDomain(subject)}`;
  const bundle = bundles.get(trustDomainId);
  if (!bundle) throw new JwtSvidValidationError(`no JWT bundle for trust domain "${trustDomainId}"`);

  const authority = bundle.jwtAuthorities.find((candidate) => candidate.keyId === keyId);
  if (!authority) throw new JwtSvidValidationError(`JWT authority "${keyId}" not found in the bundle of trust domain "${trustDomainId}"`);

  const key = createPublicKey({ key: authority.publicKey, format: 'der', type: 'spki' });
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ALLOWED_ALGORITHMS,
      audience,
      currentDate: now,
      requiredClaims: ['sub', 'aud', 'exp'],
    });
    return { spiffeId: subject, claims: payload as Record<string, unknown> };
  } catch (error) {
    throw new JwtSvidValidationError(describeJoseError(error, audience), { cause: error });
  }
}

function readUnverifiedParts(token: string): { keyId: string; subject: string } {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch (error) {
    throw new JwtSvidValidationError('token is not a JWS in compact serialization', { cause: error });
  }

  if (!header.alg || !ALLOWED_ALGORITHMS.includes(header.alg)) throw new JwtSvidValidationError(`unsupported token signature algorithm "${header.alg ?? ''}"`);
  if (header.typ !== undefined && header.typ !== 'JWT' && header.typ !== 'JOSE') throw new JwtSvidValidationError(`token header type "${header.typ}" is neither JWT nor JOSE`);
  if (!header.kid) throw new JwtSvidValidationError('token header has no key ID (kid)');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new JwtSvidValidationError('token has no subject (sub) claim');
  return { keyId: header.kid, subject: claims.sub };
}

function subjectTrustDomain(subject: string): string {
  try {
    return parseSpiffeId(subject).trustDomain;
  } catch (error) {
    throw new JwtSvidValidationError(`token subject "${subject}" is not a valid SPIFFE ID: ${(error as Error).message}`, { cause: error });
  }
}

function describeJoseError(error: unknown, audience: string): string {
  if (error instanceof joseErrors.JWTExpired) return 'token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'aud' && error.reason === 'check_failed') {
    return `token audience does not include "${audience}"`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is not valid';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `token claim "${error.claim}" is not valid: ${error.reason}`;
  return `token is not valid: ${(error as Error).message}`;
}
