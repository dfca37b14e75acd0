/**
 * Converts and checks an `Entry` message from BatchCreateEntry or BatchUpdateEntry,
 * in the order and with the messages of SPIRE 1.15 (the API conversion checks first,
 * then the SQL datastore's own checks).
 */
import { status as Status } from '@grpc/grpc-js';

import { isSpiffeIdError } from '../../../spiffe/errors.js';
import { formatSpiffeId, validateSpiffeIdPath } from '../../../spiffe/id.js';
import { parseTrustDomain } from '../../../spiffe/trust-domain.js';
import type { SelectorJson, SpiffeIdJson } from '../../../spire/types.js';
import type { RegistrationEntry } from '../records.js';
import { ApiError } from './api-error.js';
import type { EntryMessage } from './convert.js';

const MAX_HINT_LENGTH = 1024;
const MAX_ENTRY_ID_LENGTH = 255;
const ENTRY_ID_PATTERN = /^[A-Za-z0-9._-]*$/;

/** Fields of an entry that are not set by the server (id may be empty: the server assigns one). */
export type EntryInput = Omit<RegistrationEntry, 'revisionNumber' | 'createdAt'>;

function invalid(message: string): ApiError {
  return new ApiError(Status.INVALID_ARGUMENT, `failed to convert entry: ${message}`);
}

/**
 * Builds a SPIFFE ID string from its message parts, checking them like go-spiffe.
 * Returns the go-spiffe error text on failure so callers can prefix it.
 */
export function idFromMessage(id: SpiffeIdJson): { readonly id?: string; readonly error?: string } {
  try {
    const trustDomain = parseTrustDomain(id.trust_domain);
    validateSpiffeIdPath(id.path);
    return { id: formatSpiffeId({ trustDomain, path: id.path }) };
  } catch (error) {
    if (isSpiffeIdError(error)) return { error: error.reason };
    throw error;
  }
}

function memberId(id: SpiffeIdJson, trustDomain: string, label: string): string {
  const parsed = idFromMessage(id);
  if (parsed.id === undefined) {
    throw invalid(`invalid ${label}: ${parsed.error}`);
  }
  if (id.trust_domain !== trustDomain) {
    throw invalid(`invalid ${label}: "${parsed.id}" is not a member of trust domain "${trustDomain}"`);
  }
  if (id.path === '') {
    throw invalid(`invalid ${label}: "${parsed.id}" is not a member of trust domain "${trustDomain}"; path is empty`);
  }
  return parsed.id;
}

function workloadId(id: SpiffeIdJson, trustDomain: string): string {
  const parsed = idFromMessage(id);
  if (parsed.id === undefined) {
    throw invalid(`invalid spiffe ID: ${parsed.error}`);
  }
  if (id.trust_domain !== trustDomain) {
    throw invalid(`invalid spiffe ID: "${parsed.id}" is not a member of trust domain "${trustDomain}"`);
  }
  if (id.path === '') {
    throw invalid(`invalid spiffe ID: "${parsed.id}" is not a workload in trust domain "${trustDomain}"; path is empty`);
  }
  if (id.path === '/spire' || id.path.startsWith('/spire/')) {
    throw invalid(`invalid spiffe ID: "${parsed.id}" is not a workload in trust domain "${trustDomain}"; path is in the reserved namespace`);
  }
  return parsed.id;
}

/**
 * Returns the problem with a DNS name, or undefined when it is valid. Approximates
 * SPIRE 1.15's DNS name checks: ASCII only, one leading `*.` wildcard at most,
 * no trailing dot, labels of 1 to 63 letters, digits and inner hyphens.
 */
export function findDnsNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'empty or only whitespace';
  if (!/^[\x00-\x7f]*$/.test(name)) return 'name must be ascii';
  const wildcards = name.split('*').length - 1;
  if (wildcards > 1) return 'too many wildcards';
  if (wildcards === 1 && !name.startsWith('*.')) return 'wildcard must be first label';
  if (name.endsWith('.')) return 'domain ends with dot';

  const labels = (wildcards === 1 ? name.slice(2) : name).split('.');
  for (const label of labels) {
    // NOTE: SPIRE reports these through Go's IDNA library; the wording after "idna error" is ours.
    if (label.length === 0 || label.length > 63) return `idna error: invalid label length ${JSON.stringify(label)}`;
    if (!/^[A-Za-z0-9-]+$/.test(label) || label.startsWith('-') || label.endsWith('-')) {
      return `idna error: disallowed character or hyphen in label ${JSON.stringify(label)}`;
    }
  }
  return undefined;
}

function checkSelectors(selectors: readonly SelectorJson[]): SelectorJson[] {
  if (selectors.length === 0) throw invalid('selector list is empty');
  for (const selector of selectors) {
    if (selector.type === '') throw invalid('missing selector type');
    if (selector.type.includes(':')) throw invalid("selector type contains ':'");
    if (selector.value === '') throw invalid('missing selector value');
  }
  return [...selectors].sort((a, b) => (a.type === b.type ? compare(a.value, b.value) : compare(a.type, b.type)));
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function checkFederatesWith(values: readonly string[]): string[] {
  return values.map((value) => {
    try {
      return parseTrustDomain(value);
    } catch (error) {
      if (isSpiffeIdError(error)) throw invalid(`invalid federated trust domain: ${error.reason}`);
      throw error;
    }
  });
}

/**
 * Converts an API entry into a stored entry, raising InvalidArgument with SPIRE's
 * message for the first broken rule.
 */
export function entryFromMessage(message: EntryMessage, trustDomain: string): EntryInput {
  if (message.parent_id === null || message.parent_id === undefined) throw invalid('invalid parent ID: request must specify SPIFFE ID');
  const parentId = memberId(message.parent_id, trustDomain, 'parent ID');
  if (message.spiffe_id === null || message.spiffe_id === undefined) throw invalid('invalid spiffe ID: request must specify SPIFFE ID');
  const spiffeId = workloadId(message.spiffe_id, trustDomain);

  for (const name of message.dns_names) {
    const problem = findDnsNameProblem(name);
    if (problem !== undefined) throw invalid(`invalid DNS name: ${problem}`);
  }
  const federatesWith = checkFederatesWith(message.federates_with);
  const selectors = checkSelectors(message.selectors);
  if (message.hint.length > MAX_HINT_LENGTH) throw invalid(`hint is too long, max length is ${MAX_HINT_LENGTH} characters`);

  const attributes = message.additional_attributes;
  return {
    id: message.id,
    spiffeId,
    parentId,
    selectors,
    x509SvidTtl: message.x509_svid_ttl,
    jwtSvidTtl: message.jwt_svid_ttl,
    federatesWith,
    admin: message.admin,
    downstream: message.downstream,
    expiresAt: Number(message.expires_at),
    dnsNames: [...message.dns_names],
    storeSvid: message.store_svid,
    hint: message.hint,
    ...(attributes === null || attributes === undefined
      ? {}
      : {
          additionalAttributes: {
            disableX509SvidPrefetch: attributes.disable_x509_svid_prefetch,
            jwtSvidIncludeJti: attributes.jwt_svid_include_jti,
          },
        }),
  };
}

/**
 * Applies the checks SPIRE 1.15's SQL datastore makes before it stores an entry.
 * `operation` (`create` or `update`) selects the message prefix.
 */
export function checkStorableEntry(entry: EntryInput, operation: 'create' | 'update'): void {
  const fail = (problem: string) =>
    new ApiError(Status.INVALID_ARGUMENT, `failed to ${operation} entry: datastore-validation: invalid registration entry: ${problem}`);

  if (entry.id.length > MAX_ENTRY_ID_LENGTH) throw fail('entry ID too long');
  if (!ENTRY_ID_PATTERN.test(entry.id)) throw fail('entry ID contains invalid characters');
  if (entry.x509SvidTtl < 0) throw fail('X509SvidTtl is not set');
  if (entry.jwtSvidTtl < 0) throw fail('JwtSvidTtl is not set');
  if (entry.storeSvid && new Set(entry.selectors.map((selector) => selector.type)).size > 1) {
    throw fail('selector types must be the same when store SVID is enabled');
  }
  if (entry.storeSvid && entry.additionalAttributes?.disableX509SvidPrefetch === true) {
    throw new ApiError(
      Status.INVALID_ARGUMENT,
      `failed to ${operation} entry: datastore-validation: specifying cache behaviour is incompatible with storable SVIDs`,
    );
  }
}
