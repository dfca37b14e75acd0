/**
 * The `selectors` field of SPIRE agent log lines, which SPIRE versions print in three
 * forms:
 * - Go protobuf text of a selector list, from the text formatter:
 *   `[type:"k8s" value:"ns:default" type:"unix" value:"uid:0"]` (spacing varies, because
 *   Go's protobuf text output adds random extra spaces);
 * - the same list as JSON, from the JSON formatter: `[{"type":"k8s","value":"ns:default"}]`;
 * - a sorted comma-separated list, on "No identity issued" lines from SPIRE 1.15.2 on:
 *   `k8s:ns:default,unix:user:root`.
 */
import { readGoQuoted } from './log-go-quote.js';

const PROTO_FIELD = /(type|value)\s*:\s*"/y;

/**
 * Parses a logged selector list into `type:value` strings, in logged order. Returns an
 * empty list for an empty field and undefined when the text is in none of the forms.
 */
export function parseLoggedSelectors(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === '[]') return [];
  if (trimmed.startsWith('[{')) return parseJsonSelectors(trimmed);
  if (trimmed.startsWith('[')) return parseProtoTextSelectors(trimmed);
  return parseCommaSelectors(trimmed);
}

function parseJsonSelectors(text: string): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;

  const selectors: string[] = [];
  for (const item of value) {
    const { type, value: selectorValue } = (item ?? {}) as { type?: unknown; value?: unknown };
    if (typeof type !== 'string' || typeof selectorValue !== 'string') return undefined;
    selectors.push(`${type}:${selectorValue}`);
  }
  return selectors;
}

/** Reads `type:"…" value:"…"` pairs from protobuf text; each selector has both fields. */
function parseProtoTextSelectors(text: string): string[] | undefined {
  const selectors: string[] = [];
  let pending: { type?: string; value?: string } = {};
  let offset = 1;

  while (offset < text.length) {
    while (/[\s,]/.test(text[offset] ?? '')) offset += 1;
    if (text[offset] === ']') break;

    PROTO_FIELD.lastIndex = offset;
    const field = PROTO_FIELD.exec(text);
    if (!field) return undefined;
    const quoted = readGoQuoted(text, offset + field[0].length - 1);
    if (!quoted) return undefined;
    offset = quoted.end;

    pending = { ...pending, [field[1] === 'type' ? 'type' : 'value']: quoted.value };
    if (pending.type !== undefined && pending.value !== undefined) {
      selectors.push(`${pending.type}:${pending.value}`);
      pending = {};
    }
  }
  return pending.type === undefined && pending.value === undefined ? selectors : undefined;
}

function parseCommaSelectors(text: string): string[] | undefined {
  const selectors = text.split(',').map((selector) => selector.trim());
  return selectors.every((selector) => /^[^:\s]+:\S/.test(selector)) ? selectors : undefined;
}
