/**
 * Decoding of Go double-quoted string literals, the form logrus's text formatter uses
 * for values that contain spaces or quotes (it quotes them with Go's `%q`).
 */

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};
const HEX_WIDTHS: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * Reads a Go double-quoted literal that starts at `start` (the opening quote) and
 * returns its decoded value and the offset just past the closing quote. `\x` and octal
 * escapes are bytes, decoded together as UTF-8. Returns undefined when the literal is
 * not closed.
 */
export function readGoQuoted(text: string, start: number): { value: string; end: number } | undefined {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  let offset = start + 1;

  while (offset < text.length) {
    const char = text[offset] ?? '';
    if (char === '"') return { value: new TextDecoder().decode(new Uint8Array(bytes)), end: offset + 1 };
    if (char !== '\\') {
      const codePoint = text.codePointAt(offset) ?? 0;
      const literal = String.fromCodePoint(codePoint);
      bytes.push(...encoder.encode(literal));
      offset += literal.length;
      continue;
    }

    const escape = decodeEscape(text, offset + 1);
    bytes.push(...(typeof escape.value === 'number' ? [escape.value] : encoder.encode(escape.value)));
    offset = escape.end;
  }
  return undefined;
}

/** Decodes one escape after the backslash: a string for characters, a number for a raw byte. */
function decodeEscape(text: string, offset: number): { value: string | number; end: number } {
  const kind = text[offset] ?? '';
  const simple = SIMPLE_ESCAPES[kind];
  if (simple !== undefined) return { value: simple, end: offset + 1 };

  const width = HEX_WIDTHS[kind];
  if (width !== undefined) {
    const digits = text.slice(offset + 1, offset + 1 + width);
    const number = /^[0-9a-fA-F]+$/.test(digits) && digits.length === width ? Number.parseInt(digits, 16) : Number.NaN;
    if (Number.isNaN(number) || number > 0x10ffff) return { value: `\\${kind}`, end: offset + 1 };
    return { value: kind === 'x' ? number : String.fromCodePoint(number), end: offset + 1 + width };
  }

  const octal = /^[0-7]{3}/.exec(text.slice(offset, offset + 3));
  if (octal) return { value: Number.parseInt(octal[0], 8) & 0xff, end: offset + 3 };

  // Go rejects other escapes, so a line with one was not written by logrus: keep it verbatim.
  return { value: `\\${kind}`, end: offset + 1 };
}
