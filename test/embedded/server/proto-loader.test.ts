import { describe, expect, it } from 'vitest';

import { loadServerApi } from '../../../src/embedded/proto-loader.js';

describe('loadServerApi', () => {
  it.each([
    { name: 'Entry', path: '/spire.api.server.entry.v1.Entry/SyncAuthorizedEntries', requestStream: true },
    { name: 'Agent', path: '/spire.api.server.agent.v1.Agent/AttestAgent', requestStream: true },
    { name: 'SVID', path: '/spire.api.server.svid.v1.SVID/BatchNewX509SVID', requestStream: false },
    { name: 'Bundle', path: '/spire.api.server.bundle.v1.Bundle/GetFederatedBundle', requestStream: false },
    { name: 'Health', path: '/grpc.health.v1.Health/Check', requestStream: false },
    { name: 'Debug', path: '/spire.api.server.debug.v1.Debug/GetInfo', requestStream: false },
    { name: 'TrustDomain', path: '/spire.api.server.trustdomain.v1.TrustDomain/RefreshBundle', requestStream: false },
  ] as const)('exposes $path', ({ name, path, requestStream }) => {
    const api = loadServerApi();
    const method = Object.values(api[name].service).find((definition) => definition.path === path);

    expect(method).toBeDefined();
    expect(method?.requestStream).toBe(requestStream);
  });

  it('encodes Entry fields with SDK numbers', () => {
    const method = loadServerApi().Entry.service.GetEntry;
    const encoded = method.responseSerialize({ id: 'e1', hint: 'h', revision_number: '7' });
    // Field 1 (id, tag 0x0a), field 11 (revision_number, varint tag 0x58), field 14 (hint, tag 0x72).
    expect([...encoded]).toEqual([0x0a, 2, 0x65, 0x31, 0x58, 7, 0x72, 1, 0x68]);
  });

  it('decodes int64 as string and enums as names', () => {
    const method = loadServerApi().Entry.service.CountEntries;
    const request = method.requestDeserialize(
      method.requestSerialize({ filter: { by_selectors: { selectors: [], match: 'MATCH_ANY' } } }),
    );
    expect(request.filter.by_selectors.match).toBe('MATCH_ANY');

    const entry = loadServerApi().Entry.service.GetEntry;
    const decoded = entry.responseDeserialize(entry.responseSerialize({ id: 'x', expires_at: '1700000000' }));
    expect(decoded.expires_at).toBe('1700000000');
  });
});
