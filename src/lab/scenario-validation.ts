/**
 * Field checks for scenario files. Every failure is a `UserError` that names the
 * file, the field path (such as `pods[2].metadata.name`) and the problem.
 */
import { UserError } from '../errors.js';
import type { LabObject } from './scenario-types.js';

type RawRecord = Record<string, unknown>;

/** Context for one scenario file: its name for messages. */
export interface ScenarioSource {
  readonly file: string;
}

/** Builds the error for an invalid field. */
export function invalidField(source: ScenarioSource, field: string, problem: string): UserError {
  return new UserError(`invalid lab scenario ${source.file}: ${field}: ${problem}`, {
    suggestions: [`Fix ${field} in ${source.file}; examples/lab/README.md describes every field.`],
  });
}

/** Reports whether `value` is a plain object (not an array or null). */
export function isRecord(value: unknown): value is RawRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns `value` as an object, or raises naming `field`. */
export function requireRecord(source: ScenarioSource, value: unknown, field: string): RawRecord {
  if (!isRecord(value)) throw invalidField(source, field, `must be a mapping, got ${describe(value)}`);
  return value;
}

/** Returns `value` as a non-empty string, or raises naming `field`. */
export function requireString(source: ScenarioSource, value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw invalidField(source, field, `must be a non-empty string, got ${describe(value)}`);
  return value;
}

/** Returns `value` as a string, `fallback` when absent, or raises naming `field`. */
export function optionalString(source: ScenarioSource, value: unknown, field: string, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  return requireString(source, value, field);
}

/** Returns `value` as a boolean, `fallback` when absent, or raises naming `field`. */
export function optionalBoolean(source: ScenarioSource, value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw invalidField(source, field, `must be true or false, got ${describe(value)}`);
  return value;
}

/** Returns `value` as an array (empty when absent), or raises naming `field`. */
export function optionalList(source: ScenarioSource, value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidField(source, field, `must be a list, got ${describe(value)}`);
  return value;
}

/** Returns `value` as a list of strings (empty when absent), or raises naming the bad item. */
export function optionalStringList(source: ScenarioSource, value: unknown, field: string): string[] {
  return optionalList(source, value, field).map((item, index) => requireString(source, item, `${field}[${index}]`));
}

/**
 * Reads a list of Kubernetes objects: each must be a mapping with a non-empty
 * `metadata.name`, and with a `metadata.namespace` when `namespaced` is set (defaulting
 * to `default`, as kubectl does).
 */
export function readObjectList(source: ScenarioSource, value: unknown, field: string, namespaced: boolean): LabObject[] {
  const items = optionalList(source, value, field);
  const objects = items.map((item, index) => readObject(source, item, `${field}[${index}]`, namespaced));
  rejectDuplicateNames(source, objects, field, namespaced);
  return objects;
}

function readObject(source: ScenarioSource, item: unknown, field: string, namespaced: boolean): LabObject {
  const object = requireRecord(source, item, field);
  const metadata = requireRecord(source, object.metadata, `${field}.metadata`);
  const name = requireString(source, metadata.name, `${field}.metadata.name`);
  if (!namespaced) return { ...object, metadata: { ...metadata, name } } as LabObject;

  const namespace = optionalString(source, metadata.namespace, `${field}.metadata.namespace`, 'default');
  return { ...object, metadata: { ...metadata, name, namespace } } as LabObject;
}

function rejectDuplicateNames(source: ScenarioSource, objects: readonly LabObject[], field: string, namespaced: boolean): void {
  const seen = new Set<string>();
  objects.forEach((object, index) => {
    const key = namespaced ? `${object.metadata.namespace ?? ''}/${object.metadata.name}` : object.metadata.name;
    if (seen.has(key)) throw invalidField(source, `${field}[${index}].metadata.name`, `duplicate object "${key}"`);
    seen.add(key);
  });
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
