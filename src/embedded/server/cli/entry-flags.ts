/**
 * The flags `spire-server entry create` and `entry update` share (SPIRE 1.15), and
 * the conversion from those flags, or a `-data` file, to Entry messages.
 */
import { readFileSync } from 'node:fs';

import { Flags } from '@oclif/core';

import { UserError } from '../../../errors.js';
import { isSpiffeIdError } from '../../../spiffe/errors.js';
import { parseSpiffeId } from '../../../spiffe/id.js';
import { parseSelector } from '../../../spire/selectors.js';
import type { SpiffeIdJson } from '../../../spire/types.js';
import { toSpiffeIdMessage } from '../api/convert.js';

export const entryFlags = {
  spiffeID: Flags.string({ description: 'The SPIFFE ID that this record represents.' }),
  parentID: Flags.string({ description: 'The SPIFFE ID of this record\'s parent.' }),
  selector: Flags.string({ description: 'A colon-delimited type:value selector. Can be used more than once.', multiple: true }),
  x509SVIDTTL: Flags.integer({ description: 'The lifetime of X509-SVIDs issued for this entry, in seconds; 0 uses the server default.', default: 0 }),
  jwtSVIDTTL: Flags.integer({ description: 'The lifetime of JWT-SVIDs issued for this entry, in seconds; 0 uses the server default.', default: 0 }),
  federatesWith: Flags.string({ description: 'SPIFFE ID of a trust domain to federate with. Can be used more than once.', multiple: true }),
  node: Flags.boolean({ description: 'If set, this entry is applied to matching nodes rather than workloads.', default: false }),
  admin: Flags.boolean({ description: 'If set, the SPIFFE ID in this entry is granted access to the server API.', default: false }),
  downstream: Flags.boolean({ description: 'A boolean value that, when set, indicates that the entry describes a downstream SPIRE server.', default: false }),
  storeSVID: Flags.boolean({ description: 'A boolean value that, when set, indicates that the resulting issued SVID should be stored by an SVIDStore plugin.', default: false }),
  entryExpiry: Flags.integer({ description: 'An expiry, from epoch in seconds, for the resulting registration entry to be pruned.', default: 0 }),
  dns: Flags.string({ description: 'A DNS name that is included in SVIDs issued for this entry. Can be used more than once.', multiple: true }),
  hint: Flags.string({ description: 'The entry hint, used to tell apart identities served to the same workload.', default: '' }),
  disableX509SVIDPrefetch: Flags.boolean({ description: 'If set, the agent fetches the X509-SVID only when a workload asks for it.', default: false }),
  jwtSVIDIncludeJTI: Flags.boolean({ description: 'If set, JWT-SVIDs issued for this entry carry a jti claim.', default: false }),
  data: Flags.string({ description: 'Path to a file containing registration JSON (optional). If set to \'-\', read the JSON from stdin.' }),
};

export interface EntryFlagValues {
  spiffeID?: string;
  parentID?: string;
  selector?: string[];
  x509SVIDTTL: number;
  jwtSVIDTTL: number;
  federatesWith?: string[];
  node: boolean;
  admin: boolean;
  downstream: boolean;
  storeSVID: boolean;
  entryExpiry: number;
  dns?: string[];
  hint: string;
  disableX509SVIDPrefetch: boolean;
  jwtSVIDIncludeJTI: boolean;
  data?: string;
}

function usage(message: string, suggestion: string): UserError {
  return new UserError(message, { suggestions: [suggestion] });
}

const ID_FLAG_LABELS: Readonly<Record<string, string>> = { spiffeID: 'SPIFFE ID', parentID: 'parent ID' };

/** Parses a SPIFFE ID flag into the API form; the UserError reads like SPIRE's `error parsing SPIFFE ID "<value>": <reason>`. */
export function readIdFlag(flag: string, value: string): SpiffeIdJson {
  try {
    const id = parseSpiffeId(value);
    return { trust_domain: id.trustDomain, path: id.path };
  } catch (error) {
    if (isSpiffeIdError(error)) {
      throw usage(`error parsing ${ID_FLAG_LABELS[flag] ?? flag} "${value}": ${error.reason}`, `Write -${flag} as spiffe://<trust domain>/<path>.`);
    }
    throw error;
  }
}

/**
 * Builds the Entry message described by the flags, after the checks SPIRE's CLI makes.
 * `update` requires a parent ID even with `-node`, as `spire-server entry update` has no node flag.
 */
export function entryFromFlags(flags: EntryFlagValues, entryId: string, operation: 'create' | 'update' = 'create'): Record<string, unknown> {
  // The checks run in the order of SPIRE's CLI, so the first problem reported is the same.
  if ((flags.selector ?? []).length === 0) throw usage('at least one selector is required', 'Pass -selector type:value, for example -selector unix:uid:1000.');
  if (flags.node && (flags.federatesWith ?? []).length > 0) throw usage('node entries can not federate', 'Drop -federatesWith from the node entry.');
  if (operation === 'update' && flags.parentID === undefined) throw usage('a parent ID is required', 'Pass -parentID with the parent of the entry.');
  if (!flags.node && flags.parentID === undefined) throw usage('a parent ID is required if the node flag is not set', 'Pass -parentID, or -node for a node alias entry.');
  if (flags.spiffeID === undefined) throw usage('a SPIFFE ID is required', 'Pass -spiffeID spiffe://<trust domain>/<path>.');
  if (flags.x509SVIDTTL < 0) throw usage('a positive x509-SVID TTL is required', 'Pass -x509SVIDTTL 0 for the server default, or a positive number of seconds.');
  if (flags.jwtSVIDTTL < 0) throw usage('a positive JWT-SVID TTL is required', 'Pass -jwtSVIDTTL 0 for the server default, or a positive number of seconds.');

  const spiffeId = readIdFlag('spiffeID', flags.spiffeID);
  const parentId = flags.node && operation === 'create' ? { trust_domain: spiffeId.trust_domain, path: '/spire/server' } : readIdFlag('parentID', flags.parentID!);
  const selectors = (flags.selector ?? []).map((text) => {
    try {
      return parseSelector(text);
    } catch (error) {
      throw usage((error as Error).message, 'Write each selector as type:value.');
    }
  });

  const entry: Record<string, unknown> = {
    id: entryId,
    spiffe_id: spiffeId,
    parent_id: parentId,
    selectors,
    x509_svid_ttl: flags.x509SVIDTTL,
    jwt_svid_ttl: flags.jwtSVIDTTL,
    federates_with: flags.federatesWith ?? [],
    admin: flags.admin,
    downstream: flags.downstream,
    store_svid: flags.storeSVID,
    expires_at: String(flags.entryExpiry),
    dns_names: flags.dns ?? [],
    hint: flags.hint,
  };
  if (flags.disableX509SVIDPrefetch || flags.jwtSVIDIncludeJTI) {
    entry.additional_attributes = { disable_x509_svid_prefetch: flags.disableX509SVIDPrefetch, jwt_svid_include_jti: flags.jwtSVIDIncludeJTI };
  }
  return entry;
}

interface LegacyEntry {
  entry_id?: string;
  spiffe_id?: string;
  parent_id?: string;
  selectors?: { type: string; value: string }[];
  x509_svid_ttl?: number;
  jwt_svid_ttl?: number;
  federates_with?: string[];
  admin?: boolean;
  downstream?: boolean;
  entryExpiry?: number;
  dns_names?: string[];
  hint?: string;
  store_svid?: boolean;
}

/**
 * Reads entries from a `-data` file (or stdin for `-`) in the registration JSON format
 * SPIRE's CLI accepts: `{"entries":[{"spiffe_id":"spiffe://…","parent_id":"spiffe://…","selectors":[…]}]}`.
 */
export function readEntriesFromData(path: string): Record<string, unknown>[] {
  let parsed: { entries?: LegacyEntry[] };
  try {
    parsed = JSON.parse(readFileSync(path === '-' ? 0 : path, 'utf8')) as { entries?: LegacyEntry[] };
  } catch (error) {
    throw usage(`failed to read registration data ${path}: ${(error as Error).message}`, 'Pass a JSON file of the form {"entries":[…]}.');
  }
  if (!Array.isArray(parsed.entries)) {
    throw usage(`invalid registration data ${path}: missing "entries" list`, 'Pass a JSON file of the form {"entries":[…]}.');
  }
  return parsed.entries.map((entry) => ({
    id: entry.entry_id ?? '',
    spiffe_id: entry.spiffe_id === undefined ? null : toSpiffeIdMessage(entry.spiffe_id),
    parent_id: entry.parent_id === undefined ? null : toSpiffeIdMessage(entry.parent_id),
    selectors: entry.selectors ?? [],
    x509_svid_ttl: entry.x509_svid_ttl ?? 0,
    jwt_svid_ttl: entry.jwt_svid_ttl ?? 0,
    federates_with: entry.federates_with ?? [],
    admin: entry.admin ?? false,
    downstream: entry.downstream ?? false,
    expires_at: String(entry.entryExpiry ?? 0),
    dns_names: entry.dns_names ?? [],
    hint: entry.hint ?? '',
    store_svid: entry.store_svid ?? false,
  }));
}
