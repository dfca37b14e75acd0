/**
 * Encodes the `grpc-status-details-bin` trailer: a `google.rpc.Status` whose details
 * hold one `spire.api.types.PermissionDeniedDetails`, as SPIRE 1.15 attaches to agent
 * authorization failures. The three messages are small enough to encode by hand.
 */

/** `PermissionDeniedDetails.Reason` values. */
export const PERMISSION_DENIED_REASONS = {
  UNKNOWN: 0,
  AGENT_EXPIRED: 1,
  AGENT_NOT_ATTESTED: 2,
  AGENT_NOT_ACTIVE: 3,
  AGENT_BANNED: 4,
  AGENT_MUST_REATTEST: 5,
} as const;

export type PermissionDeniedReason = keyof typeof PERMISSION_DENIED_REASONS;

const DETAILS_TYPE_URL = 'type.googleapis.com/spire.api.types.PermissionDeniedDetails';

function encodeVarint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value >>> 0;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function encodeField(fieldNumber: number, value: Buffer | number): Buffer {
  if (typeof value === 'number') {
    return Buffer.concat([encodeVarint(fieldNumber << 3), encodeVarint(value)]);
  }
  return Buffer.concat([encodeVarint((fieldNumber << 3) | 2), encodeVarint(value.length), value]);
}

/** Returns the serialized `google.rpc.Status` for a permission denial with `reason`. */
export function encodePermissionDeniedStatus(code: number, message: string, reason: PermissionDeniedReason): Buffer {
  const details = encodeField(1, PERMISSION_DENIED_REASONS[reason]);
  const any = Buffer.concat([encodeField(1, Buffer.from(DETAILS_TYPE_URL)), encodeField(2, details)]);
  return Buffer.concat([encodeField(1, code), encodeField(2, Buffer.from(message)), encodeField(3, any)]);
}
