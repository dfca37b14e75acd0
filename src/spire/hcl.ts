/**
 * Decodes SPIRE configuration files. SPIRE reads HCL v1 (hashicorp/hcl v1), which also
 * accepts JSON, so both are read here into one plain tree:
 *
 * - `key = value` sets a property. Values are strings, numbers, booleans, lists and objects.
 * - A block `key { … }` is the same as `key = { … }`.
 * - A labelled block `NodeAttestor "k8s_psat" { … }` nests: `{ NodeAttestor: { k8s_psat: { … } } }`.
 * - A key given twice merges when both values are objects (so `WorkloadAttestor "k8s" {…}`
 *   and `WorkloadAttestor "unix" {…}` share one `WorkloadAttestor` object). Otherwise the
 *   later value wins and the key is listed in `duplicateKeys`.
 *
 * A JSON document may hold lists of objects where HCL repeats a block (for example
 * `"WorkloadAttestor": [{"k8s": {…}}, {"unix": {…}}]`). The tree keeps those lists as they are.
 */
import { HclParseError } from './hcl-errors.js';
import { describeChar, tokenizeHcl, type HclToken } from './hcl-lexer.js';

export { HclParseError, isHclParseError } from './hcl-errors.js';

/** A decoded configuration value. `null` only comes from JSON input. */
export type HclValue = string | number | boolean | null | HclValue[] | HclObject;

/** A decoded object or block body. Keys keep the order they had in the text. */
export interface HclObject {
  [key: string]: HclValue;
}

/** The result of {@link parseHclDocument}. */
export interface HclDocument {
  readonly value: HclObject;
  /** Dotted paths of keys set more than once with a non-object value (the later value is kept). */
  readonly duplicateKeys: readonly string[];
  readonly format: 'hcl' | 'json';
}

/**
 * Parses HCL v1 or JSON configuration text into a plain object tree.
 *
 * @throws HclParseError with the line, column and what was expected, for text that is
 *   neither valid HCL v1 nor valid JSON.
 */
export function parseHcl(text: string): HclObject {
  return parseHclDocument(text).value;
}

/** Parses like {@link parseHcl} and also returns the duplicated keys and the input format. */
export function parseHclDocument(text: string): HclDocument {
  const tokens = tokenizeHcl(text);
  const format = tokens[0]?.kind === 'punct' && tokens[0].text === '{' ? 'json' : 'hcl';
  const parser = new Parser(tokens, format);
  const value = format === 'json' ? parser.parseJsonDocument() : parser.parseHclDocument();

  return { value, duplicateKeys: parser.duplicateKeys, format };
}

/** Returns true for a plain object (not a list, not null). */
export function isHclObject(value: HclValue | undefined): value is HclObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges objects left to right the way repeated blocks merge: nested objects combine
 * and any other later value wins. Used for JSON configs that list a block's objects.
 */
export function mergeHclObjects(objects: readonly HclObject[]): HclObject {
  const merged: HclObject = {};
  for (const object of objects) {
    for (const [key, value] of Object.entries(object)) setKey(merged, key, cloneHclValue(value), '', []);
  }
  return merged;
}

function cloneHclValue(value: HclValue): HclValue {
  if (Array.isArray(value)) return value.map(cloneHclValue);
  if (!isHclObject(value)) return value;
  const copy: HclObject = {};
  for (const [key, inner] of Object.entries(value)) defineKey(copy, key, cloneHclValue(inner));
  return copy;
}

class Parser {
  private position = 0;
  readonly duplicateKeys: string[] = [];

  constructor(
    private readonly tokens: readonly HclToken[],
    private readonly format: 'hcl' | 'json',
  ) {}

  parseHclDocument(): HclObject {
    return this.parseObjectBody('eof', '');
  }

  parseJsonDocument(): HclObject {
    this.expectPunct('{');
    const value = this.parseObjectBody('}', '');
    this.expectPunct('}');
    this.expectEnd();
    return value;
  }

  /** Parses object items until the closing token (`}` or end of input), which it leaves unread. */
  private parseObjectBody(closing: '}' | 'eof', path: string): HclObject {
    const body: HclObject = {};
    while (!this.atClosing(closing)) {
      this.parseItem(body, path, closing);
      if (this.isPunct(',')) this.position += 1;
    }
    return body;
  }

  private parseItem(body: HclObject, path: string, closing: '}' | 'eof'): void {
    const keys = this.parseKeys(closing);
    const [first, ...labels] = keys as [string, ...string[]];
    const itemPath = joinPath(path, first);

    if (this.isPunct('=') || (this.isPunct(':') && this.format === 'json')) {
      if (labels.length > 0) throw this.error('"{" after block labels', this.current());
      this.position += 1;
      setKey(body, first, this.parseValue(itemPath), path, this.duplicateKeys);
      return;
    }
    if (this.isPunct('{') && this.format === 'hcl') {
      this.position += 1;
      const inner = this.parseObjectBody('}', joinPath(itemPath, labels.join('.')));
      this.expectPunct('}');
      setKey(body, first, nestUnderLabels(labels, inner), path, this.duplicateKeys);
      return;
    }
    throw this.error(this.format === 'json' ? '":"' : '"=" or "{"', this.current());
  }

  private parseKeys(closing: '}' | 'eof'): string[] {
    const keys: string[] = [];
    for (;;) {
      const token = this.current();
      const isKey = token.kind === 'string' || (token.kind === 'ident' && this.format === 'hcl');
      if (!isKey) break;
      keys.push(token.text);
      this.position += 1;
      if (this.format === 'json') break;
    }
    if (keys.length === 0) {
      const expected = closing === 'eof' ? 'a key' : 'a key or "}"';
      throw this.error(this.format === 'json' ? 'a quoted key or "}"' : expected, this.current());
    }
    return keys;
  }

  private parseValue(path: string): HclValue {
    const token = this.current();
    this.position += 1;

    if (token.kind === 'string' || token.kind === 'number') return token.value ?? token.text;
    if (token.kind === 'ident' && (token.text === 'true' || token.text === 'false')) return token.text === 'true';
    if (token.kind === 'ident' && token.text === 'null' && this.format === 'json') return null;
    if (token.kind === 'punct' && token.text === '[') return this.parseListRest(path);
    if (token.kind === 'punct' && token.text === '{') {
      const value = this.parseObjectBody('}', path);
      this.expectPunct('}');
      return value;
    }

    this.position -= 1;
    throw this.error('a value (string, number, bool, list or object)', token);
  }

  /** Parses list elements after `[`. Commas separate elements, and a trailing comma is allowed. */
  private parseListRest(path: string): HclValue[] {
    const items: HclValue[] = [];
    while (!this.isPunct(']')) {
      items.push(this.parseValue(`${path}[${items.length}]`));
      if (!this.isPunct(',')) break;
      this.position += 1;
    }
    this.expectPunct(']');
    return items;
  }

  private atClosing(closing: '}' | 'eof'): boolean {
    const token = this.current();
    if (closing === 'eof') return token.kind === 'eof';
    if (token.kind === 'eof') throw this.error('"}"', token);
    return token.kind === 'punct' && token.text === '}';
  }

  private expectPunct(text: string): void {
    if (!this.isPunct(text)) throw this.error(`"${text}"`, this.current());
    this.position += 1;
  }

  private expectEnd(): void {
    const token = this.current();
    if (token.kind !== 'eof') throw this.error('end of input', token);
  }

  private isPunct(text: string): boolean {
    const token = this.current();
    return token.kind === 'punct' && token.text === text;
  }

  private current(): HclToken {
    const token = this.tokens[this.position] ?? this.tokens[this.tokens.length - 1];
    if (!token) throw new Error('tokenizer returned no tokens');
    return token;
  }

  private error(expected: string, token: HclToken): HclParseError {
    return new HclParseError({ line: token.line, column: token.column, expected, found: describeToken(token) });
  }
}

function describeToken(token: HclToken): string {
  switch (token.kind) {
    case 'eof':
      return 'end of input';
    case 'string':
      return `string ${JSON.stringify(token.text)}`;
    case 'punct':
      return describeChar(token.text);
    default:
      return `"${token.text}"`;
  }
}

function nestUnderLabels(labels: readonly string[], body: HclObject): HclObject {
  let value = body;
  for (const label of [...labels].reverse()) value = defineKey({}, label, value);
  return value;
}

/** Sets `key`, merging objects and recording a non-object key that is set twice. */
function setKey(target: HclObject, key: string, value: HclValue, path: string, duplicates: string[]): void {
  const existing = Object.hasOwn(target, key) ? target[key] : undefined;
  if (isHclObject(existing) && isHclObject(value)) {
    for (const [innerKey, innerValue] of Object.entries(value)) {
      setKey(existing, innerKey, innerValue, joinPath(path, key), duplicates);
    }
    return;
  }
  if (existing !== undefined) duplicates.push(joinPath(path, key));
  defineKey(target, key, value);
}

/** Adds an own property, so keys such as `__proto__` stay data. */
function defineKey(target: HclObject, key: string, value: HclValue): HclObject {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

function joinPath(path: string, key: string): string {
  if (key === '') return path;
  return path === '' ? key : `${path}.${key}`;
}
