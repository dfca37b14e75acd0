import { describe, expect, it } from 'vitest';

import { entryFromFlags, type EntryFlagValues } from '../../../src/embedded/server/cli/entry-flags.js';
import { buildEntryFilter } from '../../../src/embedded/server/cli/entry-filter-flags.js';

function flags(overrides: Partial<EntryFlagValues>): EntryFlagValues {
  return {
    spiffeID: 'spiffe://example.org/api',
    parentID: 'spiffe://example.org/spire/agent/join_token/t',
    selector: ['unix:uid:1000'],
    x509SVIDTTL: 0,
    jwtSVIDTTL: 0,
    node: false,
    admin: false,
    downstream: false,
    storeSVID: false,
    entryExpiry: 0,
    hint: '',
    disableX509SVIDPrefetch: false,
    jwtSVIDIncludeJTI: false,
    ...overrides,
  };
}

describe('entryFromFlags', () => {
  it('parents node entries to the server', () => {
    const entry = entryFromFlags(flags({ node: true, parentID: undefined, selector: ['k8s_psat:cluster:demo'] }), '');

    expect(entry.parent_id).toEqual({ trust_domain: 'example.org', path: '/spire/server' });
    expect(entry.selectors).toEqual([{ type: 'k8s_psat', value: 'cluster:demo' }]);
  });

  it('sets additional attributes only when asked', () => {
    expect(entryFromFlags(flags({}), '').additional_attributes).toBeUndefined();
    expect(entryFromFlags(flags({ jwtSVIDIncludeJTI: true }), '').additional_attributes).toEqual({ disable_x509_svid_prefetch: false, jwt_svid_include_jti: true });
  });

  it('requires parent ID on update', () => {
    expect(() => entryFromFlags(flags({ node: true, parentID: undefined }), 'e1', 'update')).toThrow('a parent ID is required');
  });

  it.each([
    { name: 'missing SPIFFE ID', values: { spiffeID: undefined }, message: 'a SPIFFE ID is required' },
    { name: 'missing parent ID', values: { parentID: undefined }, message: 'a parent ID is required if the node flag is not set' },
    { name: 'no selectors', values: { selector: [] }, message: 'at least one selector is required' },
    { name: 'federating node entry', values: { node: true, federatesWith: ['spiffe://other.org'] }, message: 'node entries can not federate' },
    { name: 'negative TTL', values: { x509SVIDTTL: -5 }, message: 'a positive x509-SVID TTL is required' },
    { name: 'bad parent ID', values: { parentID: 'spiffe://example.org/a/' }, message: 'error parsing parent ID "spiffe://example.org/a/": path cannot have a trailing slash' },
  ])('rejects $name', ({ values, message }) => {
    expect(() => entryFromFlags(flags(values), '')).toThrow(message);
  });
});

describe('buildEntryFilter', () => {
  it('always sends the downstream switch', () => {
    expect(buildEntryFilter({ matchSelectorsOn: 'superset', matchFederatesWithOn: 'superset', downstream: false })).toEqual({ by_downstream: { value: false } });
  });

  it('maps match modes', () => {
    const filter = buildEntryFilter({ selector: ['k8s:ns:default'], matchSelectorsOn: 'any', matchFederatesWithOn: 'superset', downstream: true });

    expect(filter.by_selectors).toEqual({ selectors: [{ type: 'k8s', value: 'ns:default' }], match: 'MATCH_ANY' });
  });

  it('rejects unknown match mode', () => {
    expect(() => buildEntryFilter({ selector: ['a:b'], matchSelectorsOn: 'most', matchFederatesWithOn: 'superset', downstream: false })).toThrow('match behavior "most" unknown');
  });
});
