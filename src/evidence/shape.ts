/**
 * Small structural rules for validating untrusted JSON against an expected shape.
 * A rule appends one problem per mismatch, each naming the field path (`pod.spec.containers[0].name`),
 * so a user can fix a hand-written evidence file in one pass.
 */

/** One place where a value does not have the expected shape. */
export interface ShapeProblem {
  /** Dotted path from the document root, for example `entries[2].selectors`. */
  readonly path: string;
  /** The expected kind of value, for example `a string`. */
  readonly expected: string;
  /** The kind of value found instead, for example `a number`. */
  readonly found: string;
}

/** A check of one value; it pushes problems instead of throwing. */
export type ShapeRule = (value: unknown, path: string, problems: ShapeProblem[]) => void;

/** Names the JSON type of a value the way an error message should. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeRule(expected: string, test: (value: unknown) => boolean): ShapeRule {
  return (value, path, problems) => {
    if (!test(value)) problems.push({ path, expected, found: describeJsonType(value) });
  };
}

export const aString: ShapeRule = typeRule('a string', (value) => typeof value === 'string');
export const aBoolean: ShapeRule = typeRule('a boolean', (value) => typeof value === 'boolean');
export const aNumber: ShapeRule = typeRule('a number', (value) => typeof value === 'number' && Number.isFinite(value));
export const anInteger: ShapeRule = typeRule('an integer', (value) => Number.isInteger(value));
export const anyObject: ShapeRule = typeRule('an object', isPlainObject);

/** A protojson int64: SPIRE prints these as decimal strings; hand-written files may use numbers. */
export const anInt64: ShapeRule = typeRule(
  'an integer or a decimal string',
  (value) => Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value)),
);

/** A string that `Date.parse` accepts as an RFC 3339 date-time. */
export const aDateTime: ShapeRule = typeRule(
  'an RFC 3339 date-time string',
  (value) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)),
);

/** A string equal to `literal`. */
export function theString(literal: string): ShapeRule {
  return (value, path, problems) => {
    if (value === literal) return;
    const found = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : describeJsonType(value);
    problems.push({ path, expected: JSON.stringify(literal), found });
  };
}

/**
 * An object whose listed fields, when present, follow their rules. Fields not listed
 * are accepted as they are, because evidence keeps fields a later version may add.
 */
export function objectOf(fields: Readonly<Record<string, ShapeRule>>, required: readonly string[] = []): ShapeRule {
  return (value, path, problems) => {
    if (!isPlainObject(value)) {
      problems.push({ path, expected: 'an object', found: describeJsonType(value) });
      return;
    }

    for (const name of required) {
      if (value[name] === undefined) problems.push({ path: joinPath(path, name), expected: 'a value', found: 'nothing' });
    }

    for (const [name, rule] of Object.entries(fields)) {
      if (value[name] !== undefined) rule(value[name], joinPath(path, name), problems);
    }
  };
}

/** An array whose every item follows `item`. */
export function arrayOf(item: ShapeRule): ShapeRule {
  return (value, path, problems) => {
    if (!Array.isArray(value)) {
      problems.push({ path, expected: 'an array', found: describeJsonType(value) });
      return;
    }
    value.forEach((element, index) => item(element, `${path}[${index}]`, problems));
  };
}

/** An object used as a map: every value follows `item`. */
export function recordOf(item: ShapeRule): ShapeRule {
  return (value, path, problems) => {
    if (!isPlainObject(value)) {
      problems.push({ path, expected: 'an object', found: describeJsonType(value) });
      return;
    }
    for (const [key, element] of Object.entries(value)) item(element, joinPath(path, key), problems);
  };
}

/**
 * The first alternative whose own check finds no problem. When none fits, the problems
 * of the alternative picked by `choose` are reported, so the message names the
 * field that is wrong rather than every alternative at once.
 */
export function eitherOf(first: ShapeRule, second: ShapeRule, choose: (value: unknown) => 'first' | 'second'): ShapeRule {
  return (value, path, problems) => {
    const firstProblems: ShapeProblem[] = [];
    first(value, path, firstProblems);
    if (firstProblems.length === 0) return;

    const secondProblems: ShapeProblem[] = [];
    second(value, path, secondProblems);
    if (secondProblems.length === 0) return;

    problems.push(...(choose(value) === 'first' ? firstProblems : secondProblems));
  };
}

function joinPath(path: string, name: string): string {
  const segment = /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
  if (path === '') return segment;
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${path}.${segment}` : `${path}[${segment}]`;
}
