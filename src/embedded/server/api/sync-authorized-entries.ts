/**
 * The SyncAuthorizedEntries stream, as SPIRE 1.15 serves it. When the authorized
 * entries fit in one page, they go out whole in one response. Otherwise the server
 * sends pages of revisions, and the agent then requests by ID the entries it lacks.
 */
import { status as Status } from '@grpc/grpc-js';

import type { AttestedNode, RegistrationEntry } from '../records.js';
import { ApiError } from './api-error.js';
import type { ServerContext } from './context.js';
import { applyEntryMask, entryToMessage } from './convert.js';
import { entriesAuthorizedFor } from './entry-service.js';

/** SPIRE's `defaultEntryPageSize`. */
export const SYNC_PAGE_SIZE = 500;

type Mask = Record<string, boolean> | null | undefined;

interface SyncRequest {
  output_mask?: Mask;
  ids: string[];
}

/** The two operations of the stream the session needs, so tests can drive it without gRPC. */
export interface SyncStream {
  write(response: unknown): void;
  end(): void;
}

/** State of one agent's sync stream: the first request's mask and the entries authorized at that moment. */
export class SyncSession {
  private mask: Mask;
  private entries = new Map<string, RegistrationEntry>();
  private started = false;

  constructor(
    private readonly context: ServerContext,
    private readonly node: AttestedNode,
    private readonly stream: SyncStream,
    private readonly pageSize = SYNC_PAGE_SIZE,
  ) {}

  /** Handles one request; returns true when the stream is finished and the server should end it. */
  handle(request: SyncRequest): boolean {
    if (!this.started) {
      this.started = true;
      return this.handleFirst(request);
    }
    this.sendEntries(request.ids.map((id) => this.entries.get(id)).filter((entry): entry is RegistrationEntry => entry !== undefined));
    return false;
  }

  private handleFirst(request: SyncRequest): boolean {
    if (request.ids.length > 0) {
      throw new ApiError(Status.INVALID_ARGUMENT, 'specifying IDs on initial request is not supported');
    }
    if (request.output_mask !== null && request.output_mask !== undefined && request.output_mask.revision_number !== true) {
      throw new ApiError(Status.INVALID_ARGUMENT, 'revision number cannot be masked');
    }
    this.mask = request.output_mask;

    const authorized = entriesAuthorizedFor(this.context, this.node);
    if (authorized.length <= this.pageSize) {
      this.stream.write({ entry_revisions: [], entries: authorized.map((entry) => this.toMessage(entry)), more: false });
      return true;
    }

    this.entries = new Map(authorized.map((entry) => [entry.id, entry]));
    for (let offset = 0; offset < authorized.length; offset += this.pageSize) {
      const page = authorized.slice(offset, offset + this.pageSize);
      this.stream.write({
        entry_revisions: page.map((entry) => ({ id: entry.id, revision_number: String(entry.revisionNumber), created_at: String(entry.createdAt) })),
        entries: [],
        more: offset + this.pageSize < authorized.length,
      });
    }
    return false;
  }

  private sendEntries(entries: readonly RegistrationEntry[]): void {
    if (entries.length === 0) {
      this.stream.write({ entry_revisions: [], entries: [], more: false });
      return;
    }
    for (let offset = 0; offset < entries.length; offset += this.pageSize) {
      this.stream.write({
        entry_revisions: [],
        entries: entries.slice(offset, offset + this.pageSize).map((entry) => this.toMessage(entry)),
        more: offset + this.pageSize < entries.length,
      });
    }
  }

  private toMessage(entry: RegistrationEntry) {
    return applyEntryMask(entryToMessage(entry), this.mask);
  }
}
