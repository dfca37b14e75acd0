/**
 * Conversions between the server's records and the `spire.api.types` messages as
 * @grpc/proto-loader presents them (proto field names, int64 as decimal strings).
 */
import type { AgentJson, EntryJson, SelectorJson, SpiffeIdJson } from '../../../spire/types.js';
import { formatSpiffeId } from '../../../spiffe/id.js';
import type { AttestedNode, RegistrationEntry, TrustBundle } from '../records.js';
import { isBanned, newRegistrationEntry } from '../records.js';

/** `spire.api.types.Entry` with every field present, as the server sends it. */
export interface EntryMessage {
  id: string;
  spiffe_id: SpiffeIdJson | null;
  parent_id: SpiffeIdJson | null;
  selectors: SelectorJson[];
  x509_svid_ttl: number;
  federates_with: string[];
  admin: boolean;
  downstream: boolean;
  expires_at: string;
  dns_names: string[];
  revision_number: string;
  store_svid: boolean;
  jwt_svid_ttl: number;
  hint: string;
  created_at: string;
  additional_attributes?: { disable_x509_svid_prefetch: boolean; jwt_svid_include_jti: boolean } | null;
}

/** Splits a SPIFFE ID string into the API's `{trust_domain, path}` form (the ID must be valid). */
export function toSpiffeIdMessage(id: string): SpiffeIdJson {
  const rest = id.slice('spiffe://'.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? { trust_domain: rest, path: '' } : { trust_domain: rest.slice(0, slash), path: rest.slice(slash) };
}

export function entryToMessage(entry: RegistrationEntry): EntryMessage {
  const message: EntryMessage = {
    id: entry.id,
    spiffe_id: toSpiffeIdMessage(entry.spiffeId),
    parent_id: toSpiffeIdMessage(entry.parentId),
    selectors: entry.selectors.map((selector) => ({ type: selector.type, value: selector.value })),
    x509_svid_ttl: entry.x509SvidTtl,
    federates_with: [...entry.federatesWith],
    admin: entry.admin,
    downstream: entry.downstream,
    expires_at: String(entry.expiresAt),
    dns_names: [...entry.dnsNames],
    revision_number: String(entry.revisionNumber),
    store_svid: entry.storeSvid,
    jwt_svid_ttl: entry.jwtSvidTtl,
    hint: entry.hint,
    created_at: String(entry.createdAt),
  };
  if (entry.additionalAttributes !== undefined) {
    message.additional_attributes = {
      disable_x509_svid_prefetch: entry.additionalAttributes.disableX509SvidPrefetch,
      jwt_svid_include_jti: entry.additionalAttributes.jwtSvidIncludeJti,
    };
  }
  return message;
}

/** Returns the entry in the shared `EntryJson` shape used by the entry filter and authorization code. */
export function entryToJson(entry: RegistrationEntry): EntryJson {
  return entryToMessage(entry) as EntryJson;
}

/** EntryMask fields, which are the Entry fields other than the id. */
export const ENTRY_MASK_FIELDS = [
  'spiffe_id',
  'parent_id',
  'selectors',
  'x509_svid_ttl',
  'federates_with',
  'admin',
  'downstream',
  'expires_at',
  'dns_names',
  'revision_number',
  'store_svid',
  'jwt_svid_ttl',
  'hint',
  'created_at',
  'additional_attributes',
] as const;

/**
 * Applies an `EntryMask`: an absent mask keeps every field, a present one resets
 * each field whose flag is false to its zero value (the id is always kept).
 */
export function applyEntryMask(message: EntryMessage, mask: Record<string, boolean> | null | undefined): EntryMessage {
  if (mask === null || mask === undefined) {
    return message;
  }
  const masked: EntryMessage = { ...message };
  const zero: EntryMessage = entryToMessage(ZERO_ENTRY);
  for (const field of ENTRY_MASK_FIELDS) {
    if (mask[field] !== true) {
      (masked as unknown as Record<string, unknown>)[field] = field === 'spiffe_id' || field === 'parent_id' || field === 'additional_attributes' ? null : zero[field];
    }
  }
  return masked;
}

const ZERO_ENTRY: RegistrationEntry = newRegistrationEntry({ id: '', spiffeId: 'spiffe://', parentId: 'spiffe://', selectors: [] });

/** `spire.api.types.Agent` as the server sends it. */
export interface AgentMessage {
  id: SpiffeIdJson;
  attestation_type: string;
  x509svid_serial_number: string;
  x509svid_expires_at: string;
  selectors: SelectorJson[];
  banned: boolean;
  can_reattest: boolean;
  agent_version: string;
}

export function nodeToMessage(node: AttestedNode): AgentMessage {
  return {
    id: toSpiffeIdMessage(node.spiffeId),
    attestation_type: node.attestationType,
    x509svid_serial_number: node.serialNumber,
    x509svid_expires_at: String(node.expiresAt),
    selectors: node.selectors.map((selector) => ({ type: selector.type, value: selector.value })),
    banned: isBanned(node),
    can_reattest: node.canReattest,
    agent_version: node.agentVersion,
  };
}

export function nodeToJson(node: AttestedNode): AgentJson {
  return nodeToMessage(node);
}

/** Applies an `AgentMask` the same way as {@link applyEntryMask}. */
export function applyAgentMask(message: AgentMessage, mask: Record<string, boolean> | null | undefined): AgentMessage {
  if (mask === null || mask === undefined) {
    return message;
  }
  return {
    id: message.id,
    attestation_type: mask.attestation_type === true ? message.attestation_type : '',
    x509svid_serial_number: mask.x509svid_serial_number === true ? message.x509svid_serial_number : '',
    x509svid_expires_at: mask.x509svid_expires_at === true ? message.x509svid_expires_at : '0',
    selectors: mask.selectors === true ? message.selectors : [],
    banned: mask.banned === true ? message.banned : false,
    can_reattest: mask.can_reattest === true ? message.can_reattest : false,
    agent_version: mask.agent_version === true ? message.agent_version : '',
  };
}

/** `spire.api.types.Bundle` as the server sends it. */
export interface BundleMessage {
  trust_domain: string;
  x509_authorities: { asn1: Buffer; tainted: boolean }[];
  jwt_authorities: { public_key: Buffer; key_id: string; expires_at: string; tainted: boolean }[];
  refresh_hint: string;
  sequence_number: string;
  wit_authorities: never[];
}

export function bundleToMessage(bundle: TrustBundle): BundleMessage {
  return {
    trust_domain: bundle.trustDomain,
    x509_authorities: bundle.x509Authorities.map((authority) => ({ asn1: authority.asn1, tainted: authority.tainted })),
    jwt_authorities: bundle.jwtAuthorities.map((authority) => ({
      public_key: authority.publicKey,
      key_id: authority.keyId,
      expires_at: String(authority.expiresAt),
      tainted: authority.tainted,
    })),
    refresh_hint: String(bundle.refreshHint),
    sequence_number: String(bundle.sequenceNumber),
    wit_authorities: [],
  };
}

/** Applies a `BundleMask`; the trust domain is always kept. */
export function applyBundleMask(message: BundleMessage, mask: Record<string, boolean> | null | undefined): BundleMessage {
  if (mask === null || mask === undefined) {
    return message;
  }
  return {
    trust_domain: message.trust_domain,
    x509_authorities: mask.x509_authorities === true ? message.x509_authorities : [],
    jwt_authorities: mask.jwt_authorities === true ? message.jwt_authorities : [],
    refresh_hint: mask.refresh_hint === true ? message.refresh_hint : '0',
    sequence_number: mask.sequence_number === true ? message.sequence_number : '0',
    wit_authorities: [],
  };
}

/** Formats an API SPIFFE ID message, or returns undefined for an absent one. */
export function formatIdMessage(id: SpiffeIdJson | null | undefined): string | undefined {
  return id === null || id === undefined ? undefined : formatSpiffeId(id);
}
