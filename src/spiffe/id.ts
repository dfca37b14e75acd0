/**
 * SPIFFE IDs: parsing, formatting and the JSON form the SPIRE API uses.
 *
 * The rules are those of the SPIFFE ID standard (SPIFFE-ID.md sections 2 to 2.3) as
 * go-spiffe v2.8.1 `spiffeid.FromString` enforces them, which is what SPIRE uses.
 * go-spiffe is stricter than the standard in one place: it rejects an uppercase
 * scheme or trust domain instead of folding case. Neither go-spiffe nor SPIRE limits
 * the length, so this module does not either.
 */
import type { SpiffeIdJson } from '../spire/types.js';
import { SpiffeIdError } from './errors.js';

/** A parsed SPIFFE ID. `path` is empty for a trust domain ID, else starts with `/`. */
export interface SpiffeId {
  readonly trustDomain: string;
  readonly path: string;
}

const SCHEME_PREFIX = 'spiffe://';

/** Tells whether `char` may appear in a trust domain name: `[a-z0-9._-]`. */
export function isTrustDomainChar(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= '0' && char <= '9') || char === '.' || char === '-' || char === '_';
}

/** Tells whether `char` may appear in a path segment: `[a-zA-Z0-9._-]`. */
export function isPathSegmentChar(char: string): boolean {
  return isTrustDomainChar(char) || (char >= 'A' && char <= 'Z');
}

/**
 * Parses a SPIFFE ID such as `spiffe://example.org/ns/default/sa/api`.
 *
 * The checks run in go-spiffe's order: empty, scheme, trust domain characters up to
 * the first `/`, trust domain present, then the path. The first broken rule is
 * reported, so the error matches what SPIRE would print for the same text.
 *
 * @throws SpiffeIdError naming the broken rule.
 */
export function parseSpiffeId(text: string): SpiffeId {
  if (text === '') {
    throw new SpiffeIdError('empty', text);
  }
  if (!text.startsWith(SCHEME_PREFIX)) {
    throw new SpiffeIdError('bad-scheme', text);
  }

  const rest = text.slice(SCHEME_PREFIX.length);
  let end = 0;
  for (; end < rest.length && rest[end] !== '/'; end++) {
    if (!isTrustDomainChar(rest.charAt(end))) {
      throw new SpiffeIdError('bad-trust-domain-char', text);
    }
  }
  if (end === 0) {
    throw new SpiffeIdError('missing-trust-domain', text);
  }

  const path = rest.slice(end);
  const rule = findPathRuleBroken(path);
  if (rule !== undefined) {
    throw new SpiffeIdError(rule, text);
  }
  return { trustDomain: rest.slice(0, end), path };
}

/**
 * Checks a SPIFFE ID path (empty, or `/segment/...`) the way go-spiffe's
 * `ValidatePath` does.
 *
 * @throws SpiffeIdError naming the broken rule.
 */
export function validateSpiffeIdPath(path: string): void {
  const rule = findPathRuleBroken(path);
  if (rule !== undefined) {
    throw new SpiffeIdError(rule, path, 'path');
  }
}

/**
 * Returns the first path rule `path` breaks, scanning left to right. A bad character
 * is reported where it is seen, and an empty or dot segment when the `/` after it is
 * reached. The last segment is checked at the end.
 */
function findPathRuleBroken(path: string): 'no-leading-slash' | 'bad-path-segment-char' | 'empty-segment' | 'dot-segment' | 'trailing-slash' | undefined {
  if (path === '') {
    return undefined;
  }
  if (!path.startsWith('/')) {
    return 'no-leading-slash';
  }

  let segmentStart = 0;
  for (let i = 0; i < path.length; i++) {
    const char = path.charAt(i);
    if (char === '/') {
      const segment = path.slice(segmentStart, i);
      if (segment === '/') {
        return 'empty-segment';
      }
      if (segment === '/.' || segment === '/..') {
        return 'dot-segment';
      }
      segmentStart = i;
      continue;
    }
    if (!isPathSegmentChar(char)) {
      return 'bad-path-segment-char';
    }
  }

  const lastSegment = path.slice(segmentStart);
  if (lastSegment === '/') {
    return 'trailing-slash';
  }
  if (lastSegment === '/.' || lastSegment === '/..') {
    return 'dot-segment';
  }
  return undefined;
}

/**
 * Formats a SPIFFE ID from its parts, accepting both the parsed form and the SPIRE
 * API's JSON form (`trust_domain`). The parts are not validated: pass them through
 * {@link parseSpiffeId} first when they come from untrusted input.
 */
export function formatSpiffeId(id: SpiffeId | SpiffeIdJson): string {
  const trustDomain = 'trustDomain' in id ? id.trustDomain : id.trust_domain;
  return `${SCHEME_PREFIX}${trustDomain}${id.path}`;
}

/**
 * Parses a SPIFFE ID into the JSON form the SPIRE API and `entry show -output json`
 * use: `{"trust_domain": "example.org", "path": "/api"}`.
 *
 * @throws SpiffeIdError when the text is not a valid SPIFFE ID.
 */
export function spiffeIdToJson(text: string): SpiffeIdJson {
  const id = parseSpiffeId(text);
  return { trust_domain: id.trustDomain, path: id.path };
}

/** Tells whether `id` names a whole trust domain (`spiffe://example.org`, empty path). */
export function isTrustDomainId(id: SpiffeId | SpiffeIdJson | string): boolean {
  const parsed = typeof id === 'string' ? parseSpiffeId(id) : id;
  return parsed.path === '';
}

/** Returns the trust domain ID, `spiffe://<name>`, of a trust domain name. */
export function trustDomainId(trustDomain: string): string {
  return `${SCHEME_PREFIX}${trustDomain}`;
}

/** Tells whether two SPIFFE IDs are equal; IDs are compared exactly, as SPIRE does. */
export function sameSpiffeId(a: SpiffeId | SpiffeIdJson, b: SpiffeId | SpiffeIdJson): boolean {
  return formatSpiffeId(a) === formatSpiffeId(b);
}

/** Tells whether `id` belongs to `trustDomain` (a bare name). */
export function isMemberOf(id: SpiffeId | SpiffeIdJson, trustDomain: string): boolean {
  const idTrustDomain = 'trustDomain' in id ? id.trustDomain : id.trust_domain;
  return idTrustDomain === trustDomain;
}

/** Parses `text` as a SPIFFE ID and returns undefined, instead of throwing, when it is invalid. */
export function findSpiffeId(text: string): SpiffeId | undefined {
  try {
    return parseSpiffeId(text);
  } catch (error) {
    if (error instanceof SpiffeIdError) {
      return undefined;
    }
    throw error;
  }
}
