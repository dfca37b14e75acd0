import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUserError } from '../../src/errors.js';
import { isSpiffeIdError, SpiffeIdError } from '../../src/spiffe/errors.js';
import {
  findSpiffeId,
  formatSpiffeId,
  isTrustDomainId,
  parseSpiffeId,
  spiffeIdToJson,
  validateSpiffeIdPath,
} from '../../src/spiffe/id.js';
import { spiffeIdArbitrary, pathArbitrary, trustDomainArbitrary } from './arbitraries.js';

function ruleOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (isSpiffeIdError(error)) {
      return error.rule;
    }
    throw error;
  }
  return 'none';
}

describe('parseSpiffeId', () => {
  it.each([
    { name: 'workload ID', input: 'spiffe://example.org/ns/default/sa/api', trustDomain: 'example.org', path: '/ns/default/sa/api' },
    { name: 'trust domain ID', input: 'spiffe://example.org', trustDomain: 'example.org', path: '' },
    { name: 'agent ID', input: 'spiffe://prod.acme/spire/agent/k8s_psat/prod/0a1b', trustDomain: 'prod.acme', path: '/spire/agent/k8s_psat/prod/0a1b' },
    { name: 'uppercase path', input: 'spiffe://td/API/V1', trustDomain: 'td', path: '/API/V1' },
  ])('accepts $name', ({ input, trustDomain, path }) => {
    expect(parseSpiffeId(input)).toEqual({ trustDomain, path });
  });

  it.each([
    { name: 'uppercase trust domain', input: 'spiffe://Example.org/api', rule: 'bad-trust-domain-char' },
    { name: 'port', input: 'spiffe://example.org:8443/api', rule: 'bad-trust-domain-char' },
    { name: 'userinfo', input: 'spiffe://user@example.org/api', rule: 'bad-trust-domain-char' },
    { name: 'query after path', input: 'spiffe://example.org/api?x=1', rule: 'bad-path-segment-char' },
    { name: 'fragment', input: 'spiffe://example.org/api#x', rule: 'bad-path-segment-char' },
    { name: 'http scheme', input: 'https://example.org/api', rule: 'bad-scheme' },
    { name: 'empty segment', input: 'spiffe://example.org/a//b', rule: 'empty-segment' },
    { name: 'dot segment', input: 'spiffe://example.org/a/./b', rule: 'dot-segment' },
    { name: 'final dot-dot segment', input: 'spiffe://example.org/a/..', rule: 'dot-segment' },
    { name: 'trailing slash', input: 'spiffe://example.org/a/', rule: 'trailing-slash' },
    { name: 'percent encoding', input: 'spiffe://example.org/a%20b', rule: 'bad-path-segment-char' },
    { name: 'empty input', input: '', rule: 'empty' },
    { name: 'missing trust domain', input: 'spiffe:///a', rule: 'missing-trust-domain' },
    { name: 'bad char before empty segment', input: 'spiffe://td/a b//c', rule: 'bad-path-segment-char' },
    { name: 'empty segment before bad char', input: 'spiffe://td//a b', rule: 'empty-segment' },
  ])('rejects $name', ({ input, rule }) => {
    expect(ruleOf(() => parseSpiffeId(input))).toBe(rule);
  });

  it('names the input and the rule in the message', () => {
    const error = new SpiffeIdError('bad-scheme', 'example.org/api');

    expect(error.message).toBe('invalid SPIFFE ID "example.org/api": scheme is missing or invalid');
    expect(error.reason).toBe('scheme is missing or invalid');
    expect(isUserError(error)).toBe(true);
    expect(error.suggestions.length).toBe(1);
  });

  it('round-trips generated valid IDs', () => {
    fc.assert(
      fc.property(spiffeIdArbitrary, (id) => {
        expect(parseSpiffeId(formatSpiffeId(id))).toEqual(id);
      }),
    );
  });

  it('throws only SpiffeIdError on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        try {
          const id = parseSpiffeId(text);
          expect(formatSpiffeId(id)).toBe(text);
        } catch (error) {
          expect(isSpiffeIdError(error)).toBe(true);
        }
      }),
    );
  });

  it('rejects any non-allowed trust domain char', () => {
    const badChar = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((char) => !/^[a-z0-9._\-/]$/.test(char));
    fc.assert(
      fc.property(trustDomainArbitrary, badChar, fc.nat(), (trustDomain, char, position) => {
        const at = position % (trustDomain.length + 1);
        const input = `spiffe://${trustDomain.slice(0, at)}${char}${trustDomain.slice(at)}/path`;
        expect(ruleOf(() => parseSpiffeId(input))).toBe('bad-trust-domain-char');
      }),
    );
  });

  it('rejects any non-allowed path char', () => {
    const badChar = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((char) => !/^[a-zA-Z0-9._\-/]$/.test(char));
    fc.assert(
      fc.property(trustDomainArbitrary, badChar, (trustDomain, char) => {
        expect(ruleOf(() => parseSpiffeId(`spiffe://${trustDomain}/a${char}b`))).toBe('bad-path-segment-char');
      }),
    );
  });
});

describe('SPIFFE ID helpers', () => {
  it('formats the SPIRE JSON form', () => {
    expect(formatSpiffeId({ trust_domain: 'example.org', path: '/api' })).toBe('spiffe://example.org/api');
  });

  it('converts text to the SPIRE JSON form', () => {
    expect(spiffeIdToJson('spiffe://example.org/api')).toEqual({ trust_domain: 'example.org', path: '/api' });
  });

  it.each([
    { name: 'trust domain ID', input: 'spiffe://example.org', expected: true },
    { name: 'workload ID', input: 'spiffe://example.org/api', expected: false },
  ])('isTrustDomainId for $name', ({ input, expected }) => {
    expect(isTrustDomainId(input)).toBe(expected);
  });

  it('findSpiffeId returns undefined for invalid text', () => {
    expect(findSpiffeId('not-an-id')).toBeUndefined();
    expect(findSpiffeId('spiffe://td/x')).toEqual({ trustDomain: 'td', path: '/x' });
  });

  it('validates bare paths', () => {
    expect(ruleOf(() => validateSpiffeIdPath('no/leading'))).toBe('no-leading-slash');
    expect(ruleOf(() => validateSpiffeIdPath('/ok/path'))).toBe('none');
  });

  it('accepts every generated path', () => {
    fc.assert(
      fc.property(pathArbitrary, (path) => {
        expect(() => validateSpiffeIdPath(path)).not.toThrow();
      }),
    );
  });
});
