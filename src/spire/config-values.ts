/**
 * Typed reads of single keys from a decoded configuration tree. SPIRE decodes HCL
 * weakly: a quoted number fills an integer field (`server_port = "8081"` works), and a
 * number fills a string field, so these readers accept the same.
 */
import { parseGoDuration } from './config-duration.js';
import { SpireConfigError, isSpireConfigError } from './config-errors.js';
import { isHclObject, mergeHclObjects, type HclObject, type HclValue } from './hcl.js';

/** A configuration object and the dotted path it sits at, for error messages. */
export interface ConfigScope {
  readonly object: HclObject;
  readonly path: string;
}

/** Returns the scope for a nested block, or an empty scope when the block is absent. */
export function childScope(scope: ConfigScope, key: string): ConfigScope {
  const value = ownValue(scope.object, key);
  const path = keyPath(scope, key);
  if (value === undefined) return { object: {}, path };
  if (isHclObject(value)) return { object: value, path };
  if (Array.isArray(value) && value.every(isHclObject)) return { object: mergeHclObjects(value), path };
  throw new SpireConfigError(path, value, 'expected a block');
}

export function readString(scope: ConfigScope, key: string): string | undefined {
  const value = ownValue(scope.object, key);
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new SpireConfigError(keyPath(scope, key), value, 'expected a string');
}

export function readInteger(scope: ConfigScope, key: string): number | undefined {
  const value = ownValue(scope.object, key);
  if (value === undefined) return undefined;
  const number = typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number)) return number;
  throw new SpireConfigError(keyPath(scope, key), value, 'expected an integer');
}

/** Reads a TCP port: an integer from 0 to 65535. */
export function readPort(scope: ConfigScope, key: string): number | undefined {
  const port = readInteger(scope, key);
  if (port === undefined || (port >= 0 && port <= 65535)) return port;
  throw new SpireConfigError(keyPath(scope, key), ownValue(scope.object, key), 'expected a port from 0 to 65535');
}

export function readBoolean(scope: ConfigScope, key: string): boolean | undefined {
  const value = ownValue(scope.object, key);
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new SpireConfigError(keyPath(scope, key), value, 'expected true or false');
}

/** Reads a Go duration string and returns milliseconds. */
export function readDuration(scope: ConfigScope, key: string): number | undefined {
  const text = readString(scope, key);
  if (text === undefined) return undefined;
  try {
    return parseGoDuration(text);
  } catch (error) {
    if (!isSpireConfigError(error)) throw error;
    throw new SpireConfigError(keyPath(scope, key), text, 'expected a Go duration such as "90s", "1h" or "1h30m"', { cause: error });
  }
}

export function readStringList(scope: ConfigScope, key: string): string[] | undefined {
  const value = ownValue(scope.object, key);
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw new SpireConfigError(keyPath(scope, key), value, 'expected a list of strings');
}

/** Lists the keys of `scope` missing from `known`, as dotted paths. */
export function findUnknownKeys(scope: ConfigScope, known: ReadonlySet<string>): string[] {
  return Object.keys(scope.object)
    .filter((key) => !known.has(key))
    .map((key) => keyPath(scope, key));
}

/** Returns `{ [key]: value }`, or nothing when the value is undefined. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export function keyPath(scope: ConfigScope, key: string): string {
  return scope.path === '' ? key : `${scope.path}.${key}`;
}

function ownValue(object: HclObject, key: string): HclValue | undefined {
  const value = Object.hasOwn(object, key) ? object[key] : undefined;
  return value === null ? undefined : value;
}
