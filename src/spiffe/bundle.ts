/**
 * SPIFFE bundles: the JWK Set a trust domain publishes, with X.509 authorities
 * (`use` = `x509-svid`) and JWT authorities (`use` = `jwt-svid`), as described in
 * the SPIFFE Trust Domain and Bundle standard (SPIFFE_Trust_Domain_and_Bundle.md,
 * section 4). `spire-server bundle show -format spiffe` prints this form.
 */
import { X509Certificate } from 'node:crypto';
import { UserError } from '../errors.js';

/** A bundle that is not a SPIFFE bundle at all (not JSON, no `keys` array). */
export class BundleError extends UserError {
  override readonly name: string = 'BundleError';
}

/** Tells whether `value` is a {@link BundleError}. */
export function isBundleError(value: unknown): value is BundleError {
  return value instanceof BundleError;
}

/** A JWT authority: a public key JWK and its key ID. */
export interface JwtAuthority {
  readonly keyId: string;
  readonly jwk: Readonly<Record<string, unknown>>;
}

/** A JWK the bundle carries but a validator ignores, and why. */
export interface IgnoredKey {
  readonly index: number;
  readonly reason: string;
}

/** A parsed SPIFFE bundle. */
export interface SpiffeBundle {
  readonly x509Authorities: readonly X509Certificate[];
  readonly jwtAuthorities: readonly JwtAuthority[];
  /** `spiffe_sequence`, when present. */
  readonly sequence?: number;
  /** `spiffe_refresh_hint` in seconds, when present. */
  readonly refreshHintSeconds?: number;
  readonly ignoredKeys: readonly IgnoredKey[];
}

/**
 * Parses a SPIFFE bundle (JSON text or an already parsed object). Keys a validator
 * must ignore are listed in `ignoredKeys` instead of failing the bundle: a JWK
 * without `kty`, with a missing or unknown `use`, an X.509 key without `x5c`, or a
 * JWT key without `kid`. Of several `x5c` certificates only the first is used. An
 * empty `keys` array is valid and means every key was revoked.
 *
 * @throws BundleError when the text is not JSON or has no `keys` array.
 */
export function parseSpiffeBundle(input: string | unknown): SpiffeBundle {
  const document = typeof input === 'string' ? parseJson(input) : input;
  if (typeof document !== 'object' || document === null || !Array.isArray((document as { keys?: unknown }).keys)) {
    throw new BundleError('invalid SPIFFE bundle: expected a JSON object with a "keys" array', {
      suggestions: ['Use the output of `spire-server bundle show -format spiffe` or the bundle endpoint response.'],
    });
  }

  const record = document as { keys: unknown[]; spiffe_sequence?: unknown; spiffe_refresh_hint?: unknown };
  const x509Authorities: X509Certificate[] = [];
  const jwtAuthorities: JwtAuthority[] = [];
  const ignoredKeys: IgnoredKey[] = [];
  record.keys.forEach((key, index) => {
    const outcome = readKey(key);
    if ('reason' in outcome) {
      ignoredKeys.push({ index, reason: outcome.reason });
    } else if ('certificate' in outcome) {
      x509Authorities.push(outcome.certificate);
    } else {
      jwtAuthorities.push(outcome.jwt);
    }
  });

  return {
    x509Authorities,
    jwtAuthorities,
    ignoredKeys,
    ...(typeof record.spiffe_sequence === 'number' ? { sequence: record.spiffe_sequence } : {}),
    ...(typeof record.spiffe_refresh_hint === 'number' ? { refreshHintSeconds: record.spiffe_refresh_hint } : {}),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BundleError(`invalid SPIFFE bundle: not JSON (${(error as Error).message})`, {
      cause: error,
      suggestions: ['Use the output of `spire-server bundle show -format spiffe` or the bundle endpoint response.'],
    });
  }
}

type KeyOutcome = { readonly reason: string } | { readonly certificate: X509Certificate } | { readonly jwt: JwtAuthority };

function readKey(key: unknown): KeyOutcome {
  if (typeof key !== 'object' || key === null) {
    return { reason: 'the key is not a JSON object' };
  }
  const jwk = key as Record<string, unknown>;
  if (typeof jwk['kty'] !== 'string' || jwk['kty'] === '') {
    return { reason: 'the key has no "kty"' };
  }
  switch (jwk['use']) {
    case 'x509-svid':
      return readX509Key(jwk);
    case 'jwt-svid':
      return readJwtKey(jwk);
    case undefined:
      return { reason: 'the key has no "use"' };
    default:
      return { reason: `the key has the unknown "use" ${JSON.stringify(jwk['use'])}` };
  }
}

function readX509Key(jwk: Record<string, unknown>): KeyOutcome {
  const chain = jwk['x5c'];
  if (!Array.isArray(chain) || typeof chain[0] !== 'string') {
    return { reason: 'the x509-svid key has no "x5c" certificate' };
  }
  try {
    return { certificate: new X509Certificate(Buffer.from(chain[0], 'base64')) };
  } catch (error) {
    return { reason: `the x509-svid key's "x5c" certificate cannot be parsed: ${(error as Error).message}` };
  }
}

function readJwtKey(jwk: Record<string, unknown>): KeyOutcome {
  const keyId = jwk['kid'];
  if (typeof keyId !== 'string' || keyId === '') {
    return { reason: 'the jwt-svid key has no "kid"' };
  }
  return { jwt: { keyId, jwk } };
}
