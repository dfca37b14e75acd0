/**
 * Registration entries and agents in the exact shape `spire-server entry show
 * -output json` and `agent list -output json` print: every field present, int64
 * fields as strings, int32 TTLs as numbers.
 */
import { parseSelector } from '../../src/spire/selectors.js';
import type { AgentJson, EntryJson } from '../../src/spire/types.js';
import { spiffeIdToJson } from '../../src/spiffe/id.js';

/** The parts of an entry a test cares about; the rest get `entry show` defaults. */
export interface EntrySpec {
  readonly id: string;
  readonly spiffeId: string;
  readonly parentId: string;
  readonly selectors: readonly string[];
  readonly hint?: string;
  readonly createdAt?: string;
  readonly expiresAt?: string;
  readonly federatesWith?: readonly string[];
  readonly downstream?: boolean;
}

/** Builds an entry as `entry show -output json` prints it. */
export function makeEntry(spec: EntrySpec): EntryJson {
  return {
    admin: false,
    created_at: spec.createdAt ?? '1733300000',
    dns_names: [],
    downstream: spec.downstream ?? false,
    expires_at: spec.expiresAt ?? '0',
    federates_with: [...(spec.federatesWith ?? [])],
    hint: spec.hint ?? '',
    id: spec.id,
    jwt_svid_ttl: 0,
    parent_id: spiffeIdToJson(spec.parentId),
    revision_number: '0',
    selectors: spec.selectors.map(parseSelector),
    spiffe_id: spiffeIdToJson(spec.spiffeId),
    store_svid: false,
    x509_svid_ttl: 0,
  };
}

/** Builds an agent as `agent list -output json` prints it. */
export function makeAgent(id: string, selectors: readonly string[], expiresAt = '1733303600'): AgentJson {
  return {
    agent_version: '1.15.3',
    attestation_type: 'k8s_psat',
    banned: false,
    can_reattest: true,
    id: spiffeIdToJson(id),
    selectors: selectors.map(parseSelector),
    x509svid_expires_at: expiresAt,
    x509svid_serial_number: '187456103591185472385962417399311096151',
  };
}
