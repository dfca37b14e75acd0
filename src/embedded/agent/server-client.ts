/**
 * The agent's side of the SPIRE agent-server protocol (SPIRE 1.15 `pkg/agent/client`,
 * `pkg/agent/attestor/node`): join-token attestation over TLS without a client
 * certificate, then mutual TLS with the agent's X509-SVID for bundle fetches, entry
 * sync (`SyncAuthorizedEntries`), SVID minting and renewal.
 */
import * as grpc from '@grpc/grpc-js';
import { loadServerApi } from '../proto-loader.js';
import type { EntryJson } from '../../spire/types.js';
import type { TrustBundle } from './identity-cache.js';
import {
  AGENT_ENTRY_MASK,
  bundleFromMessage,
  entryFromMessage,
  type BundleMessage,
  type EntryMessage,
  type StatusMessage,
  type SyncResponseMessage,
  type X509SvidMessage,
} from './server-messages.js';
import { serverChannelCredentials } from './server-tls.js';

/** Deadline of each call to the server (SPIRE's agent uses 30 s). */
const CALL_TIMEOUT_MS = 30_000;

type RpcClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

/** The agent's X509-SVID and key, used as the TLS client identity. */
export interface AgentIdentity {
  readonly certificates: readonly Buffer[];
  readonly privateKeyPem: string;
}

/** The outcome of one `BatchNewX509SVID` item. */
export type NewX509SvidResult = { readonly ok: true; readonly certificates: Buffer[] } | { readonly ok: false; readonly status: StatusMessage };

/** Tells whether `value` is a grpc-js error with a status code. */
export function isServiceError(value: unknown): value is grpc.ServiceError {
  return typeof value === 'object' && value !== null && 'code' in value && 'details' in value;
}

export class ServerClient {
  readonly #target: string;
  readonly #trustDomain: string;
  #clients = new Map<string, RpcClient>();

  constructor(address: string, port: number, trustDomain: string) {
    this.#target = `${address.includes(':') ? `[${address}]` : address}:${port}`;
    this.#trustDomain = trustDomain;
  }

  /** Sends a join token and a CSR; returns the agent's X509-SVID chain. */
  async attestWithJoinToken(token: string, csr: Buffer, bundle: readonly Buffer[] | undefined): Promise<Buffer[]> {
    const client = this.#client('Agent', bundle, undefined);
    const call = client.AttestAgent!({ deadline: deadline() }) as grpc.ClientDuplexStream<unknown, { step?: string; result?: { svid: X509SvidMessage }; challenge?: Buffer }>;
    try {
      return await new Promise<Buffer[]>((resolve, reject) => {
        call.on('data', (response) => {
          if (response.result?.svid) {
            call.end();
            resolve(response.result.svid.cert_chain);
            return;
          }
          call.cancel();
          reject(new Error('server issued unexpected challenge'));
        });
        call.on('error', reject);
        call.on('end', () => reject(new Error('server ended attestation without a result')));
        call.write({ params: { data: { type: 'join_token', payload: Buffer.from(token, 'utf8') }, params: { csr } } });
      });
    } finally {
      client.close();
    }
  }

  /** Fetches the trust domain bundle (`Bundle/GetBundle`). */
  async fetchBundle(identity: AgentIdentity | undefined, bundle: readonly Buffer[] | undefined): Promise<TrustBundle> {
    const message = await this.#unary<BundleMessage>('Bundle', 'GetBundle', {}, bundle, identity);
    return bundleFromMessage(message);
  }

  /** Fetches a federated trust domain's bundle, or undefined when the server has none. */
  async fetchFederatedBundle(trustDomain: string, identity: AgentIdentity, bundle: readonly Buffer[]): Promise<TrustBundle | undefined> {
    try {
      return bundleFromMessage(await this.#unary<BundleMessage>('Bundle', 'GetFederatedBundle', { trust_domain: trustDomain }, bundle, identity));
    } catch (error) {
      if (isServiceError(error) && error.code === grpc.status.NOT_FOUND) return undefined;
      throw error;
    }
  }

  /** Renews the agent's X509-SVID for the key in `csr` (`Agent/RenewAgent`). */
  async renewAgent(csr: Buffer, identity: AgentIdentity, bundle: readonly Buffer[]): Promise<Buffer[]> {
    const response = await this.#unary<{ svid: X509SvidMessage }>('Agent', 'RenewAgent', { params: { csr } }, bundle, identity);
    return response.svid.cert_chain;
  }

  /** Mints X509-SVIDs for entries (`SVID/BatchNewX509SVID`), one result per request item, in order. */
  async batchNewX509Svid(params: readonly { entry_id: string; csr: Buffer }[], identity: AgentIdentity, bundle: readonly Buffer[]): Promise<NewX509SvidResult[]> {
    const response = await this.#unary<{ results: { status: StatusMessage | null; svid: X509SvidMessage | null }[] }>('SVID', 'BatchNewX509SVID', { params }, bundle, identity);
    return response.results.map((result) =>
      result.status?.code === 0 && result.svid ? { ok: true, certificates: result.svid.cert_chain } : { ok: false, status: result.status ?? { code: 2, message: 'missing status' } },
    );
  }

  /** Mints a JWT-SVID for an entry (`SVID/NewJWTSVID`) and returns the token. */
  async newJwtSvid(entryId: string, audience: readonly string[], identity: AgentIdentity, bundle: readonly Buffer[]): Promise<{ token: string; expiresAt: number; issuedAt: number }> {
    const response = await this.#unary<{ svid: { token: string; expires_at: string; issued_at: string } }>('SVID', 'NewJWTSVID', { entry_id: entryId, audience }, bundle, identity);
    return { token: response.svid.token, expiresAt: Number(response.svid.expires_at), issuedAt: Number(response.svid.issued_at) };
  }

  /**
   * Fetches the entries this agent is authorised for. It speaks `SyncAuthorizedEntries`:
   * the server either sends every entry at once, or pages of revisions, and then the
   * agent requests only the entries it lacks or has at an older revision.
   */
  async syncAuthorizedEntries(cached: readonly EntryJson[], identity: AgentIdentity, bundle: readonly Buffer[]): Promise<EntryJson[]> {
    const client = this.#client('Entry', bundle, identity);
    const call = client.SyncAuthorizedEntries!({ deadline: deadline() }) as grpc.ClientDuplexStream<unknown, SyncResponseMessage>;
    const reader = new StreamReader(call);
    call.write({ output_mask: AGENT_ENTRY_MASK });

    const first = await reader.readPages();
    if (first.revisions.length === 0) {
      call.end();
      await reader.finished();
      return first.entries.map(entryFromMessage);
    }

    const byId = new Map(cached.map((entry) => [entry.id ?? '', entry]));
    const stale = first.revisions
      .filter((revision) => isStale(byId.get(revision.id), revision))
      .map((revision) => revision.id)
      .sort();
    const pageSize = Math.max(1, first.firstPageSize);
    for (let start = 0; start < stale.length; start += pageSize) {
      call.write({ ids: stale.slice(start, start + pageSize) });
      for (const entry of (await reader.readPages()).entries) byId.set(entry.id, entryFromMessage(entry));
    }
    call.end();
    await reader.finished();
    return first.revisions.map((revision) => byId.get(revision.id)).filter((entry): entry is EntryJson => entry !== undefined);
  }

  /** Closes every channel. */
  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }

  /** Drops channels so the next call dials again, for example after the agent's SVID rotated. */
  resetChannels(): void {
    this.close();
  }

  #client(service: 'Agent' | 'Bundle' | 'Entry' | 'SVID', bundle: readonly Buffer[] | undefined, identity: AgentIdentity | undefined): RpcClient {
    const Constructor = loadServerApi()[service];
    const credentials = serverChannelCredentials({ trustDomain: this.#trustDomain, bundle, ...(identity ? { identity } : {}) });
    if (!identity) return new Constructor(this.#target, credentials) as unknown as RpcClient;

    const key = service;
    let client = this.#clients.get(key);
    if (!client) {
      client = new Constructor(this.#target, credentials) as unknown as RpcClient;
      this.#clients.set(key, client);
    }
    return client;
  }

  async #unary<Response>(
    service: 'Agent' | 'Bundle' | 'Entry' | 'SVID',
    method: string,
    request: unknown,
    bundle: readonly Buffer[] | undefined,
    identity: AgentIdentity | undefined,
  ): Promise<Response> {
    const client = this.#client(service, bundle, identity);
    try {
      return await new Promise<Response>((resolve, reject) => {
        client[method]!(request, { deadline: deadline() }, (error: grpc.ServiceError | null, response: Response) => (error ? reject(error) : resolve(response)));
      });
    } finally {
      if (!identity) client.close();
    }
  }
}

function deadline(): Date {
  return new Date(Date.now() + CALL_TIMEOUT_MS);
}

function isStale(cached: EntryJson | undefined, revision: { revision_number: string; created_at: string }): boolean {
  if (!cached) return true;
  if (String(cached.revision_number ?? '0') !== revision.revision_number) return true;
  // A created_at of 0 means the server did not send one, so it cannot differ.
  return revision.created_at !== '0' && String(cached.created_at ?? '0') !== revision.created_at;
}

/** Reads `SyncAuthorizedEntries` responses until one has `more=false`. */
class StreamReader {
  readonly #queue: SyncResponseMessage[] = [];
  #waiting: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  #error: unknown;
  #ended = false;
  readonly #endPromise: Promise<void>;

  constructor(call: grpc.ClientDuplexStream<unknown, SyncResponseMessage>) {
    this.#endPromise = new Promise((resolve, reject) => {
      call.on('data', (message: SyncResponseMessage) => {
        this.#queue.push(message);
        this.#wake();
      });
      call.on('error', (error) => {
        this.#error = error;
        this.#wake();
        reject(error);
      });
      call.on('end', () => {
        this.#ended = true;
        this.#wake();
        resolve();
      });
    });
    this.#endPromise.catch(() => {});
  }

  finished(): Promise<void> {
    return this.#endPromise;
  }

  /** Reads responses up to and including the next with `more=false`. */
  async readPages(): Promise<{ entries: EntryMessage[]; revisions: SyncResponseMessage['entry_revisions']; firstPageSize: number }> {
    const entries: EntryMessage[] = [];
    const revisions: SyncResponseMessage['entry_revisions'] = [];
    let firstPageSize = 0;
    for (;;) {
      const message = await this.#next();
      if (firstPageSize === 0) firstPageSize = message.entry_revisions.length;
      entries.push(...message.entries);
      revisions.push(...message.entry_revisions);
      if (!message.more) return { entries, revisions, firstPageSize };
    }
  }

  async #next(): Promise<SyncResponseMessage> {
    for (;;) {
      const message = this.#queue.shift();
      if (message) return message;
      if (this.#error) throw this.#error;
      if (this.#ended) throw new Error('server ended the entry sync stream early');
      await new Promise<void>((resolve, reject) => (this.#waiting = { resolve, reject }));
    }
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve();
  }
}
