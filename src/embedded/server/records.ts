/**
 * The server's own records: registration entries, attested agents, join tokens and
 * bundles, as the datastore keeps them. The API layer converts them to and from the
 * `spire.api.types` messages.
 */
import type { SelectorJson } from '../../spire/types.js';

export interface RegistrationEntry {
  readonly id: string;
  readonly spiffeId: string;
  readonly parentId: string;
  /** Sorted by type, then value. */
  readonly selectors: readonly SelectorJson[];
  /** Seconds; 0 means the server default. */
  readonly x509SvidTtl: number;
  readonly jwtSvidTtl: number;
  /** Trust domain names. */
  readonly federatesWith: readonly string[];
  readonly admin: boolean;
  readonly downstream: boolean;
  /** Unix seconds; 0 means no expiry. */
  readonly expiresAt: number;
  readonly dnsNames: readonly string[];
  readonly revisionNumber: number;
  readonly storeSvid: boolean;
  readonly hint: string;
  /** Unix seconds. */
  readonly createdAt: number;
  readonly additionalAttributes?: {
    readonly disableX509SvidPrefetch: boolean;
    readonly jwtSvidIncludeJti: boolean;
  };
}

/** An attested agent. A banned agent has empty serial numbers, as in SPIRE 1.15. */
export interface AttestedNode {
  readonly spiffeId: string;
  readonly attestationType: string;
  readonly serialNumber: string;
  /** Unix seconds. */
  readonly expiresAt: number;
  /** Serial of a renewed SVID not yet presented; it becomes current on first use. */
  readonly newSerialNumber: string;
  readonly newExpiresAt: number;
  readonly canReattest: boolean;
  readonly agentVersion: string;
  readonly selectors: readonly SelectorJson[];
}

export interface BundleX509Authority {
  readonly asn1: Buffer;
  readonly tainted: boolean;
}

export interface BundleJwtAuthority {
  /** PKIX DER. */
  readonly publicKey: Buffer;
  readonly keyId: string;
  /** Unix seconds; 0 means no expiry. */
  readonly expiresAt: number;
  readonly tainted: boolean;
}

export interface TrustBundle {
  /** Trust domain name, e.g. `example.org`. */
  readonly trustDomain: string;
  readonly x509Authorities: readonly BundleX509Authority[];
  readonly jwtAuthorities: readonly BundleJwtAuthority[];
  /** Seconds; 0 means none. */
  readonly refreshHint: number;
  readonly sequenceNumber: number;
}

/**
 * Returns a registration entry with every optional setting at its zero value
 * (server-default TTLs, no expiry, no hint) and the given identity fields.
 */
export function newRegistrationEntry(
  fields: Pick<RegistrationEntry, 'id' | 'spiffeId' | 'parentId' | 'selectors'> & Partial<RegistrationEntry>,
): RegistrationEntry {
  return {
    x509SvidTtl: 0,
    jwtSvidTtl: 0,
    federatesWith: [],
    admin: false,
    downstream: false,
    expiresAt: 0,
    dnsNames: [],
    revisionNumber: 0,
    storeSvid: false,
    hint: '',
    createdAt: 0,
    ...fields,
  };
}

/** Tells whether an attested node is banned (its serial numbers were cleared). */
export function isBanned(node: AttestedNode): boolean {
  return node.serialNumber === '' && node.newSerialNumber === '';
}
