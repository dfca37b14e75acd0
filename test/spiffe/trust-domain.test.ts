import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSpiffeIdError } from '../../src/spiffe/errors.js';
import { formatSpiffeId } from '../../src/spiffe/id.js';
import { findTrustDomain, parseTrustDomain } from '../../src/spiffe/trust-domain.js';
import { spiffeIdArbitrary, trustDomainArbitrary } from './arbitraries.js';

function reasonOf(text: string): string {
  try {
    parseTrustDomain(text);
  } catch (error) {
    if (isSpiffeIdError(error)) {
      return error.reason;
    }
    throw error;
  }
  return 'none';
}

describe('parseTrustDomain', () => {
  it.each([
    { name: 'bare name', input: 'example.org', expected: 'example.org' },
    { name: 'trust domain ID', input: 'spiffe://example.org', expected: 'example.org' },
    { name: 'ID with path', input: 'spiffe://example.org/ns/default', expected: 'example.org' },
  ])('accepts $name', ({ input, expected }) => {
    expect(parseTrustDomain(input)).toBe(expected);
  });

  it.each([
    { name: 'empty', input: '', reason: 'trust domain is missing' },
    { name: 'uppercase', input: 'Example.org', reason: 'trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores' },
    { name: 'port', input: 'example.org:443', reason: 'trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores' },
    { name: 'ID with trailing slash', input: 'spiffe://example.org/', reason: 'path cannot have a trailing slash' },
  ])('rejects $name', ({ input, reason }) => {
    expect(reasonOf(input)).toBe(reason);
  });

  it('labels the error as a trust domain', () => {
    expect(() => parseTrustDomain('Bad')).toThrow('invalid trust domain "Bad"');
  });

  it('returns every generated name unchanged', () => {
    fc.assert(
      fc.property(trustDomainArbitrary, (name) => {
        expect(parseTrustDomain(name)).toBe(name);
      }),
    );
  });

  it('extracts the name from every generated ID', () => {
    fc.assert(
      fc.property(spiffeIdArbitrary, (id) => {
        expect(parseTrustDomain(formatSpiffeId(id))).toBe(id.trustDomain);
      }),
    );
  });

  it('throws only SpiffeIdError on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const name = findTrustDomain(text);
        if (name !== undefined) {
          expect(/^[a-z0-9._-]+$/.test(name)).toBe(true);
        }
      }),
    );
  });
});
