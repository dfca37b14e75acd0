/**
 * Registration entries and agents in the shape `spire-server entry show -output
 * json` and `agent list -output json` print (SPIRE 1.16.0-dev, commit ef8527ec9),
 * read from evidence and checked, plus accessors that turn their fields into SPIFFE
 * IDs, selector strings and dates.
 */
import { formatSpiffeId } from '../spiffe/id.js';
import { EntryShapeError } from './errors.js';
import { formatSelector } from './selectors.js';
import type { AgentJson, EntryJson, SelectorJson } from './types.js';

/** The path of the SPIRE server's own SPIFFE ID; entries parented to it are node aliases. */
export const SERVER_ID_PATH = '/spire/server';

/**
 * Reads registration entries from evidence: either the array, or the object that
 * `entry show -output json` prints (`{"entries": [...], "next_page_token": ""}`).
 * Absent input is an empty list.
 *
 * @throws EntryShapeError naming the first entry and field that do not fit.
 */
export function readEntries(value: unknown): EntryJson[] {
  const list = unwrapList(value, 'entries');
  list.forEach((item, index) => validateEntry(item, `entries[${index}]`));
  return list as EntryJson[];
}

/**
 * Reads agents from evidence: either the array, or the object that `agent list
 * -output json` prints (`{"agents": [...], "next_page_token": ""}`).
 *
 * @throws EntryShapeError naming the first agent and field that do not fit.
 */
export function readAgents(value: unknown): AgentJson[] {
  const list = unwrapList(value, 'agents');
  list.forEach((item, index) => validateAgent(item, `agents[${index}]`));
  return list as AgentJson[];
}

function unwrapList(value: unknown, key: 'entries' | 'agents'): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (Array.isArray(value)) {
    return value;
  }
  if (isRecord(value) && Array.isArray(value[key])) {
    return value[key] as unknown[];
  }
  if (isRecord(value) && value[key] === null) {
    return [];
  }
  throw new EntryShapeError(`invalid ${key}: expected an array or an object with an "${key}" array, got ${describe(value)}`, {
    suggestions: [`Save the output of \`spire-server ${key === 'entries' ? 'entry show' : 'agent list'} -output json\` unchanged.`],
  });
}

function validateEntry(item: unknown, where: string): void {
  if (!isRecord(item)) {
    throw shapeError(where, `expected an object, got ${describe(item)}`);
  }
  validateSpiffeIdJson(item['spiffe_id'], `${where}.spiffe_id`);
  validateSpiffeIdJson(item['parent_id'], `${where}.parent_id`);
  validateSelectors(item['selectors'], `${where}.selectors`, true);
  validateOptionalInteger(item['expires_at'], `${where}.expires_at`);
  validateOptionalInteger(item['created_at'], `${where}.created_at`);
  validateOptionalStringArray(item['federates_with'], `${where}.federates_with`);
  validateOptionalString(item['id'], `${where}.id`);
  validateOptionalString(item['hint'], `${where}.hint`);
}

function validateAgent(item: unknown, where: string): void {
  if (!isRecord(item)) {
    throw shapeError(where, `expected an object, got ${describe(item)}`);
  }
  validateSpiffeIdJson(item['id'], `${where}.id`);
  validateSelectors(item['selectors'], `${where}.selectors`, false);
  validateOptionalInteger(item['x509svid_expires_at'], `${where}.x509svid_expires_at`);
}

function validateSpiffeIdJson(value: unknown, where: string): void {
  if (!isRecord(value) || typeof value['trust_domain'] !== 'string' || typeof value['path'] !== 'string') {
    throw shapeError(where, `expected {"trust_domain": "...", "path": "..."}, got ${describe(value)}`);
  }
}

function validateSelectors(value: unknown, where: string, required: boolean): void {
  if (value === undefined && !required) {
    return;
  }
  if (!Array.isArray(value)) {
    throw shapeError(where, `expected an array of {"type": "...", "value": "..."}, got ${describe(value)}`);
  }
  value.forEach((selector: unknown, index) => {
    if (!isRecord(selector) || typeof selector['type'] !== 'string' || typeof selector['value'] !== 'string') {
      throw shapeError(`${where}[${index}]`, `expected {"type": "...", "value": "..."}, got ${describe(selector)}`);
    }
  });
}

function validateOptionalInteger(value: unknown, where: string): void {
  if (value === undefined || value === null) {
    return;
  }
  const isIntegerNumber = typeof value === 'number' && Number.isInteger(value);
  const isIntegerString = typeof value === 'string' && /^-?\d+$/.test(value);
  if (!isIntegerNumber && !isIntegerString) {
    throw shapeError(where, `expected Unix seconds as an integer or a string of digits, got ${describe(value)}`);
  }
}

function validateOptionalString(value: unknown, where: string): void {
  if (value !== undefined && value !== null && typeof value !== 'string') {
    throw shapeError(where, `expected a string, got ${describe(value)}`);
  }
}

function validateOptionalStringArray(value: unknown, where: string): void {
  if (value === undefined || value === null) {
    return;
  }
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw shapeError(where, `expected an array of strings, got ${describe(value)}`);
  }
}

function shapeError(where: string, problem: string): EntryShapeError {
  return new EntryShapeError(`invalid ${where}: ${problem}`, {
    suggestions: ['Use the JSON that `spire-server entry show -output json` or `agent list -output json` prints.'],
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Returns the entry's SPIFFE ID as a string. */
export function entrySpiffeId(entry: EntryJson): string {
  return formatSpiffeId(entry.spiffe_id);
}

/** Returns the entry's parent ID as a string. */
export function entryParentId(entry: EntryJson): string {
  return formatSpiffeId(entry.parent_id);
}

/** Returns the entry's selectors as `type:value` strings. */
export function entrySelectors(entry: EntryJson): string[] {
  return entry.selectors.map(formatSelector);
}

/** Returns the selectors of an agent record as `type:value` strings (none when absent). */
export function agentSelectors(agent: AgentJson): string[] {
  return (agent.selectors ?? []).map((selector: SelectorJson) => formatSelector(selector));
}

/** Returns when the entry expires, or undefined when `expires_at` is absent or 0 (no expiry). */
export function entryExpiresAt(entry: EntryJson): Date | undefined {
  return unixSecondsToDate(entry.expires_at);
}

/** Returns when the entry was created, or undefined when `created_at` is absent or 0. */
export function entryCreatedAt(entry: EntryJson): Date | undefined {
  return unixSecondsToDate(entry.created_at);
}

/** Returns when the agent's X509-SVID expires, or undefined when unknown (absent or 0). */
export function agentExpiresAt(agent: AgentJson): Date | undefined {
  return unixSecondsToDate(agent.x509svid_expires_at);
}

/** Returns the agent's SPIFFE ID as a string. */
export function agentSpiffeId(agent: AgentJson): string {
  return formatSpiffeId(agent.id);
}

/**
 * Tells whether the entry is a node alias: its parent ID path is exactly
 * `/spire/server` (SPIRE v1.15.3 `authorizedentries.isNodeAlias`; the trust domain
 * is not compared there). `entry create -node` creates such entries.
 */
export function isNodeAlias(entry: EntryJson): boolean {
  return entry.parent_id.path === SERVER_ID_PATH;
}

/** Tells whether the entry's expiry time is at or before `now`. Entries without expiry never expire. */
export function isEntryExpired(entry: EntryJson, now: Date): boolean {
  const expiresAt = entryExpiresAt(entry);
  return expiresAt !== undefined && expiresAt.getTime() <= now.getTime();
}

function unixSecondsToDate(value: string | number | undefined): Date | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const seconds = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(seconds) || seconds === 0) {
    return undefined;
  }
  return new Date(seconds * 1000);
}

