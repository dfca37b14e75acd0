/**
 * Builds and signs the X.509 certificates the server issues: the self-signed
 * trust-domain root and X509-SVIDs. Field choices follow SPIRE 1.15
 * (`pkg/server/credtemplate`) and the SPIFFE X509-SVID specification.
 */
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';

import {
  decodeChildren,
  decodeElement,
  encodeBitString,
  encodeBoolean,
  encodeExplicit,
  encodeNull,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeSet,
  encodeTime,
  encodeTlv,
  encodeUnsignedInteger,
  TAG,
} from './der.js';

const OID = {
  country: '2.5.4.6',
  organization: '2.5.4.10',
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extendedKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  sha256WithRsa: '1.2.840.113549.1.1.11',
} as const;

/** One relative distinguished name attribute, e.g. `{ type: 'O', value: 'SPIRE' }`. */
export interface NameAttribute {
  readonly type: 'C' | 'O' | 'CN' | 'serialNumber';
  readonly value: string;
}

/** What goes into a certificate apart from the issuer, which the signer supplies. */
export interface CertificateTemplate {
  readonly subject: readonly NameAttribute[];
  /** DER SubjectPublicKeyInfo of the certified key. */
  readonly subjectPublicKeyInfo: Buffer;
  readonly serialNumber: bigint;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  readonly uriSans: readonly string[];
  readonly dnsSans: readonly string[];
}

/** The certificate authority that signs: its key, its subject and its key identifier. */
export interface CertificateSigner {
  readonly privateKey: KeyObject;
  readonly subject: readonly NameAttribute[];
  /** Subject key identifier of the signing certificate, copied into the AKI extension. */
  readonly subjectKeyIdentifier: Buffer;
}

const ATTRIBUTE_OIDS: Record<NameAttribute['type'], string> = {
  C: OID.country,
  O: OID.organization,
  CN: OID.commonName,
  serialNumber: OID.serialNumber,
};

/** Returns a random serial number in [1, 2^128 − 1], as SPIRE 1.15 generates them. */
export function generateSerialNumber(): bigint {
  for (;;) {
    const serial = BigInt(`0x${randomBytes(16).toString('hex')}`);
    if (serial > 0n) {
      return serial;
    }
  }
}

/** Encodes an X.501 Name with one attribute per RDN, in the given order. */
export function encodeName(attributes: readonly NameAttribute[]): Buffer {
  const rdns = attributes.map((attribute) => {
    const stringTag = attribute.type === 'CN' ? TAG.utf8String : TAG.printableString;
    const value = encodeTlv(stringTag, Buffer.from(attribute.value, 'utf8'));
    return encodeSet(encodeSequence(encodeOid(ATTRIBUTE_OIDS[attribute.type]), value));
  });
  return encodeSequence(...rdns);
}

/**
 * Returns the RFC 5280 §4.2.1.2 method-1 key identifier: SHA-1 of the
 * subjectPublicKey BIT STRING content (SPIRE 1.15 uses the same method outside FIPS mode).
 */
export function computeSubjectKeyIdentifier(subjectPublicKeyInfo: Buffer): Buffer {
  const spki = decodeElement(subjectPublicKeyInfo);
  const [, subjectPublicKey] = decodeChildren(spki.content);
  if (subjectPublicKey === undefined || subjectPublicKey.tag !== TAG.bitString) {
    throw new Error('invalid SubjectPublicKeyInfo: missing subjectPublicKey');
  }
  return createHash('sha1').update(subjectPublicKey.content.subarray(1)).digest();
}

function encodeExtension(oid: string, critical: boolean, value: Buffer): Buffer {
  const parts = [encodeOid(oid)];
  if (critical) {
    parts.push(encodeBoolean(true));
  }
  parts.push(encodeOctetString(value));
  return encodeSequence(...parts);
}

// keyUsage bits (RFC 5280 §4.2.1.3), numbered from the most significant bit of the first byte.
const LEAF_KEY_USAGE = encodeBitString(Buffer.from([0b1010_1000]), 3); // digitalSignature, keyEncipherment, keyAgreement
const CA_KEY_USAGE = encodeBitString(Buffer.from([0b0000_0110]), 1); // keyCertSign, cRLSign
const LEAF_EXTENDED_KEY_USAGE = encodeSequence(encodeOid(OID.serverAuth), encodeOid(OID.clientAuth));

function encodeSubjectAltNames(uris: readonly string[], dnsNames: readonly string[]): Buffer {
  const names = [
    ...uris.map((uri) => encodeTlv(0x86, Buffer.from(uri, 'utf8'))),
    ...dnsNames.map((name) => encodeTlv(0x82, Buffer.from(name, 'utf8'))),
  ];
  return encodeSequence(...names);
}

function encodeExtensions(template: CertificateTemplate, subjectKeyId: Buffer, authorityKeyId: Buffer): Buffer {
  const extensions = [
    encodeExtension(OID.keyUsage, true, template.isCa ? CA_KEY_USAGE : LEAF_KEY_USAGE),
    encodeExtension(OID.basicConstraints, true, template.isCa ? encodeSequence(encodeBoolean(true)) : encodeSequence()),
  ];
  if (!template.isCa) {
    extensions.push(encodeExtension(OID.extendedKeyUsage, false, LEAF_EXTENDED_KEY_USAGE));
  }
  extensions.push(encodeExtension(OID.subjectKeyIdentifier, false, encodeOctetString(subjectKeyId)));
  // A self-signed root may omit the authority key identifier (RFC 5280 §4.2.1.1).
  if (!authorityKeyId.equals(subjectKeyId)) {
    extensions.push(encodeExtension(OID.authorityKeyIdentifier, false, encodeSequence(encodeTlv(0x80, authorityKeyId))));
  }
  if (template.uriSans.length > 0 || template.dnsSans.length > 0) {
    extensions.push(encodeExtension(OID.subjectAltName, false, encodeSubjectAltNames(template.uriSans, template.dnsSans)));
  }
  return encodeExplicit(3, encodeSequence(...extensions));
}

/** Returns the AlgorithmIdentifier and hash for a signing key (P-256 → ES256 family, P-384 → SHA-384, RSA → SHA-256). */
export function signatureAlgorithmFor(key: KeyObject): { readonly identifier: Buffer; readonly hash: 'sha256' | 'sha384' } {
  if (key.asymmetricKeyType === 'rsa') {
    return { identifier: encodeSequence(encodeOid(OID.sha256WithRsa), encodeNull()), hash: 'sha256' };
  }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1') {
    return { identifier: encodeSequence(encodeOid(OID.ecdsaWithSha384)), hash: 'sha384' };
  }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return { identifier: encodeSequence(encodeOid(OID.ecdsaWithSha256)), hash: 'sha256' };
  }
  throw new Error(`unsupported signing key type ${key.asymmetricKeyType ?? 'unknown'}`);
}

/**
 * Builds the certificate described by `template`, signed by `signer`, and returns it
 * as DER. For a self-signed certificate pass a signer whose subject and key
 * identifier are the template's own.
 */
export function buildCertificate(template: CertificateTemplate, signer: CertificateSigner): Buffer {
  const algorithm = signatureAlgorithmFor(signer.privateKey);
  const subjectKeyId = computeSubjectKeyIdentifier(template.subjectPublicKeyInfo);
  const tbsCertificate = encodeSequence(
    encodeExplicit(0, encodeUnsignedInteger(2)),
    encodeUnsignedInteger(template.serialNumber),
    algorithm.identifier,
    encodeName(signer.subject),
    encodeSequence(encodeTime(template.notBefore), encodeTime(template.notAfter)),
    encodeName(template.subject),
    template.subjectPublicKeyInfo,
    encodeExtensions(template, subjectKeyId, signer.subjectKeyIdentifier),
  );

  const signature = sign(algorithm.hash, tbsCertificate, signer.privateKey);
  return encodeSequence(tbsCertificate, algorithm.identifier, encodeBitString(signature));
}
