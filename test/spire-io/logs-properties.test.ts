import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { classifySpireLog, parseLoggedSelectors, parseSpireLogLine } from '../../src/spire/logs.js';

/** Quotes text the way Go's `%q` does for the characters the generator produces. */
function goQuote(text: string): string {
  let quoted = '"';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === '\\') quoted += `\\${char}`;
    else if (char === '\n') quoted += '\\n';
    else if (char === '\t') quoted += '\\t';
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, '0')}`;
    else quoted += char;
  }
  return `${quoted}"`;
}

describe('log parsing properties', () => {
  it('never throws on random text', () => {
    const pieces = fc.constantFrom('level=', 'msg=', '"', '\\', '{', '}', '[', ']', 'time=', ' ', 'INFO[0000]', '\x1b[36m', 'x', '=', 'type:', 'value:');
    const lines = fc.oneof(fc.string({ maxLength: 80 }), fc.array(pieces, { maxLength: 30 }).map((parts) => parts.join('')));

    fc.assert(
      fc.property(lines, (line) => {
        const record = parseSpireLogLine(line);
        if (record !== undefined) classifySpireLog(record);
        parseLoggedSelectors(line);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips Go-quoted values', () => {
    const values = fc.string({ unit: 'grapheme', maxLength: 40 });

    fc.assert(
      fc.property(values, values, (message, error) => {
        const record = parseSpireLogLine(`time="2025-06-01T08:00:00Z" level=error msg=${goQuote(message)} error=${goQuote(error)}`);

        expect(record?.message).toBe(message);
        expect(record?.fields.error).toBe(error);
      }),
    );
  });

  it('round-trips protobuf text selectors', () => {
    const part = fc.string({ minLength: 1, maxLength: 12 }).filter((text) => !text.includes(':'));
    const selectors = fc.array(fc.tuple(part, fc.string({ minLength: 1, maxLength: 20 })), { maxLength: 6 });

    fc.assert(
      fc.property(selectors, (pairs) => {
        const text = `[${pairs.map(([type, value]) => `type:${goQuote(type)} value:${goQuote(value)}`).join(' ')}]`;

        expect(parseLoggedSelectors(text)).toEqual(pairs.map(([type, value]) => `${type}:${value}`));
      }),
    );
  });
});
