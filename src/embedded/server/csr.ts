/**
 * Reads PKCS#10 certificate signing requests (RFC 2986). The server uses only the
 * public key and, for MintX509SVID, the requested SANs; the subject is ignored, as
 * in SPIRE 1.15.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

import { decodeChildren, decodeElement, decodeOid, TAG, type DerElement } from './der.js';

const SIGNATURE_HASHES: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

const EXTENSION_REQUEST_OID = '1.2.840.113549.1.9.14';
const SUBJECT_ALT_NAME_OID = '2.5.29.17';

/** The parts of a certificate signing request that the server uses. */
export interface CertificateSigningRequest {
  readonly publicKey: KeyObject;
  /** DER SubjectPublicKeyInfo, copied into issued certificates unchanged. */
  readonly subjectPublicKeyInfo: Buffer;
  readonly uriSans: readonly string[];
  readonly dnsSans: readonly string[];
}

/** Raised for a request that cannot be decoded (`malformed CSR`) or whose signature fails (`invalid CSR signature`). */
export class CsrError extends Error {
  override readonly name = 'CsrError';

  constructor(
    readonly kind: 'malformed' | 'signature',
    message: string,
  ) {
    super(message);
  }
}

export function isCsrError(value: unknown): value is CsrError {
  return value instanceof CsrError;
}

function expectTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (element === undefined || element.tag !== tag) {
    throw new CsrError('malformed', `${what} is missing`);
  }
  return element;
}

/** Decodes a DER PKCS#10 request and verifies its self-signature. */
export function parseCsr(der: Buffer): CertificateSigningRequest {
  let info: DerElement;
  let signatureAlgorithm: string;
  let signature: Buffer;
  let spki: DerElement;
  let attributes: DerElement | undefined;
  try {
    const outer = expectTag(decodeElement(der), TAG.sequence, 'certification request');
    const [infoElement, algorithmElement, signatureElement] = decodeChildren(outer.content);
    info = expectTag(infoElement, TAG.sequence, 'certification request info');
    const algorithm = expectTag(algorithmElement, TAG.sequence, 'signature algorithm');
    signatureAlgorithm = decodeOid(expectTag(decodeChildren(algorithm.content)[0], TAG.oid, 'signature algorithm OID').content);
    signature = expectTag(signatureElement, TAG.bitString, 'signature').content.subarray(1);

    const infoChildren = decodeChildren(info.content);
    spki = expectTag(infoChildren[2], TAG.sequence, 'subject public key info');
    attributes = infoChildren[3]?.tag === 0xa0 ? infoChildren[3] : undefined;
  } catch (error) {
    if (isCsrError(error)) throw error;
    throw new CsrError('malformed', (error as Error).message);
  }

  const hash = SIGNATURE_HASHES[signatureAlgorithm];
  if (hash === undefined) {
    throw new CsrError('signature', `unsupported signature algorithm ${signatureAlgorithm}`);
  }

  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: spki.encoded, format: 'der', type: 'spki' });
  } catch (error) {
    throw new CsrError('malformed', `invalid public key: ${(error as Error).message}`);
  }
  if (!verify(hash, info.encoded, publicKey, signature)) {
    throw new CsrError('signature', 'signature does not match the request');
  }

  const sans = attributes === undefined ? { uris: [], dnsNames: [] } : readRequestedSans(attributes.content);
  return { publicKey, subjectPublicKeyInfo: Buffer.from(spki.encoded), uriSans: sans.uris, dnsSans: sans.dnsNames };
}

function readRequestedSans(attributesContent: Buffer): { uris: string[]; dnsNames: string[] } {
  const uris: string[] = [];
  const dnsNames: string[] = [];
  for (const attribute of decodeChildren(attributesContent)) {
    const [typeElement, valuesElement] = decodeChildren(attribute.content);
    if (typeElement === undefined || valuesElement === undefined || decodeOid(typeElement.content) !== EXTENSION_REQUEST_OID) {
      continue;
    }
    for (const extensions of decodeChildren(valuesElement.content)) {
      for (const extension of decodeChildren(extensions.content)) {
        const parts = decodeChildren(extension.content);
        if (parts[0] === undefined || decodeOid(parts[0].content) !== SUBJECT_ALT_NAME_OID) {
          continue;
        }
        const value = parts[parts.length - 1]!;
        for (const name of decodeChildren(decodeElement(value.content).content)) {
          if (name.tag === 0x86) uris.push(name.content.toString('utf8'));
          if (name.tag === 0x82) dnsNames.push(name.content.toString('utf8'));
        }
      }
    }
  }
  return { uris, dnsNames };
}
