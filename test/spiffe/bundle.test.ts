import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { isBundleError, parseSpiffeBundle } from '../../src/spiffe/bundle.js';
import { createRootCa, type TestAuthority } from './test-certificates.js';

let root: TestAuthority;

beforeAll(async () => {
  root = await createRootCa('example.org');
});

function x509Key(): Record<string, unknown> {
  // An EC JWK as `bundle show -format spiffe` prints it; x and y are not checked by the parser.
  return { kty: 'EC', use: 'x509-svid', crv: 'P-256', x: 'AQ', y: 'Ag', x5c: [root.certificate.raw.toString('base64')] };
}

describe('parseSpiffeBundle', () => {
  it('reads X.509 and JWT authorities', () => {
    const jwtKey = { kty: 'EC', use: 'jwt-svid', kid: 'C6vs25welZOx6WksNYfbMfiw9l96pMnD', crv: 'P-256', x: 'AQ', y: 'Ag' };
    const text = JSON.stringify({ keys: [x509Key(), jwtKey], spiffe_sequence: 42, spiffe_refresh_hint: 300 }, null, 4);

    const bundle = parseSpiffeBundle(text);

    expect(bundle.x509Authorities.map((certificate) => certificate.fingerprint256)).toEqual([root.certificate.fingerprint256]);
    expect(bundle.jwtAuthorities).toEqual([{ keyId: 'C6vs25welZOx6WksNYfbMfiw9l96pMnD', jwk: jwtKey }]);
    expect(bundle.sequence).toBe(42);
    expect(bundle.refreshHintSeconds).toBe(300);
    expect(bundle.ignoredKeys).toEqual([]);
  });

  it('accepts an empty key set', () => {
    expect(parseSpiffeBundle('{"keys":[]}')).toEqual({ x509Authorities: [], jwtAuthorities: [], ignoredKeys: [] });
  });

  it.each([
    { name: 'no kty', key: { use: 'x509-svid' }, reason: 'the key has no "kty"' },
    { name: 'no use', key: { kty: 'EC' }, reason: 'the key has no "use"' },
    { name: 'unknown use', key: { kty: 'EC', use: 'sig' }, reason: 'the key has the unknown "use" "sig"' },
    { name: 'X.509 key without x5c', key: { kty: 'EC', use: 'x509-svid' }, reason: 'the x509-svid key has no "x5c" certificate' },
    { name: 'JWT key without kid', key: { kty: 'EC', use: 'jwt-svid' }, reason: 'the jwt-svid key has no "kid"' },
  ])('ignores a key with $name', ({ key, reason }) => {
    expect(parseSpiffeBundle({ keys: [key] }).ignoredKeys).toEqual([{ index: 0, reason }]);
  });

  it.each([
    { name: 'text that is not JSON', input: 'not json' },
    { name: 'a bundle without keys', input: '{"spiffe_sequence": 1}' },
  ])('rejects $name', ({ input }) => {
    let caught: unknown;
    try {
      parseSpiffeBundle(input);
    } catch (error) {
      caught = error;
    }
    expect(isBundleError(caught)).toBe(true);
  });

  it('raises only BundleError on any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseSpiffeBundle(value);
        } catch (error) {
          expect(isBundleError(error)).toBe(true);
        }
      }),
    );
  });
});
