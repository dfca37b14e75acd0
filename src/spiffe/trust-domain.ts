/**
 * Trust domain names, parsed the way go-spiffe v2.8.1 `spiffeid.TrustDomainFromString`
 * does: a bare name such as `example.org`, or any text containing `:/`, which is
 * parsed as a whole SPIFFE ID whose path is then dropped.
 */
import { SpiffeIdError } from './errors.js';
import { isTrustDomainChar, parseSpiffeId } from './id.js';

/**
 * Parses a trust domain given as a bare name or as a SPIFFE ID, and returns the
 * name. SPIRE accepts both forms wherever it takes a trust domain (for example
 * `-federatesWith`), so the two forms are equivalent here too.
 *
 * The SPIFFE standard caps a name at 255 bytes but go-spiffe does not enforce it,
 * and SPIRE only warns for a long configured trust domain, so no limit applies here.
 *
 * @throws SpiffeIdError naming the broken rule.
 */
export function parseTrustDomain(text: string): string {
  if (text === '') {
    throw new SpiffeIdError('missing-trust-domain', text, 'trust domain');
  }
  if (text.includes(':/')) {
    return parseSpiffeId(text).trustDomain;
  }

  for (const char of text) {
    if (!isTrustDomainChar(char)) {
      throw new SpiffeIdError('bad-trust-domain-char', text, 'trust domain');
    }
  }
  return text;
}

/** Parses `text` as a trust domain and returns undefined, instead of throwing, when it is invalid. */
export function findTrustDomain(text: string): string | undefined {
  try {
    return parseTrustDomain(text);
  } catch (error) {
    if (error instanceof SpiffeIdError) {
      return undefined;
    }
    throw error;
  }
}
