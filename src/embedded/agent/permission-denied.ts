/**
 * Reads the reason the server attaches when it denies an agent call (SPIRE 1.15
 * `PermissionDeniedDetails` inside the `grpc-status-details-bin` trailer, a
 * `google.rpc.Status`). The agent shuts down on these, because a join-token agent can
 * neither re-attest nor serve once the server has evicted or banned it.
 */
import type * as grpc from '@grpc/grpc-js';
import { PERMISSION_DENIED_REASONS, type PermissionDeniedReason } from '../server/api/status-details.js';

const DETAILS_TYPE_URL = 'type.googleapis.com/spire.api.types.PermissionDeniedDetails';

interface ProtoField {
  readonly number: number;
  readonly value: number | Buffer;
}

/** Returns the denial reason carried by `error`, or undefined when there is none. */
export function findPermissionDeniedReason(error: grpc.ServiceError): PermissionDeniedReason | undefined {
  const trailer = error.metadata?.get('grpc-status-details-bin')[0];
  if (!Buffer.isBuffer(trailer)) return undefined;

  try {
    for (const detail of readFields(trailer).filter((field) => field.number === 3)) {
      const anyFields = readFields(detail.value as Buffer);
      const typeUrl = anyFields.find((field) => field.number === 1)?.value;
      const payload = anyFields.find((field) => field.number === 2)?.value;
      if (!Buffer.isBuffer(typeUrl) || typeUrl.toString() !== DETAILS_TYPE_URL || !Buffer.isBuffer(payload)) continue;
      const reason = readFields(payload).find((field) => field.number === 1)?.value ?? 0;
      return reasonName(reason as number);
    }
  } catch {
    // A malformed trailer carries no usable reason; the status code still applies.
    return undefined;
  }
  return undefined;
}

function reasonName(value: number): PermissionDeniedReason {
  const entry = Object.entries(PERMISSION_DENIED_REASONS).find(([, number]) => number === value);
  return (entry?.[0] as PermissionDeniedReason | undefined) ?? 'UNKNOWN';
}

/** Decodes the varint and length-delimited fields of one protobuf message. */
function readFields(bytes: Buffer): ProtoField[] {
  const fields: ProtoField[] = [];
  let offset = 0;
  const readVarint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[offset++];
      if (byte === undefined) throw new Error('truncated varint');
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
    }
  };

  while (offset < bytes.length) {
    const key = readVarint();
    const wireType = key & 0x7;
    const number = Math.floor(key / 8);
    if (wireType === 0) {
      fields.push({ number, value: readVarint() });
      continue;
    }
    if (wireType !== 2) throw new Error(`unsupported wire type ${wireType}`);
    const length = readVarint();
    fields.push({ number, value: bytes.subarray(offset, offset + length) });
    offset += length;
  }
  return fields;
}
