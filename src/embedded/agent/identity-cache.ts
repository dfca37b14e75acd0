/**
 * The agent's cache: the registration entries the server authorised it for, one
 * X509-SVID per entry, and the bundles. Every change bumps a revision and emits
 * `update`, which the Workload API streams listen to.
 */
import { EventEmitter } from 'node:events';
import type { EntryJson, SelectorJson } from '../../spire/types.js';
import { formatSelector } from '../../spire/selectors.js';
import { entriesForWorkload } from '../../spire/workload-matching.js';

/** An X509-SVID minted for one registration entry. */
export interface CachedX509Svid {
  readonly entryId: string;
  readonly spiffeId: string;
  /** DER certificates, leaf first. */
  readonly certificates: readonly Buffer[];
  /** PKCS#8 DER private key. */
  readonly privateKey: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** A JWT signing key from a bundle. */
export interface JwtAuthority {
  readonly keyId: string;
  /** PKIX (SubjectPublicKeyInfo) DER. */
  readonly publicKey: Buffer;
  /** Unix seconds; 0 means no expiry. */
  readonly expiresAt: number;
}

/** The bundle of one trust domain. */
export interface TrustBundle {
  /** Trust domain ID, such as `spiffe://example.org`. */
  readonly trustDomainId: string;
  /** DER CA certificates. */
  readonly x509Authorities: readonly Buffer[];
  readonly jwtAuthorities: readonly JwtAuthority[];
}

/** One identity a workload receives: the entry and its SVID, once minted. */
export interface WorkloadIdentity {
  readonly entry: EntryJson;
  readonly svid: CachedX509Svid | undefined;
}

/** Returns an entry's ID; entries from the server always carry one. */
export function entryId(entry: EntryJson): string {
  return entry.id ?? '';
}

/** In-memory state of one agent. */
export class IdentityCache extends EventEmitter {
  #entries: EntryJson[] = [];
  #svids = new Map<string, CachedX509Svid>();
  #bundle: TrustBundle | undefined;
  #federatedBundles = new Map<string, TrustBundle>();
  #revision = 0;

  constructor() {
    super();
    // Every open Workload API stream listens for updates, so there is no useful limit.
    this.setMaxListeners(0);
  }

  /** Increases on every change; streams compare it to skip duplicate sends. */
  get revision(): number {
    return this.#revision;
  }

  get bundle(): TrustBundle | undefined {
    return this.#bundle;
  }

  get federatedBundles(): ReadonlyMap<string, TrustBundle> {
    return this.#federatedBundles;
  }

  get entries(): readonly EntryJson[] {
    return this.#entries;
  }

  findSvid(id: string): CachedX509Svid | undefined {
    return this.#svids.get(id);
  }

  /** Replaces the entry list and drops the SVIDs of entries that are gone. */
  setEntries(entries: readonly EntryJson[]): void {
    this.#entries = [...entries];
    const live = new Set(entries.map(entryId));
    for (const id of this.#svids.keys()) {
      if (!live.has(id)) this.#svids.delete(id);
    }
    this.#changed();
  }

  setX509Svid(svid: CachedX509Svid): void {
    this.#svids.set(svid.entryId, svid);
    this.#changed();
  }

  setBundle(bundle: TrustBundle): void {
    this.#bundle = bundle;
    this.#changed();
  }

  setFederatedBundles(bundles: readonly TrustBundle[]): void {
    this.#federatedBundles = new Map(bundles.map((bundle) => [bundle.trustDomainId, bundle]));
    this.#changed();
  }

  /**
   * Returns the identities for a workload with `selectors`: every entry whose
   * selectors are all among them (SPIRE 1.15 `pkg/agent/manager/cache`), sorted by
   * entry ID. Entries without selectors never match, as in SPIRE's selector index, and
   * of entries sharing a hint only the oldest is kept.
   */
  identitiesFor(selectors: readonly SelectorJson[]): WorkloadIdentity[] {
    return entriesForWorkload(selectors.map(formatSelector), this.#entries).map((entry) => ({ entry, svid: this.#svids.get(entryId(entry)) }));
  }

  /** Returns the bundles of the federated trust domains the given entries federate with. */
  federatedBundlesFor(entries: readonly EntryJson[]): TrustBundle[] {
    const bundles = new Map<string, TrustBundle>();
    for (const entry of entries) {
      for (const trustDomain of entry.federates_with ?? []) {
        const id = trustDomain.startsWith('spiffe://') ? trustDomain : `spiffe://${trustDomain}`;
        const bundle = this.#federatedBundles.get(id);
        if (bundle) bundles.set(id, bundle);
      }
    }
    return [...bundles.values()];
  }

  #changed(): void {
    this.#revision++;
    this.emit('update', this.#revision);
  }
}
