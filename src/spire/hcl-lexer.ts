/**
 * Tokenizer for HCL v1, the configuration syntax SPIRE's agent and server read
 * (hashicorp/hcl v1), extended with `:` and `null` so the same parser also reads JSON.
 * Whitespace, newlines and the three comment forms (`#`, `//`, `/* *\/`) separate tokens
 * and are dropped.
 */
import { HclParseError } from './hcl-errors.js';

export type HclTokenKind = 'ident' | 'string' | 'number' | 'punct' | 'eof';

export interface HclToken {
  readonly kind: HclTokenKind;
  /** Source text of the token (the decoded text for strings and heredocs). */
  readonly text: string;
  /** Decoded value: the string content, or the number. */
  readonly value?: string | number;
  readonly line: number;
  readonly column: number;
}

const PUNCTUATION = new Set(['{', '}', '[', ']', '=', ',', ':']);
const HEX_ESCAPE_WIDTHS: Record<string, number> = { x: 2, u: 4, U: 8 };
const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  '"': '"',
  '/': '/',
};

/** Splits HCL v1 (or JSON) text into tokens, ending with one `eof` token. */
export function tokenizeHcl(text: string): HclToken[] {
  const scanner = new Scanner(text);
  const tokens: HclToken[] = [];
  for (;;) {
    const token = scanner.next();
    tokens.push(token);
    if (token.kind === 'eof') return tokens;
  }
}

class Scanner {
  private offset = 0;
  private line = 1;
  private column = 1;

  constructor(private readonly text: string) {}

  next(): HclToken {
    this.skipSpaceAndComments();
    const line = this.line;
    const column = this.column;
    const char = this.peek();

    if (char === undefined) return { kind: 'eof', text: '', line, column };
    if (PUNCTUATION.has(char)) {
      this.advance();
      return { kind: 'punct', text: char, line, column };
    }
    if (char === '"') return this.readString(line, column);
    if (char === '<' && this.text.startsWith('<<', this.offset)) return this.readHeredoc(line, column);
    if (char === '-' || isDigit(char)) return this.readNumber(line, column);
    if (isIdentStart(char)) return this.readIdent(line, column);

    throw this.error('a key, a value or punctuation', describeChar(char));
  }

  private skipSpaceAndComments(): void {
    for (;;) {
      const char = this.peek();
      if (char === ' ' || char === '\t' || char === '\r' || char === '\n' || char === '\uFEFF') {
        this.advance();
      } else if (char === '#' || (char === '/' && this.peek(1) === '/')) {
        while (this.peek() !== undefined && this.peek() !== '\n') this.advance();
      } else if (char === '/' && this.peek(1) === '*') {
        this.skipBlockComment();
      } else {
        return;
      }
    }
  }

  private skipBlockComment(): void {
    const line = this.line;
    const column = this.column;
    this.advance(2);
    while (!(this.peek() === '*' && this.peek(1) === '/')) {
      if (this.peek() === undefined) throw new HclParseError({ line, column, expected: 'a comment closed by "*/"', found: 'end of input' });
      this.advance();
    }
    this.advance(2);
  }

  private readIdent(line: number, column: number): HclToken {
    const start = this.offset;
    while (isIdentPart(this.peek())) this.advance();
    const text = this.text.slice(start, this.offset);
    return { kind: 'ident', text, line, column };
  }

  private readNumber(line: number, column: number): HclToken {
    const rest = this.text.slice(this.offset);
    const match = /^-?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(rest);
    if (!match || isIdentPart(rest[match[0].length])) {
      const word = /^-?[\p{L}\p{N}_.-]*/u.exec(rest)?.[0] ?? '';
      throw this.error('a number (quote other values, for example "1h")', word === '' ? describeChar(rest[0] ?? '') : JSON.stringify(word));
    }
    this.advance(match[0].length);
    const text = match[0];
    const value = /0[xX]/.test(text) ? parseHexInteger(text) : Number(text);
    return { kind: 'number', text, value, line, column };
  }

  private readString(line: number, column: number): HclToken {
    this.advance();
    let value = '';
    for (;;) {
      const char = this.peek();
      if (char === undefined || char === '\n') {
        throw new HclParseError({ line, column, expected: 'a string closed by a double quote on the same line', found: char === undefined ? 'end of input' : 'a newline' });
      }
      this.advance();
      if (char === '"') break;
      value += char === '\\' ? this.readEscape() : char;
    }
    return { kind: 'string', text: value, value, line, column };
  }

  private readEscape(): string {
    const char = this.peek();
    if (char !== undefined && char in SIMPLE_ESCAPES) {
      this.advance();
      return SIMPLE_ESCAPES[char] ?? '';
    }
    const width = HEX_ESCAPE_WIDTHS[char ?? ''] ?? 0;
    const digits = this.text.slice(this.offset + 1, this.offset + 1 + width);
    if (width === 0 || !new RegExp(`^[0-9a-fA-F]{${width}}$`).test(digits)) {
      throw this.error('a valid escape sequence (\\n, \\t, \\", \\\\, \\uXXXX)', `"\\${char ?? ''}"`);
    }
    const codePoint = Number.parseInt(digits, 16);
    if (codePoint > 0x10ffff) throw this.error('a Unicode code point up to U+10FFFF', `"\\${char}${digits}"`);
    this.advance(width + 1);
    return String.fromCodePoint(codePoint);
  }

  /**
   * Reads `<<ID` or `<<-ID` up to a line that contains only ID. The value keeps the newline
   * after every content line. `<<-` also removes the indentation common to the lines.
   */
  private readHeredoc(line: number, column: number): HclToken {
    const header = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\r?\n/.exec(this.text.slice(this.offset));
    if (!header) throw this.error('a heredoc marker such as <<EOF followed by a newline', describeChar('<'));
    const [whole, dash, marker] = header as unknown as [string, string, string];
    this.advance(whole.length);

    const lines: string[] = [];
    for (;;) {
      if (this.peek() === undefined) {
        throw new HclParseError({ line, column, expected: `a line with only "${marker}" closing the heredoc`, found: 'end of input' });
      }
      const end = this.text.indexOf('\n', this.offset);
      const lineText = this.text.slice(this.offset, end === -1 ? this.text.length : end).replace(/\r$/, '');
      this.advance((end === -1 ? this.text.length : end) - this.offset);
      if (lineText.trim() === marker) break;
      lines.push(lineText);
      if (this.peek() === '\n') this.advance();
    }

    const value = (dash === '-' ? removeCommonIndent(lines) : lines).map((text) => `${text}\n`).join('');
    return { kind: 'string', text: value, value, line, column };
  }

  private peek(ahead = 0): string | undefined {
    return this.text[this.offset + ahead];
  }

  private advance(count = 1): void {
    for (let i = 0; i < count && this.offset < this.text.length; i += 1) {
      if (this.text[this.offset] === '\n') {
        this.line += 1;
        this.column = 1;
      } else {
        this.column += 1;
      }
      this.offset += 1;
    }
  }

  private error(expected: string, found: string): HclParseError {
    return new HclParseError({ line: this.line, column: this.column, expected, found });
  }
}

function removeCommonIndent(lines: readonly string[]): string[] {
  const indents = lines.filter((text) => text.trim() !== '').map((text) => /^[ \t]*/.exec(text)?.[0].length ?? 0);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((text) => text.slice(Math.min(common, /^[ \t]*/.exec(text)?.[0].length ?? 0)));
}

function parseHexInteger(text: string): number {
  const negative = text.startsWith('-');
  const magnitude = Number.parseInt(text.replace(/^-?0[xX]/, ''), 16);
  return negative ? -magnitude : magnitude;
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

function isIdentStart(char: string | undefined): boolean {
  return char !== undefined && /^[\p{L}_]$/u.test(char);
}

function isIdentPart(char: string | undefined): boolean {
  return char !== undefined && /^[\p{L}\p{N}_.-]$/u.test(char);
}

/** Names a character for an error message, spelling out the invisible ones. */
export function describeChar(char: string): string {
  if (char === '') return 'end of input';
  if (char === '\n') return 'a newline';
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return JSON.stringify(char);
}
