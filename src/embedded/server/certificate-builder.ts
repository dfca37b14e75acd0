/**
 * Builds and signs the X.509 certificates the server issues: the self-signed
 * trust-domain root and X509-SVIDs. Field choices follow SPIRE 1.15 and the SPIFFE
 * X509-SVID specification.
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

/** The contents of a certificate other than the issuer, which comes from the signer. */
export interface CertificateTemplate {
  readonly subject: readonly NameAttribute[];
  /** DER SubjectPublicKeyInfo of the certified key. */
  readonly subjectPublicKeyInfo: Buffer;
  /** Big-endian magnitude; see {@link generateSerialNumber}. */
  readonly serialNumber: Buffer;
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

// Random bytes are drawn in blocks because one small synchronous randomBytes call costs
// about as much as encoding the rest of a certificate.
const RANDOM_POOL_SIZE = 16 * 256;
let randomPool = Buffer.alloc(0);
let randomPoolOffset = 0;

function takeRandom16(): Buffer {
  if (randomPoolOffset + 16 > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_SIZE);
    randomPoolOffset = 0;
  }
  const bytes = randomPool.subarray(randomPoolOffset, randomPoolOffset + 16);
  randomPoolOffset += 16;
  return bytes;
}

/** Returns a random serial number in [1, 2^128 − 1], as SPIRE 1.15 generates them, as big-endian bytes. */
export function generateSerialNumber(): Buffer {
  for (;;) {
    const serial = Buffer.from(takeRandom16());
    if (serial.some((byte) => byte !== 0)) {
      return serial;
    }
  }
}

const encodedNames = new Map<string, Buffer>();
const MAX_CACHED_NAMES = 1024;

/** Encodes an X.501 Name with one attribute per RDN, in the given order. Recent names are cached. */
export function encodeName(attributes: readonly NameAttribute[]): Buffer {
  const key = attributes.map((attribute) => `${attribute.type}=${attribute.value}`).join('\u0000');
  let encoded = encodedNames.get(key);
  if (encoded === undefined) {
    encoded = encodeNameUncached(attributes);
    if (encodedNames.size >= MAX_CACHED_NAMES) encodedNames.clear();
    encodedNames.set(key, encoded);
  }
  return encoded;
}

function encodeNameUncached(attributes: readonly NameAttribute[]): Buffer {
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

// The extensions that are the same in every leaf or every CA certificate are encoded once.
const LEAF_FIXED_EXTENSIONS = Buffer.concat([
  encodeExtension(OID.keyUsage, true, LEAF_KEY_USAGE),
  encodeExtension(OID.basicConstraints, true, encodeSequence()),
  encodeExtension(OID.extendedKeyUsage, false, LEAF_EXTENDED_KEY_USAGE),
]);
const CA_FIXED_EXTENSIONS = Buffer.concat([
  encodeExtension(OID.keyUsage, true, CA_KEY_USAGE),
  encodeExtension(OID.basicConstraints, true, encodeSequence(encodeBoolean(true))),
]);

const authorityKeyIdExtensions = new WeakMap<Buffer, Buffer>();

function encodeAuthorityKeyIdExtension(authorityKeyId: Buffer): Buffer {
  let encoded = authorityKeyIdExtensions.get(authorityKeyId);
  if (encoded === undefined) {
    encoded = encodeExtension(OID.authorityKeyIdentifier, false, encodeSequence(encodeTlv(0x80, authorityKeyId)));
    authorityKeyIdExtensions.set(authorityKeyId, encoded);
  }
  return encoded;
}

function encodeExtensions(template: CertificateTemplate, subjectKeyId: Buffer, authorityKeyId: Buffer): Buffer {
  const extensions: Buffer[] = [template.isCa ? CA_FIXED_EXTENSIONS : LEAF_FIXED_EXTENSIONS];
  extensions.push(encodeExtension(OID.subjectKeyIdentifier, false, encodeOctetString(subjectKeyId)));
  // A self-signed root may omit the authority key identifier (RFC 5280 §4.2.1.1).
  if (!authorityKeyId.equals(subjectKeyId)) {
    extensions.push(encodeAuthorityKeyIdExtension(authorityKeyId));
  }
  if (template.uriSans.length > 0 || template.dnsSans.length > 0) {
    extensions.push(encodeExtension(OID.subjectAltName, false, encodeSubjectAltNames(template.uriSans, template.dnsSans)));
  }
  return encodeExplicit(3, encodeSequence(...extensions));
}

interface SignatureAlgorithm {
  readonly identifier: Buffer;
  readonly hash: 'sha256' | 'sha384';
}

const signatureAlgorithms = new WeakMap<KeyObject, SignatureAlgorithm>();

/** Returns the AlgorithmIdentifier and hash for a signing key (P-256 → ecdsa-with-SHA256, P-384 → SHA-384, RSA → SHA-256). */
export function signatureAlgorithmFor(key: KeyObject): SignatureAlgorithm {
  let algorithm = signatureAlgorithms.get(key);
  if (algorithm === undefined) {
    algorithm = findSignatureAlgorithm(key);
    signatureAlgorithms.set(key, algorithm);
  }
  return algorithm;
}

function findSignatureAlgorithm(key: KeyObject): SignatureAlgorithm {
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
