/**
 * Minimal DER (ITU-T X.690) encoding and decoding for the few ASN.1 structures the
 * server builds and reads: certificates, their extensions and PKCS#10 requests.
 * Hand-built DER keeps X509-SVID issuance close to the cost of the signature itself.
 */

/** Universal and context-specific tag bytes used by X.509 and PKCS#10. */
export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

function lengthOfLength(length: number): number {
  if (length < 0x80) return 1;
  let bytes = 0;
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes += 1;
  return 1 + bytes;
}

function writeHeader(target: Buffer, tag: number, length: number): number {
  target[0] = tag;
  if (length < 0x80) {
    target[1] = length;
    return 2;
  }
  const lengthBytes = lengthOfLength(length) - 1;
  target[1] = 0x80 | lengthBytes;
  for (let index = lengthBytes, rest = length; index >= 1; index -= 1, rest = Math.floor(rest / 256)) {
    target[1 + index] = rest & 0xff;
  }
  return 2 + lengthBytes;
}

/** Encodes one TLV with the given tag byte around the concatenation of `parts`, in one allocation. */
export function encodeTlvParts(tag: number, parts: readonly Buffer[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.length;
  const encoded = Buffer.allocUnsafe(1 + lengthOfLength(length) + length);
  let offset = writeHeader(encoded, tag, length);
  for (const part of parts) {
    part.copy(encoded, offset);
    offset += part.length;
  }
  return encoded;
}

/** Encodes one TLV with the given tag byte around `content`. */
export function encodeTlv(tag: number, content: Buffer): Buffer {
  return encodeTlvParts(tag, [content]);
}

export function encodeSequence(...items: readonly Buffer[]): Buffer {
  return encodeTlvParts(TAG.sequence, items);
}

export function encodeSet(...items: readonly Buffer[]): Buffer {
  return encodeTlvParts(TAG.set, items);
}

/** Encodes a context-specific constructed tag `[n] EXPLICIT`. */
export function encodeExplicit(tagNumber: number, content: Buffer): Buffer {
  return encodeTlv(0xa0 | tagNumber, content);
}

/** Encodes a non-negative integer given as big-endian magnitude bytes or a bigint. */
export function encodeUnsignedInteger(value: Buffer | bigint | number): Buffer {
  let bytes = typeof value === 'object' ? value : bigintToBytes(BigInt(value));
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) {
    start += 1;
  }
  bytes = bytes.subarray(start);
  if (bytes.length === 0 || (bytes[0]! & 0x80) !== 0) {
    bytes = Buffer.concat([Buffer.from([0]), bytes]);
  }
  return encodeTlv(TAG.integer, bytes);
}

function bigintToBytes(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

export function encodeBoolean(value: boolean): Buffer {
  return encodeTlv(TAG.boolean, Buffer.from([value ? 0xff : 0x00]));
}

export function encodeNull(): Buffer {
  return Buffer.from([TAG.null, 0]);
}

export function encodeOctetString(content: Buffer): Buffer {
  return encodeTlv(TAG.octetString, content);
}

/** Encodes a BIT STRING whose last byte has `unusedBits` padding bits. */
export function encodeBitString(content: Buffer, unusedBits = 0): Buffer {
  return encodeTlvParts(TAG.bitString, [Buffer.from([unusedBits]), content]);
}

const encodedOids = new Map<string, Buffer>();

/** Encodes a dotted object identifier such as `2.5.29.17`; results are cached because the set of OIDs is small. */
export function encodeOid(dotted: string): Buffer {
  let encoded = encodedOids.get(dotted);
  if (encoded === undefined) {
    encoded = encodeOidUncached(dotted);
    encodedOids.set(dotted, encoded);
  }
  return encoded;
}

function encodeOidUncached(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => Number.parseInt(arc, 10));
  const bytes: number[] = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) {
      chunk.unshift((rest & 0x7f) | 0x80);
    }
    bytes.push(...chunk);
  }
  return encodeTlv(TAG.oid, Buffer.from(bytes));
}

/** Encodes a time as UTCTime before 2050 and GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5). */
export function encodeTime(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  if (date.getUTCFullYear() < 2050) {
    return encodeTlv(TAG.utcTime, Buffer.from(digits.slice(2), 'latin1'));
  }
  return encodeTlv(TAG.generalizedTime, Buffer.from(digits, 'latin1'));
}

/** A decoded TLV: `content` is a view into the source buffer, `encoded` the whole element. */
export interface DerElement {
  readonly tag: number;
  readonly content: Buffer;
  readonly encoded: Buffer;
}

/** Decodes the TLV that starts at `offset`; throws on truncated or indefinite-length input. */
export function decodeElement(buffer: Buffer, offset = 0): DerElement {
  if (offset + 2 > buffer.length) {
    throw new Error('truncated DER element');
  }

  const tag = buffer[offset]!;
  let length = buffer[offset + 1]!;
  let headerLength = 2;
  if (length & 0x80) {
    const lengthBytes = length & 0x7f;
    if (lengthBytes === 0 || lengthBytes > 4 || offset + 2 + lengthBytes > buffer.length) {
      throw new Error('unsupported DER length encoding');
    }
    length = 0;
    for (let index = 0; index < lengthBytes; index += 1) {
      length = length * 256 + buffer[offset + 2 + index]!;
    }
    headerLength += lengthBytes;
  }

  const end = offset + headerLength + length;
  if (end > buffer.length) {
    throw new Error('truncated DER element');
  }
  return {
    tag,
    content: buffer.subarray(offset + headerLength, end),
    encoded: buffer.subarray(offset, end),
  };
}

/** Decodes every TLV inside a constructed element's content. */
export function decodeChildren(content: Buffer): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = 0; offset < content.length; ) {
    const child = decodeElement(content, offset);
    children.push(child);
    offset += child.encoded.length;
  }
  return children;
}

/** Decodes an OBJECT IDENTIFIER's content into dotted form. */
export function decodeOid(content: Buffer): string {
  if (content.length === 0) {
    throw new Error('empty object identifier');
  }

  const arcs: number[] = [Math.min(2, Math.floor(content[0]! / 40)), content[0]! - 40 * Math.min(2, Math.floor(content[0]! / 40))];
  let value = 0;
  for (const byte of content.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}
