/**
 * Bundle text formats for `spire-server bundle show|list|set`: PEM, and the SPIFFE
 * bundle format (a JWK Set with `spiffe_sequence` and `spiffe_refresh_hint`,
 * SPIFFE_Trust_Domain_and_Bundle.md) printed with 4-space indentation as SPIRE 1.15 does.
 */
import { createPublicKey, X509Certificate, type JsonWebKey } from 'node:crypto';

import { UserError } from '../../../errors.js';
import type { BundleMessage } from '../api/convert.js';

/** Formats the X.509 authorities as concatenated PEM certificates. */
export function formatBundlePem(bundle: BundleMessage): string {
  return bundle.x509_authorities.map((authority) => new X509Certificate(authority.asn1).toString()).join('');
}

function publicJwk(key: JsonWebKey): Record<string, unknown> {
  return key.kty === 'RSA' ? { kty: key.kty, n: key.n, e: key.e } : { kty: key.kty, crv: key.crv, x: key.x, y: key.y };
}

/** Formats a bundle as a SPIFFE bundle document. */
export function formatBundleSpiffe(bundle: BundleMessage): string {
  const keys = [
    ...bundle.x509_authorities.map((authority) => {
      const certificate = new X509Certificate(authority.asn1);
      return { use: 'x509-svid', ...publicJwk(certificate.publicKey.export({ format: 'jwk' })), x5c: [Buffer.from(authority.asn1).toString('base64')] };
    }),
    ...bundle.jwt_authorities.map((authority) => {
      const { kty, ...rest } = publicJwk(createPublicKey({ key: authority.public_key, format: 'der', type: 'spki' }).export({ format: 'jwk' }));
      return { use: 'jwt-svid', kty, kid: authority.key_id, ...rest };
    }),
  ];
  const document: Record<string, unknown> = { keys };
  if (bundle.sequence_number !== '0') document.spiffe_sequence = Number(bundle.sequence_number);
  if (bundle.refresh_hint !== '0') document.spiffe_refresh_hint = Number(bundle.refresh_hint);
  return `${JSON.stringify(document, null, 4)}\n`;
}

/** The authorities of a bundle read from a file, ready for a Bundle message. */
export interface ParsedBundle {
  readonly x509_authorities: { asn1: Buffer; tainted: boolean }[];
  readonly jwt_authorities: { public_key: Buffer; key_id: string; expires_at: string; tainted: boolean }[];
  readonly sequence_number: string;
  readonly refresh_hint: string;
}

/**
 * Parses bundle text in `pem` or `spiffe` format.
 *
 * @throws UserError naming the source when the text cannot be read in that format.
 */
export function parseBundleText(text: string, format: 'pem' | 'spiffe', source: string): ParsedBundle {
  return format === 'pem' ? parsePem(text, source) : parseSpiffe(text, source);
}

function parsePem(text: string, source: string): ParsedBundle {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new UserError(`no PEM certificates found in ${source}`, { suggestions: ['Pass a file of PEM CERTIFICATE blocks, or use -format spiffe for a SPIFFE bundle.'] });
  }
  const x509 = blocks.map((block) => {
    try {
      return { asn1: Buffer.from(new X509Certificate(block).raw), tainted: false };
    } catch (error) {
      throw new UserError(`invalid certificate in ${source}: ${(error as Error).message}`, { suggestions: ['Check that the file contains valid PEM certificates.'] });
    }
  });
  return { x509_authorities: x509, jwt_authorities: [], sequence_number: '0', refresh_hint: '0' };
}

interface SpiffeJwk extends JsonWebKey {
  use?: string;
  kid?: string;
  x5c?: string[];
}

function parseSpiffe(text: string, source: string): ParsedBundle {
  let document: { keys?: SpiffeJwk[]; spiffe_sequence?: number; spiffe_refresh_hint?: number };
  try {
    document = JSON.parse(text) as typeof document;
  } catch (error) {
    throw new UserError(`invalid SPIFFE bundle in ${source}: ${(error as Error).message}`, { suggestions: ['Pass a SPIFFE bundle (JWK Set) or use -format pem.'] });
  }
  if (!Array.isArray(document.keys)) {
    throw new UserError(`invalid SPIFFE bundle in ${source}: missing "keys" array`, { suggestions: ['Pass a SPIFFE bundle (JWK Set) or use -format pem.'] });
  }

  const x509: ParsedBundle['x509_authorities'] = [];
  const jwt: ParsedBundle['jwt_authorities'] = [];
  for (const key of document.keys) {
    // Keys with an unknown `use` are skipped, as the SPIFFE bundle format requires.
    if (key.use === 'x509-svid' && key.x5c?.[0] !== undefined) x509.push({ asn1: Buffer.from(key.x5c[0], 'base64'), tainted: false });
    if (key.use === 'jwt-svid' && key.kid !== undefined) {
      const { use: _use, kid: _kid, x5c: _x5c, ...jwk } = key;
      const publicKey = createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'der', type: 'spki' });
      jwt.push({ public_key: publicKey, key_id: key.kid, expires_at: '0', tainted: false });
    }
  }
  return {
    x509_authorities: x509,
    jwt_authorities: jwt,
    sequence_number: String(document.spiffe_sequence ?? 0),
    refresh_hint: String(document.spiffe_refresh_hint ?? 0),
  };
}
