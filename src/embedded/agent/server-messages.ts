/**
 * Shapes of the SPIRE Server API messages the agent sends and receives, as
 * `@grpc/proto-loader` decodes them (proto field names, int64 as decimal strings),
 * and their conversion to the agent's own types.
 */
import type { EntryJson, SelectorJson, SpiffeIdJson } from '../../spire/types.js';
import type { TrustBundle } from './identity-cache.js';

export interface X509SvidMessage {
  cert_chain: Buffer[];
  id: SpiffeIdJson | null;
  expires_at: string;
}

export interface StatusMessage {
  code: number;
  message: string;
}

export interface EntryMessage {
  id: string;
  spiffe_id: SpiffeIdJson | null;
  parent_id: SpiffeIdJson | null;
  selectors: SelectorJson[];
  federates_with: string[];
  hint: string;
  revision_number: string;
  created_at: string;
  admin: boolean;
  downstream: boolean;
}

export interface BundleMessage {
  trust_domain: string;
  x509_authorities: { asn1: Buffer; tainted: boolean }[];
  jwt_authorities: { public_key: Buffer; key_id: string; expires_at: string; tainted: boolean }[];
}

export interface SyncResponseMessage {
  entry_revisions: { id: string; revision_number: string; created_at: string }[];
  entries: EntryMessage[];
  more: boolean;
}

/** The entry fields the agent requests, as SPIRE 1.15's agent does (no parent ID, TTLs, expiry or DNS names). */
export const AGENT_ENTRY_MASK = {
  spiffe_id: true,
  selectors: true,
  federates_with: true,
  admin: true,
  downstream: true,
  revision_number: true,
  store_svid: true,
  hint: true,
  created_at: true,
  additional_attributes: true,
};

/**
 * Converts an entry from the sync stream. The output mask leaves out the parent ID,
 * so `parent_id` is empty: the server has already decided which entries this agent may serve.
 */
export function entryFromMessage(message: EntryMessage): EntryJson {
  return {
    id: message.id,
    spiffe_id: message.spiffe_id ?? { trust_domain: '', path: '' },
    parent_id: message.parent_id ?? { trust_domain: '', path: '' },
    selectors: message.selectors,
    federates_with: message.federates_with,
    hint: message.hint,
    revision_number: message.revision_number,
    created_at: message.created_at,
    admin: message.admin,
    downstream: message.downstream,
  };
}

export function bundleFromMessage(message: BundleMessage): TrustBundle {
  return {
    trustDomainId: `spiffe://${message.trust_domain}`,
    x509Authorities: message.x509_authorities.map((authority) => authority.asn1),
    jwtAuthorities: message.jwt_authorities.map((authority) => ({
      keyId: authority.key_id,
      publicKey: authority.public_key,
      expiresAt: Number(authority.expires_at),
    })),
  };
}
