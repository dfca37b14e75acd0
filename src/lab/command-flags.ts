/**
 * Flag parsing in the style of Go's `flag` package, which SPIRE's CLIs use. Flags start
 * with `-` or `--` and take their value as `-name value` or `-name=value`. Boolean flags
 * need no value, and parsing stops at the first argument that is not a flag.
 */

/** The kind of value a flag takes. `list` flags may repeat. */
export type FlagKind = 'string' | 'bool' | 'list';

/** Flag definitions by name (without dashes). */
export type FlagSpec = Readonly<Record<string, FlagKind>>;

/** Parsed flags: strings, booleans and repeated values, plus the remaining arguments. */
export interface ParsedFlags {
  readonly strings: ReadonlyMap<string, string>;
  readonly booleans: ReadonlySet<string>;
  readonly lists: ReadonlyMap<string, readonly string[]>;
  readonly rest: readonly string[];
}

/** A flag error with Go's `flag` package wording. */
export class FlagError extends Error {
  override readonly name: string = 'FlagError';
}

/**
 * Parses `args` against `spec`.
 * @throws FlagError `flag provided but not defined: -x` or `flag needs an argument: -x`.
 */
export function parseFlags(args: readonly string[], spec: FlagSpec): ParsedFlags {
  const strings = new Map<string, string>();
  const booleans = new Set<string>();
  const lists = new Map<string, string[]>();
  let index = 0;
  for (; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      index++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;

    const body = arg.replace(/^--?/, '');
    const equals = body.indexOf('=');
    const name = equals < 0 ? body : body.slice(0, equals);
    const kind = spec[name];
    if (!kind) throw new FlagError(`flag provided but not defined: -${name}`);

    if (kind === 'bool') {
      const text = equals < 0 ? 'true' : body.slice(equals + 1);
      if (text === 'true' || text === '1') booleans.add(name);
      continue;
    }
    let value = equals < 0 ? undefined : body.slice(equals + 1);
    if (value === undefined) {
      index++;
      value = args[index];
      if (value === undefined) throw new FlagError(`flag needs an argument: -${name}`);
    }
    if (kind === 'list') lists.set(name, [...(lists.get(name) ?? []), value]);
    else strings.set(name, value);
  }
  return { strings, booleans, lists, rest: args.slice(index) };
}
