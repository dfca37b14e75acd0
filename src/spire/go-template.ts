/**
 * A small evaluator for the subset of Go text/template that ClusterSPIFFEID templates
 * use: literal text, `{{ .Field.Path }}` actions (with `{{-`/`-}}` trimming), string
 * literals, `index` and `{{/* comments *\/}}`. Results match Go's text/template: a
 * missing map key printed through a field path gives `<no value>`, through `index` an
 * empty string. Anything else (pipes, variables, `if`, `range`, functions other than
 * `index`) raises a GoTemplateError marked unsupported, so callers never see a guess.
 */
import { GoTemplateError } from './go-template-errors.js';
import { GO_STRUCT_TYPES, type GoValueKind } from './go-template-schema.js';
import { readGoQuoted } from './log-go-quote.js';

export { GoTemplateError, isGoTemplateError } from './go-template-errors.js';

/** Template data of the SPIRE Controller Manager (`templateData` in `pkg/spireentry/entries.go`). */
export interface GoTemplateData {
  readonly TrustDomain?: string;
  readonly ClusterName?: string;
  readonly ClusterDomain?: string;
  /** The pod's `metadata`, in its JSON form. */
  readonly PodMeta?: object;
  /** The pod's `spec`. */
  readonly PodSpec?: object;
  /** The node's `metadata`. */
  readonly NodeMeta?: object;
  /** The node's `spec`. */
  readonly NodeSpec?: object;
}

type ValueKind = GoValueKind | 'root' | 'string';

interface Resolved {
  readonly value: unknown;
  readonly kind: ValueKind;
  /** Set for a missing map key, which Go prints as `<no value>`. */
  readonly noValue?: boolean;
}

const ROOT_FIELDS: Readonly<Record<string, ValueKind>> = {
  TrustDomain: 'string',
  ClusterName: 'string',
  ClusterDomain: 'string',
  PodMeta: 'objectMeta',
  PodSpec: 'podSpec',
  NodeMeta: 'objectMeta',
  NodeSpec: 'nodeSpec',
};
const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue', 'nil']);

/**
 * Renders `template` with `data`.
 *
 * @throws GoTemplateError when the template is malformed, fails as Go would fail it (an
 *   unknown field, a nil object), or uses syntax outside the supported subset.
 */
export function renderGoTemplate(template: string, data: GoTemplateData): string {
  let output = '';
  let offset = 0;

  while (offset < template.length) {
    const open = template.indexOf('{{', offset);
    if (open === -1) return output + template.slice(offset);

    const trimLeft = template.startsWith('{{- ', open) || template.startsWith('{{-\t', open) || template.startsWith('{{-\n', open);
    const close = findActionEnd(template, open + 2);
    const trimRight = /[ \t\n]-$/.test(template.slice(open, close));
    const text = template.slice(offset, open);
    output += trimLeft ? text.trimEnd() : text;

    const body = template.slice(open + (trimLeft ? 3 : 2), trimRight ? close - 1 : close).trim();
    output += evaluateAction(body, data, template);
    offset = close + 2;
    if (trimRight) offset = skipSpace(template, offset);
  }
  return output;
}

function findActionEnd(template: string, from: number): number {
  let offset = from;
  while (offset < template.length) {
    const char = template[offset];
    if (char === '"') {
      offset = readGoQuoted(template, offset)?.end ?? fail(template, 'unterminated quoted string');
    } else if (char === '`') {
      const end = template.indexOf('`', offset + 1);
      offset = end === -1 ? fail(template, 'unterminated raw quoted string') : end + 1;
    } else if (template.startsWith('}}', offset)) {
      return offset;
    } else {
      offset += 1;
    }
  }
  return fail(template, 'unclosed action');
}

function skipSpace(text: string, from: number): number {
  let offset = from;
  while (/\s/.test(text[offset] ?? '')) offset += 1;
  return offset;
}

function evaluateAction(body: string, data: GoTemplateData, template: string): string {
  if (body.startsWith('/*')) {
    if (!body.endsWith('*/')) fail(template, 'unclosed comment');
    return '';
  }
  const words = splitWords(body, template);
  if (words.length === 0) fail(template, 'missing value for command');

  const [first, ...rest] = words as [string, ...string[]];
  if (first === 'index') return formatValue(evaluateIndex(rest, data, template), template);
  if (KEYWORDS.has(first)) fail(template, `"${body}" is outside the supported subset`, true);
  if (/^[A-Za-z_]/.test(first)) fail(template, `function "${first}" is not supported (only index is)`, true);
  if (rest.length > 0) fail(template, `"${body}" is outside the supported subset`, true);
  return formatValue(evaluateOperand(first, data, template), template);
}

/** Splits an action into words, keeping quoted strings whole. */
function splitWords(body: string, template: string): string[] {
  const words: string[] = [];
  let offset = 0;
  while (offset < body.length) {
    offset = skipSpace(body, offset);
    if (offset >= body.length) break;
    const char = body[offset] ?? '';
    if ('|()$='.includes(char) || body.startsWith(':=', offset)) fail(template, `"${body}" uses pipes, variables or parentheses, which are outside the supported subset`, true);

    let end = offset;
    if (char === '"') end = readGoQuoted(body, offset)?.end ?? fail(template, 'unterminated quoted string');
    else if (char === '`') end = body.indexOf('`', offset + 1) + 1 || fail(template, 'unterminated raw quoted string');
    else while (end < body.length && !/\s/.test(body[end] ?? '')) end += 1;

    words.push(body.slice(offset, end));
    offset = end;
  }
  return words;
}

function evaluateOperand(word: string, data: GoTemplateData, template: string): Resolved {
  if (word.startsWith('"')) return { value: readGoQuoted(word, 0)?.value ?? '', kind: 'string' };
  if (word.startsWith('`')) return { value: word.slice(1, -1), kind: 'string' };
  if (/^-?\d+$/.test(word)) return { value: Number(word), kind: 'other' };
  if (!word.startsWith('.')) fail(template, `function "${word}" is not supported (only index is)`, true);

  let current: Resolved = { value: data, kind: 'root' };
  for (const name of word.split('.').slice(1)) {
    if (name === '') {
      if (word === '.') return current;
      fail(template, `bad field path "${word}"`);
    }
    current = resolveField(current, name, template);
  }
  return current;
}

function resolveField(current: Resolved, name: string, template: string): Resolved {
  if (current.noValue) fail(template, `can't evaluate field ${name} in a missing map value`);

  switch (current.kind) {
    case 'root':
      return resolveRootField(current.value as GoTemplateData, name, template);
    case 'objectMeta':
    case 'podSpec':
    case 'nodeSpec':
      return resolveStructField(current, current.kind, name, template);
    case 'stringMap': {
      const map = (current.value ?? {}) as Record<string, unknown>;
      return Object.hasOwn(map, name) ? { value: map[name], kind: 'string' } : { value: undefined, kind: 'string', noValue: true };
    }
    default:
      return fail(template, `field ${name} of a value other than ObjectMeta, PodSpec, NodeSpec or a label map is outside the supported subset`, true);
  }
}

function resolveRootField(data: GoTemplateData, name: string, template: string): Resolved {
  const kind = ROOT_FIELDS[name];
  if (kind === undefined) return fail(template, `can't evaluate field ${name} in type *spireentry.templateData`);
  return { value: (data as Record<string, unknown>)[name], kind };
}

function resolveStructField(current: Resolved, type: 'objectMeta' | 'podSpec' | 'nodeSpec', name: string, template: string): Resolved {
  if (current.value === undefined || current.value === null) fail(template, `nil pointer evaluating field ${name}`);
  const field = GO_STRUCT_TYPES[type].fields.get(name);
  if (field === undefined) return fail(template, `can't evaluate field ${name} in type ${goTypeName(type)}`);

  const value = (current.value as Record<string, unknown>)[field.json];
  if (value === undefined && field.zero !== undefined) return { value: field.zero, kind: 'string' };
  return { value, kind: field.kind };
}

function evaluateIndex(args: readonly string[], data: GoTemplateData, template: string): Resolved {
  if (args.length < 2) fail(template, 'wrong number of args for index: want at least 2');
  const [collectionWord, ...keyWords] = args as [string, ...string[]];
  let current = evaluateOperand(collectionWord, data, template);

  for (const keyWord of keyWords) {
    const key = evaluateOperand(keyWord, data, template).value;
    if (current.kind === 'stringMap' && typeof key === 'string') {
      const map = (current.value ?? {}) as Record<string, unknown>;
      current = { value: Object.hasOwn(map, key) ? map[key] : '', kind: 'string' };
    } else if (Array.isArray(current.value) && typeof key === 'number') {
      if (key < 0 || key >= current.value.length) fail(template, `error calling index: index out of range: ${key}`);
      current = { value: current.value[key], kind: 'other' };
    } else {
      fail(template, 'index is supported on label and annotation maps with string keys, and on lists with integer indexes', true);
    }
  }
  return current;
}

function formatValue(resolved: Resolved, template: string): string {
  if (resolved.noValue) return '<no value>';
  const value = resolved.value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(template, 'the action renders an object, a list or an unset field, which this evaluator does not format as Go would', true);
}

function goTypeName(type: 'objectMeta' | 'podSpec' | 'nodeSpec'): string {
  return { objectMeta: '*v1.ObjectMeta', podSpec: '*v1.PodSpec', nodeSpec: '*v1.NodeSpec' }[type];
}

function fail(template: string, problem: string, unsupported = false): never {
  throw new GoTemplateError(template, problem, { unsupported });
}
