/**
 * Splitting of concatenated DER certificates, the form the Workload API uses for
 * certificate chains and bundles.
 */

/** Splits a buffer of back-to-back DER `SEQUENCE` values into one buffer per value. */
export function splitDerSequence(concatenated: Uint8Array): Buffer[] {
  const items: Buffer[] = [];
  let offset = 0;
  while (offset < concatenated.length) {
    const length = derElementLength(concatenated, offset);
    items.push(Buffer.from(concatenated.subarray(offset, offset + length)));
    offset += length;
  }
  return items;
}

/** Returns the total length (header plus content) of the DER element at `offset`. */
function derElementLength(bytes: Uint8Array, offset: number): number {
  if (bytes[offset] !== 0x30) throw new Error(`invalid DER: expected a SEQUENCE at offset ${offset}`);

  const first = bytes[offset + 1];
  if (first === undefined) throw new Error(`invalid DER: truncated length at offset ${offset}`);
  if (first < 0x80) return 2 + first;

  const lengthBytes = first & 0x7f;
  if (lengthBytes === 0 || lengthBytes > 4) throw new Error(`invalid DER: unsupported length form at offset ${offset}`);
  let contentLength = 0;
  for (let i = 0; i < lengthBytes; i++) {
    const byte = bytes[offset + 2 + i];
    if (byte === undefined) throw new Error(`invalid DER: truncated length at offset ${offset}`);
    contentLength = contentLength * 256 + byte;
  }

  const total = 2 + lengthBytes + contentLength;
  if (offset + total > bytes.length) throw new Error(`invalid DER: element at offset ${offset} runs past the end`);
  return total;
}
