/**
 * Encodings of bundles in Workload API responses: X.509 bundles as concatenated DER
 * certificates, JWT bundles as plain RFC 7517 JWK Sets whose keys carry a `kid` and no
 * SPIFFE-specific parameters, as go-spiffe v2's `jwtbundle` marshals them. Generic JOSE
 * libraries then accept the keys, which they would skip with `use` set to `jwt-svid`.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { JwtAuthority, TrustBundle } from './identity-cache.js';

/** Concatenates a bundle's X.509 authorities as the `bundle` fields expect. */
export function concatenatedX509Authorities(bundle: TrustBundle): Buffer {
  return Buffer.concat(bundle.x509Authorities.map((certificate) => Buffer.from(certificate)));
}

/** Converts one JWT authority to a JWK. */
export function jwkFromJwtAuthority(authority: JwtAuthority): JsonWebKey {
  const jwk = createPublicKey({ key: authority.publicKey, format: 'der', type: 'spki' }).export({ format: 'jwk' });
  return { ...jwk, kid: authority.keyId };
}

/** Serialises a bundle's JWT authorities as a JWK Set. */
export function jwksFromBundle(bundle: TrustBundle): Buffer {
  return Buffer.from(JSON.stringify({ keys: bundle.jwtAuthorities.map(jwkFromJwtAuthority) }), 'utf8');
}
