import { describe, expect, it } from 'vitest';

import { decodeChildren, decodeElement, decodeOid, encodeOid, encodeSequence, encodeTime, encodeTlv, encodeUnsignedInteger } from '../../../src/embedded/server/der.js';

describe('DER encoding', () => {
  it.each([
    { name: 'short form', length: 5, header: [0x04, 5] },
    { name: 'one length byte', length: 200, header: [0x04, 0x81, 200] },
    { name: 'two length bytes', length: 300, header: [0x04, 0x82, 0x01, 0x2c] },
    { name: 'three length bytes', length: 70_000, header: [0x04, 0x83, 0x01, 0x11, 0x70] },
  ])('encodes $name lengths', ({ length, header }) => {
    const encoded = encodeTlv(0x04, Buffer.alloc(length, 7));

    expect([...encoded.subarray(0, header.length)]).toEqual(header);
    expect(encoded.length).toBe(header.length + length);
    expect(decodeElement(encoded).content.length).toBe(length);
  });

  it.each([
    { name: 'zero', value: 0n, bytes: [0x02, 1, 0x00] },
    { name: 'high bit set', value: 0x80n, bytes: [0x02, 2, 0x00, 0x80] },
    { name: 'leading zeros', value: Buffer.from([0, 0, 0x12]), bytes: [0x02, 1, 0x12] },
  ])('encodes unsigned integer $name', ({ value, bytes }) => {
    expect([...encodeUnsignedInteger(value)]).toEqual(bytes);
  });

  it.each([
    { name: 'subjectAltName', oid: '2.5.29.17', bytes: [0x06, 3, 0x55, 0x1d, 0x11] },
    { name: 'ecdsa-with-SHA256', oid: '1.2.840.10045.4.3.2', bytes: [0x06, 8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02] },
  ])('round-trips OID $name', ({ oid, bytes }) => {
    const encoded = encodeOid(oid);

    expect([...encoded]).toEqual(bytes);
    expect(decodeOid(decodeElement(encoded).content)).toBe(oid);
  });

  it.each([
    { name: 'UTCTime before 2050', date: new Date('2049-12-31T23:59:59Z'), tag: 0x17, text: '491231235959Z' },
    { name: 'GeneralizedTime from 2050', date: new Date('2050-01-01T00:00:00Z'), tag: 0x18, text: '20500101000000Z' },
  ])('encodes $name', ({ date, tag, text }) => {
    const element = decodeElement(encodeTime(date));

    expect(element.tag).toBe(tag);
    expect(element.content.toString('latin1')).toBe(text);
  });

  it('decodes nested sequence children', () => {
    const encoded = encodeSequence(encodeUnsignedInteger(1), encodeSequence(encodeUnsignedInteger(2)));
    const children = decodeChildren(decodeElement(encoded).content);

    expect(children.map((child) => child.tag)).toEqual([0x02, 0x30]);
    expect(() => decodeElement(encoded.subarray(0, encoded.length - 1))).toThrow('truncated DER element');
  });
});
