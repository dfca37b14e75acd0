/**
 * The server datastore in SQLite (better-sqlite3, WAL journal, synchronous=FULL so a
 * write acknowledged to a client survives the process being killed). It stores what
 * SPIRE's `DataStore "sql"` plugin with `database_type = "sqlite3"` stores, in a
 * schema of our own.
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';

import { UserError } from '../../errors.js';
import { sameSelectorSet } from '../../spire/selectors.js';
import type { CaJournal, CaJournalStore } from './ca.js';
import type { AttestedNode, RegistrationEntry, TrustBundle } from './records.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS registered_entries (
  id TEXT PRIMARY KEY,
  spiffe_id TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS registered_entries_parent_id ON registered_entries (parent_id);
CREATE INDEX IF NOT EXISTS registered_entries_spiffe_id ON registered_entries (spiffe_id);
CREATE TABLE IF NOT EXISTS attested_nodes (
  spiffe_id TEXT PRIMARY KEY,
  data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS join_tokens (
  token TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS bundles (
  trust_domain TEXT PRIMARY KEY,
  data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS server_state (
  name TEXT PRIMARY KEY,
  data TEXT NOT NULL
);
`;

/** A datastore failure the API reports with a status code, such as a duplicate entry. */
export class DatastoreError extends Error {
  override readonly name = 'DatastoreError';

  constructor(
    readonly kind: 'already-exists' | 'not-found',
    message: string,
    readonly existing?: RegistrationEntry,
  ) {
    super(message);
  }
}

export function isDatastoreError(value: unknown): value is DatastoreError {
  return value instanceof DatastoreError;
}

/**
 * Returns the database file named by a SQLite `connection_string`: a path, or a
 * `file:` URI whose query (`?_busy_timeout=…`) is dropped.
 */
export function databasePathFromConnectionString(connectionString: string): string {
  let path = connectionString.startsWith('file:') ? connectionString.slice('file:'.length) : connectionString;
  const query = path.indexOf('?');
  if (query >= 0) {
    path = path.slice(0, query);
  }
  return path;
}

/** Registration entries, agents, join tokens, bundles and the CA journal, in one SQLite file. */
export class Datastore implements CaJournalStore {
  /**
   * Entries as last read, with SQLite's `data_version` at that moment. Another
   * connection's commit changes `data_version`, and this connection's own entry writes
   * clear the cache, so a hit is never stale.
   */
  private entriesCache: { readonly version: number; readonly entries: readonly RegistrationEntry[] } | undefined;

  private constructor(private readonly db: Database.Database) {}

  /**
   * Opens (creating if needed) the database at `path`.
   *
   * @throws UserError when the directory cannot be created or written.
   */
  static open(path: string): Datastore {
    const directory = dirname(path);
    try {
      mkdirSync(directory, { recursive: true });
      accessSync(directory, constants.W_OK);
      if (existsSync(path)) accessSync(path, constants.W_OK | constants.R_OK);
    } catch (error) {
      throw new UserError(`datastore directory ${directory} is not writable: ${(error as Error).message}`, {
        suggestions: [`Give the server user write access to ${directory}, or set data_dir or connection_string to a writable path.`],
      });
    }

    let db: Database.Database;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA);
    } catch (error) {
      throw new UserError(`failed to open datastore ${path}: ${(error as Error).message}`, {
        suggestions: ['Check that the file is a SQLite database written by spiffe-doctor and that the disk is not full.'],
      });
    }
    return new Datastore(db);
  }

  close(): void {
    this.db.close();
  }

  // Registration entries.

  /**
   * Stores a new entry unless one with the same parent ID, SPIFFE ID and selector set
   * exists, in which case it raises `already-exists` with that entry (SPIRE 1.15:
   * `similar entry already exists`).
   */
  createEntry(entry: RegistrationEntry): RegistrationEntry {
    this.entriesCache = undefined;
    const create = this.db.transaction((candidate: RegistrationEntry) => {
      const similar = this.findSimilarEntry(candidate);
      if (similar !== undefined) {
        throw new DatastoreError('already-exists', 'similar entry already exists', similar);
      }
      if (this.findEntry(candidate.id) !== undefined) {
        throw new DatastoreError('already-exists', 'datastore-sql: UNIQUE constraint failed: registered_entries.entry_id');
      }
      this.db
        .prepare('INSERT INTO registered_entries (id, spiffe_id, parent_id, data) VALUES (?, ?, ?, ?)')
        .run(candidate.id, candidate.spiffeId, candidate.parentId, JSON.stringify(candidate));
      return candidate;
    });
    return create(entry);
  }

  private findSimilarEntry(entry: RegistrationEntry): RegistrationEntry | undefined {
    const rows = this.db
      .prepare('SELECT data FROM registered_entries WHERE parent_id = ? AND spiffe_id = ?')
      .all(entry.parentId, entry.spiffeId) as { data: string }[];
    return rows
      .map((row) => JSON.parse(row.data) as RegistrationEntry)
      .find((candidate) => candidate.id !== entry.id && sameSelectorSet(candidate.selectors, entry.selectors));
  }

  findEntry(id: string): RegistrationEntry | undefined {
    const row = this.db.prepare('SELECT data FROM registered_entries WHERE id = ?').get(id) as { data: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.data) as RegistrationEntry);
  }

  /** Returns every entry ordered by ID. Agents' calls read this often, so it is cached. */
  listEntries(): RegistrationEntry[] {
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (this.entriesCache?.version !== version) {
      const rows = this.db.prepare('SELECT data FROM registered_entries ORDER BY id').all() as { data: string }[];
      this.entriesCache = { version, entries: rows.map((row) => JSON.parse(row.data) as RegistrationEntry) };
    }
    return [...this.entriesCache.entries];
  }

  countEntries(): number {
    return (this.db.prepare('SELECT COUNT(*) AS count FROM registered_entries').get() as { count: number }).count;
  }

  /** Replaces an entry, raising the revision number by one; `not-found` when the ID is unknown. */
  updateEntry(entry: RegistrationEntry): RegistrationEntry {
    this.entriesCache = undefined;
    const update = this.db.transaction((candidate: RegistrationEntry) => {
      const existing = this.findEntry(candidate.id);
      if (existing === undefined) {
        throw new DatastoreError('not-found', `datastore-sql: record not found`);
      }
      const similar = this.findSimilarEntry(candidate);
      if (similar !== undefined) {
        throw new DatastoreError('already-exists', 'similar entry already exists', similar);
      }
      const updated: RegistrationEntry = { ...candidate, createdAt: existing.createdAt, revisionNumber: existing.revisionNumber + 1 };
      this.db
        .prepare('UPDATE registered_entries SET spiffe_id = ?, parent_id = ?, data = ? WHERE id = ?')
        .run(updated.spiffeId, updated.parentId, JSON.stringify(updated), updated.id);
      return updated;
    });
    return update(entry);
  }

  /** Deletes an entry; returns false when no entry has that ID. */
  deleteEntry(id: string): boolean {
    this.entriesCache = undefined;
    return this.db.prepare('DELETE FROM registered_entries WHERE id = ?').run(id).changes > 0;
  }

  // Join tokens.

  createJoinToken(token: string, expiresAt: number): void {
    try {
      this.db.prepare('INSERT INTO join_tokens (token, expires_at) VALUES (?, ?)').run(token, expiresAt);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new DatastoreError('already-exists', 'failed to create token: datastore-sql: UNIQUE constraint failed: join_tokens.token');
      }
      throw error;
    }
  }

  /** Deletes a join token and returns its expiry, so each token is used at most once; undefined when unknown. */
  takeJoinToken(token: string): number | undefined {
    const take = this.db.transaction((value: string) => {
      const row = this.db.prepare('SELECT expires_at FROM join_tokens WHERE token = ?').get(value) as { expires_at: number } | undefined;
      if (row === undefined) {
        return undefined;
      }
      this.db.prepare('DELETE FROM join_tokens WHERE token = ?').run(value);
      return row.expires_at;
    });
    return take(token);
  }

  // Attested nodes.

  findNode(spiffeId: string): AttestedNode | undefined {
    const row = this.db.prepare('SELECT data FROM attested_nodes WHERE spiffe_id = ?').get(spiffeId) as { data: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.data) as AttestedNode);
  }

  listNodes(): AttestedNode[] {
    const rows = this.db.prepare('SELECT data FROM attested_nodes ORDER BY spiffe_id').all() as { data: string }[];
    return rows.map((row) => JSON.parse(row.data) as AttestedNode);
  }

  saveNode(node: AttestedNode): void {
    this.db
      .prepare('INSERT INTO attested_nodes (spiffe_id, data) VALUES (?, ?) ON CONFLICT (spiffe_id) DO UPDATE SET data = excluded.data')
      .run(node.spiffeId, JSON.stringify(node));
  }

  /** Deletes an attested node; returns false when it is unknown. */
  deleteNode(spiffeId: string): boolean {
    return this.db.prepare('DELETE FROM attested_nodes WHERE spiffe_id = ?').run(spiffeId).changes > 0;
  }

  // Bundles.

  findBundle(trustDomain: string): TrustBundle | undefined {
    const row = this.db.prepare('SELECT data FROM bundles WHERE trust_domain = ?').get(trustDomain) as { data: string } | undefined;
    return row === undefined ? undefined : decodeBundle(row.data);
  }

  listBundles(): TrustBundle[] {
    const rows = this.db.prepare('SELECT data FROM bundles ORDER BY trust_domain').all() as { data: string }[];
    return rows.map((row) => decodeBundle(row.data));
  }

  saveBundle(bundle: TrustBundle): void {
    this.db
      .prepare('INSERT INTO bundles (trust_domain, data) VALUES (?, ?) ON CONFLICT (trust_domain) DO UPDATE SET data = excluded.data')
      .run(bundle.trustDomain, encodeBundle(bundle));
  }

  deleteBundle(trustDomain: string): boolean {
    return this.db.prepare('DELETE FROM bundles WHERE trust_domain = ?').run(trustDomain).changes > 0;
  }

  // CA journal.

  readCaJournal(): CaJournal | undefined {
    const row = this.db.prepare("SELECT data FROM server_state WHERE name = 'ca_journal'").get() as { data: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.data) as CaJournal);
  }

  writeCaJournal(journal: CaJournal): void {
    this.db
      .prepare("INSERT INTO server_state (name, data) VALUES ('ca_journal', ?) ON CONFLICT (name) DO UPDATE SET data = excluded.data")
      .run(JSON.stringify(journal));
  }
}

function encodeBundle(bundle: TrustBundle): string {
  return JSON.stringify({
    ...bundle,
    x509Authorities: bundle.x509Authorities.map((authority) => ({ ...authority, asn1: authority.asn1.toString('base64') })),
    jwtAuthorities: bundle.jwtAuthorities.map((authority) => ({ ...authority, publicKey: authority.publicKey.toString('base64') })),
  });
}

function decodeBundle(data: string): TrustBundle {
  const raw = JSON.parse(data) as Omit<TrustBundle, 'x509Authorities' | 'jwtAuthorities'> & {
    x509Authorities: { asn1: string; tainted: boolean }[];
    jwtAuthorities: { publicKey: string; keyId: string; expiresAt: number; tainted: boolean }[];
  };
  return {
    ...raw,
    x509Authorities: raw.x509Authorities.map((authority) => ({ ...authority, asn1: Buffer.from(authority.asn1, 'base64') })),
    jwtAuthorities: raw.jwtAuthorities.map((authority) => ({ ...authority, publicKey: Buffer.from(authority.publicKey, 'base64') })),
  };
}
