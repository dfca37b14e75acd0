/**
 * Conversion between plain JSON values and `google.protobuf.Struct`, which carries the
 * claims of a validated JWT-SVID.
 */
import type { StructMessage, ValueMessage } from './proto.js';

/** Converts a JSON object to the `Struct` message shape. */
export function structFromJson(object: Readonly<Record<string, unknown>>): StructMessage {
  const fields: Record<string, ValueMessage> = {};
  for (const [key, value] of Object.entries(object)) fields[key] = valueFromJson(value);
  return { fields };
}

function valueFromJson(value: unknown): ValueMessage {
  if (value === null || value === undefined) return { kind: 'nullValue', nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { kind: 'numberValue', numberValue: value };
  if (typeof value === 'string') return { kind: 'stringValue', stringValue: value };
  if (typeof value === 'boolean') return { kind: 'boolValue', boolValue: value };
  if (Array.isArray(value)) return { kind: 'listValue', listValue: { values: value.map(valueFromJson) } };
  return { kind: 'structValue', structValue: structFromJson(value as Record<string, unknown>) };
}

/** Converts a `Struct` message back to a JSON object. */
export function jsonFromStruct(message: StructMessage | null | undefined): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message?.fields ?? {})) object[key] = jsonFromValue(value);
  return object;
}

function jsonFromValue(value: ValueMessage): unknown {
  switch (value.kind) {
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'listValue':
      return (value.listValue?.values ?? []).map(jsonFromValue);
    case 'structValue':
      return jsonFromStruct(value.structValue);
    default:
      return null;
  }
}
