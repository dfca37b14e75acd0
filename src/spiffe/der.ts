/**
 * A minimal DER reader for the X.509 extensions that SPIFFE validation needs and
 * `node:crypto` does not expose: key usage bits, the critical flags, basic
 * constraints and the URI names of the subject alternative name extension.
 */

/** One DER element: its tag byte and the bytes of its value. */
export interface DerElement {
  readonly tag: number;
  readonly value: Uint8Array;
}

/** An X.509 v3 extension. */
export interface CertificateExtension {
  /** Dotted object identifier, for example `2.5.29.15`. */
  readonly oid: string;
  readonly critical: boolean;
  /** The DER encoding inside the extension's OCTET STRING. */
  readonly value: Uint8Array;
}

/** A DER structure that could not be read. */
export class DerError extends Error {
  override readonly name: string = 'DerError';
}

/**
 * Reads the DER elements that follow each other in `bytes`.
 *
 * @throws DerError when a length runs past the end or uses an unsupported form.
 */
export function readDerElements(bytes: Uint8Array): DerElement[] {
  const elements: DerElement[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const tag = bytes[offset] as number;
    if ((tag & 0x1f) === 0x1f) {
      throw new DerError('multi-byte DER tags are not supported');
    }
    const { length, headerLength } = readLength(bytes, offset + 1);
    const start = offset + 1 + headerLength;
    if (start + length > bytes.length) {
      throw new DerError(`DER element at offset ${offset} runs past the end of its parent`);
    }
    elements.push({ tag, value: bytes.subarray(start, start + length) });
    offset = start + length;
  }
  return elements;
}

function readLength(bytes: Uint8Array, offset: number): { length: number; headerLength: number } {
  const first = bytes[offset];
  if (first === undefined) {
    throw new DerError('DER length is missing');
  }
  if (first < 0x80) {
    return { length: first, headerLength: 1 };
  }
  const count = first & 0x7f;
  if (count === 0 || count > 4) {
    throw new DerError(`DER length with ${count} length bytes is not supported`);
  }
  let length = 0;
  for (let i = 1; i <= count; i++) {
    const byte = bytes[offset + i];
    if (byte === undefined) {
      throw new DerError('DER length is truncated');
    }
    length = length * 256 + byte;
  }
  return { length, headerLength: 1 + count };
}

/** Decodes a DER OBJECT IDENTIFIER value into dotted form. */
export function decodeOid(value: Uint8Array): string {
  const parts: number[] = [];
  let current = 0;
  for (const byte of value) {
    current = current * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(current);
      current = 0;
    }
  }
  const [first = 0, ...rest] = parts;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...rest].join('.');
}

const TAG_SEQUENCE = 0x30;
const TAG_BOOLEAN = 0x01;
const TAG_OCTET_STRING = 0x04;
const TAG_EXTENSIONS = 0xa3;

/**
 * Reads the extensions of a DER-encoded X.509 certificate.
 *
 * @throws DerError when the certificate structure is not as RFC 5280 describes.
 */
export function readCertificateExtensions(certificateDer: Uint8Array): CertificateExtension[] {
  const certificate = onlySequence(readDerElements(certificateDer), 'certificate');
  const tbs = readDerElements(certificate.value)[0];
  if (tbs === undefined || tbs.tag !== TAG_SEQUENCE) {
    throw new DerError('certificate has no TBSCertificate sequence');
  }

  const wrapper = readDerElements(tbs.value).find((element) => element.tag === TAG_EXTENSIONS);
  if (wrapper === undefined) {
    return [];
  }
  const list = onlySequence(readDerElements(wrapper.value), 'extensions');
  return readDerElements(list.value).map(readExtension);
}

function readExtension(element: DerElement): CertificateExtension {
  const fields = readDerElements(element.value);
  const oid = fields[0];
  const last = fields.at(-1);
  if (oid === undefined || last === undefined || last.tag !== TAG_OCTET_STRING) {
    throw new DerError('extension is not an OID with an OCTET STRING value');
  }
  const criticalField = fields.length === 3 ? fields[1] : undefined;
  const critical = criticalField !== undefined && criticalField.tag === TAG_BOOLEAN && criticalField.value[0] !== 0;
  return { oid: decodeOid(oid.value), critical, value: last.value };
}

function onlySequence(elements: DerElement[], structureName: string): DerElement {
  const [element] = elements;
  if (element === undefined || element.tag !== TAG_SEQUENCE) {
    throw new DerError(`${structureName} is not a DER sequence`);
  }
  return element;
}

/**
 * Decodes a KeyUsage BIT STRING into the names RFC 5280 gives its bits, in bit
 * order: digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment,
 * keyAgreement, keyCertSign, cRLSign, encipherOnly, decipherOnly.
 */
export function decodeKeyUsage(extensionValue: Uint8Array): string[] {
  const [bitString] = readDerElements(extensionValue);
  if (bitString === undefined || bitString.tag !== 0x03) {
    throw new DerError('key usage is not a BIT STRING');
  }
  const bits = bitString.value.subarray(1);
  return KEY_USAGE_NAMES.filter((_, index) => ((bits[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0);
}

const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** Decodes the `cA` flag of a BasicConstraints extension value (false when absent). */
export function decodeBasicConstraintsCa(extensionValue: Uint8Array): boolean {
  const sequence = onlySequence(readDerElements(extensionValue), 'basic constraints');
  const first = readDerElements(sequence.value)[0];
  return first !== undefined && first.tag === TAG_BOOLEAN && first.value[0] !== 0;
}

/** Returns the uniformResourceIdentifier names of a SubjectAltName extension value, as text. */
export function decodeSubjectAltNameUris(extensionValue: Uint8Array): string[] {
  const sequence = onlySequence(readDerElements(extensionValue), 'subject alternative name');
  return readDerElements(sequence.value)
    .filter((name) => name.tag === 0x86)
    .map((name) => new TextDecoder('latin1').decode(name.value));
}
