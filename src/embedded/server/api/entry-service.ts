/**
 * The `spire.api.server.entry.v1.Entry` service: registration entry CRUD for
 * administrators, and the authorized-entry queries agents sync from.
 */
import { randomUUID } from 'node:crypto';

import { status as Status } from '@grpc/grpc-js';

import { authorizedEntries } from '../../../spire/authorization.js';
import { filterEntries, type EntryFilter, type MatchBehavior } from '../../../spire/entry-filter.js';
import { isSpireDataError } from '../../../spire/errors.js';
import { formatSelector } from '../../../spire/selectors.js';
import { isDatastoreError } from '../datastore.js';
import type { AttestedNode, RegistrationEntry } from '../records.js';
import { ApiError, OK_STATUS, toItemStatus } from './api-error.js';
import type { ServerContext } from './context.js';
import { applyEntryMask, ENTRY_MASK_FIELDS, entryToJson, entryToMessage, formatIdMessage, type EntryMessage } from './convert.js';
import { checkStorableEntry, entryFromMessage } from './entry-validation.js';

type Mask = Record<string, boolean> | null | undefined;

/** The `Filter` of ListEntries and CountEntries as proto-loader decodes it. */
export interface EntryFilterMessage {
  by_spiffe_id?: { trust_domain: string; path: string } | null;
  by_parent_id?: { trust_domain: string; path: string } | null;
  by_selectors?: { selectors: { type: string; value: string }[]; match: string } | null;
  by_federates_with?: { trust_domains: string[]; match: string } | null;
  by_hint?: { value: string } | null;
  by_downstream?: { value: boolean } | null;
}

const MATCH_NAMES: Readonly<Record<string, MatchBehavior>> = {
  MATCH_EXACT: 'exact',
  MATCH_SUBSET: 'subset',
  MATCH_SUPERSET: 'superset',
  MATCH_ANY: 'any',
};

/** Converts an API filter into the shared entry filter. */
export function toEntryFilter(message: EntryFilterMessage | null | undefined): EntryFilter {
  if (message === null || message === undefined) return {};
  const spiffeId = formatIdMessage(message.by_spiffe_id);
  const parentId = formatIdMessage(message.by_parent_id);
  return {
    ...(spiffeId === undefined ? {} : { spiffeId }),
    ...(parentId === undefined ? {} : { parentId }),
    ...(message.by_hint ? { hint: message.by_hint.value } : {}),
    ...(message.by_downstream ? { downstream: message.by_downstream.value } : {}),
    ...(message.by_selectors
      ? { selectors: { match: MATCH_NAMES[message.by_selectors.match] ?? 'exact', selectors: message.by_selectors.selectors.map(formatSelector) } }
      : {}),
    ...(message.by_federates_with
      ? { federatesWith: { match: MATCH_NAMES[message.by_federates_with.match] ?? 'exact', trustDomains: message.by_federates_with.trust_domains } }
      : {}),
  };
}

/** Returns the stored entries that pass an API filter, raising InvalidArgument for a bad filter. */
export function listFilteredEntries(context: ServerContext, filter: EntryFilterMessage | null | undefined): RegistrationEntry[] {
  const entries = context.datastore.listEntries();
  try {
    const kept = new Set(filterEntries(entries.map(entryToJson), toEntryFilter(filter)).map((entry) => entry.id));
    return entries.filter((entry) => kept.has(entry.id));
  } catch (error) {
    if (isSpireDataError(error)) throw new ApiError(Status.INVALID_ARGUMENT, `failed to build filter: ${error.message}`);
    throw error;
  }
}

/** Returns one page of `items` for a page token that is a decimal offset ("" for the first page). */
export function paginate<T>(items: readonly T[], pageSize: number, pageToken: string): { page: T[]; nextPageToken: string } {
  const offset = pageToken === '' ? 0 : Number.parseInt(pageToken, 10);
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ApiError(Status.INVALID_ARGUMENT, `could not parse token "${pageToken}"`);
  }
  if (pageSize <= 0) return { page: items.slice(offset), nextPageToken: '' };
  const end = offset + pageSize;
  return { page: items.slice(offset, end), nextPageToken: end < items.length ? String(end) : '' };
}

/** Returns the entries an attested node may get SVIDs for, in authorization walk order. */
export function entriesAuthorizedFor(context: ServerContext, node: AttestedNode): RegistrationEntry[] {
  const entries = context.datastore.listEntries();
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const agent = { id: node.spiffeId, selectors: node.selectors.map(formatSelector) };
  return authorizedEntries(agent, entries.map(entryToJson)).map((entry) => byId.get(entry.id ?? '')!);
}

function createOne(context: ServerContext, message: EntryMessage, mask: Mask): { status: typeof OK_STATUS; entry: EntryMessage | null } {
  let input;
  try {
    input = entryFromMessage(message, context.config.trustDomain);
    checkStorableEntry(input, 'create');
  } catch (error) {
    return { status: toItemStatus(error), entry: null };
  }

  for (const trustDomain of input.federatesWith) {
    if (context.datastore.findBundle(trustDomain) === undefined) {
      return {
        status: { code: Status.INTERNAL, message: `failed to create entry: unable to find federated bundle "spiffe://${trustDomain}"` },
        entry: null,
      };
    }
  }

  const entry: RegistrationEntry = {
    ...input,
    id: input.id === '' ? randomUUID() : input.id,
    revisionNumber: 0,
    createdAt: Math.floor(context.now().getTime() / 1000),
  };
  try {
    const created = context.datastore.createEntry(entry);
    context.logger.debug('Created registration entry', { entry_id: created.id, spiffe_id: created.spiffeId });
    return { status: OK_STATUS, entry: applyEntryMask(entryToMessage(created), mask) };
  } catch (error) {
    if (isDatastoreError(error) && error.kind === 'already-exists') {
      const existing = error.existing === undefined ? null : applyEntryMask(entryToMessage(error.existing), mask);
      const message = error.existing === undefined ? `failed to create entry: ${error.message}` : error.message;
      return { status: { code: Status.ALREADY_EXISTS, message }, entry: existing };
    }
    context.logger.error('Failed to create registration entry', { error: (error as Error).message });
    return { status: { code: Status.INTERNAL, message: `failed to create entry: ${(error as Error).message}` }, entry: null };
  }
}

// The server sets revision_number and created_at, so an update never copies them from the request.
const UPDATABLE_FIELDS = ENTRY_MASK_FIELDS.filter((field) => field !== 'revision_number' && field !== 'created_at');

function updateOne(context: ServerContext, message: EntryMessage, inputMask: Mask, outputMask: Mask) {
  const existing = context.datastore.findEntry(message.id);
  if (existing === undefined) {
    return { status: { code: Status.NOT_FOUND, message: 'failed to update entry: datastore-sql: record not found' }, entry: null };
  }

  const merged: EntryMessage = { ...entryToMessage(existing) };
  for (const field of UPDATABLE_FIELDS) {
    if (inputMask === null || inputMask === undefined || inputMask[field] === true) {
      (merged as unknown as Record<string, unknown>)[field] = message[field];
    }
  }

  try {
    const input = entryFromMessage(merged, context.config.trustDomain);
    checkStorableEntry(input, 'update');
    const updated = context.datastore.updateEntry({ ...input, revisionNumber: existing.revisionNumber, createdAt: existing.createdAt });
    return { status: OK_STATUS, entry: applyEntryMask(entryToMessage(updated), outputMask) };
  } catch (error) {
    if (isDatastoreError(error)) {
      const code = error.kind === 'already-exists' ? Status.ALREADY_EXISTS : Status.NOT_FOUND;
      return { status: { code, message: `failed to update entry: ${error.message}` }, entry: null };
    }
    return { status: toItemStatus(error), entry: null };
  }
}

/** Unary handlers of the Entry service, keyed by method name. */
export function createEntryHandlers(context: ServerContext) {
  return {
    CountEntries(request: { filter?: EntryFilterMessage | null }) {
      return { count: listFilteredEntries(context, request.filter).length };
    },

    ListEntries(request: { filter?: EntryFilterMessage | null; output_mask?: Mask; page_size: number; page_token: string }) {
      const entries = listFilteredEntries(context, request.filter);
      const { page, nextPageToken } = paginate(entries, request.page_size, request.page_token);
      return { entries: page.map((entry) => applyEntryMask(entryToMessage(entry), request.output_mask)), next_page_token: nextPageToken };
    },

    GetEntry(request: { id: string; output_mask?: Mask }) {
      if (request.id === '') throw new ApiError(Status.INVALID_ARGUMENT, 'missing ID');
      const entry = context.datastore.findEntry(request.id);
      if (entry === undefined) throw new ApiError(Status.NOT_FOUND, 'entry not found');
      return applyEntryMask(entryToMessage(entry), request.output_mask);
    },

    BatchCreateEntry(request: { entries: EntryMessage[]; output_mask?: Mask }) {
      return { results: request.entries.map((entry) => createOne(context, entry, request.output_mask)) };
    },

    BatchUpdateEntry(request: { entries: EntryMessage[]; input_mask?: Mask; output_mask?: Mask }) {
      return { results: request.entries.map((entry) => updateOne(context, entry, request.input_mask, request.output_mask)) };
    },

    BatchDeleteEntry(request: { ids: string[] }) {
      const results = request.ids.map((id) => {
        if (id === '') return { status: { code: Status.INVALID_ARGUMENT, message: 'missing entry ID' }, id };
        if (!context.datastore.deleteEntry(id)) return { status: { code: Status.NOT_FOUND, message: 'entry not found' }, id };
        return { status: OK_STATUS, id };
      });
      return { results };
    },
  };
}

/** Handler of GetAuthorizedEntries for an admitted agent. */
export function getAuthorizedEntries(context: ServerContext, node: AttestedNode, outputMask: Mask) {
  return { entries: entriesAuthorizedFor(context, node).map((entry) => applyEntryMask(entryToMessage(entry), outputMask)) };
}
