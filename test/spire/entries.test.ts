import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agentExpiresAt,
  agentSelectors,
  agentSpiffeId,
  entryCreatedAt,
  entryExpiresAt,
  entryParentId,
  entrySelectors,
  entrySpiffeId,
  isEntryExpired,
  isNodeAlias,
  readAgents,
  readEntries,
} from '../../src/spire/entries.js';
import { isEntryShapeError } from '../../src/spire/errors.js';
import type { EntryJson } from '../../src/spire/types.js';
import { makeEntry } from './entry-fixtures.js';

// `spire-server entry show -output json` output: compact, keys sorted, int64 as strings.
const ENTRY_SHOW_OUTPUT =
  '{"entries":[{"admin":false,"created_at":"1733300000","dns_names":[],"downstream":false,"expires_at":"0","federates_with":[],"hint":"","id":"5b1e0f7c-9f3e-4a51-8d0c-2f7b61a0c001","jwt_svid_ttl":0,"parent_id":{"path":"/spire/agent/k8s_psat/prod/3f9a","trust_domain":"shop.example"},"revision_number":"0","selectors":[{"type":"k8s","value":"ns:shop"},{"type":"k8s","value":"sa:checkout"}],"spiffe_id":{"path":"/ns/shop/sa/checkout","trust_domain":"shop.example"},"store_svid":false,"x509_svid_ttl":0},' +
  '{"admin":false,"created_at":"1733300100","dns_names":["web.shop"],"downstream":false,"expires_at":"1733386400","federates_with":["spiffe://partner.example"],"hint":"web","id":"5b1e0f7c-9f3e-4a51-8d0c-2f7b61a0c002","jwt_svid_ttl":300,"parent_id":{"path":"/spire/server","trust_domain":"shop.example"},"revision_number":"2","selectors":[{"type":"k8s_psat","value":"cluster:prod"}],"spiffe_id":{"path":"/cluster/prod","trust_domain":"shop.example"},"store_svid":false,"x509_svid_ttl":3600}],"next_page_token":""}\n';

const AGENT_LIST_OUTPUT =
  '{"agents":[{"agent_version":"1.15.3","attestation_type":"k8s_psat","banned":false,"can_reattest":true,"id":{"path":"/spire/agent/k8s_psat/prod/3f9a","trust_domain":"shop.example"},"selectors":[{"type":"k8s_psat","value":"cluster:prod"},{"type":"k8s_psat","value":"agent_ns:spire"}],"x509svid_expires_at":"1733303600","x509svid_serial_number":"1234"}],"next_page_token":""}\n';

describe('readEntries', () => {
  it('reads entry show output', () => {
    const entries = readEntries(JSON.parse(ENTRY_SHOW_OUTPUT));

    expect(entries).toHaveLength(2);
    expect(entrySpiffeId(entries[0] as EntryJson)).toBe('spiffe://shop.example/ns/shop/sa/checkout');
    expect(entryParentId(entries[0] as EntryJson)).toBe('spiffe://shop.example/spire/agent/k8s_psat/prod/3f9a');
    expect(entrySelectors(entries[0] as EntryJson)).toEqual(['k8s:ns:shop', 'k8s:sa:checkout']);
  });

  it('reads a bare array', () => {
    const entries = readEntries([makeEntry({ id: 'a', spiffeId: 'spiffe://td/a', parentId: 'spiffe://td/p', selectors: ['x:1'] })]);

    expect(entries.map((entry) => entry.id)).toEqual(['a']);
  });

  it('treats absent input as no entries', () => {
    expect(readEntries(undefined)).toEqual([]);
  });

  it.each([
    { name: 'a string', input: 'entries', message: 'invalid entries: expected an array or an object with an "entries" array, got "entries"' },
    { name: 'missing parent ID', input: [{ spiffe_id: { trust_domain: 'td', path: '/a' }, selectors: [] }], message: 'invalid entries[0].parent_id: expected {"trust_domain": "...", "path": "..."}, got nothing' },
    { name: 'SPIFFE ID as text', input: [{ spiffe_id: 'spiffe://td/a', parent_id: { trust_domain: 'td', path: '/p' }, selectors: [] }], message: 'invalid entries[0].spiffe_id: expected {"trust_domain": "...", "path": "..."}, got "spiffe://td/a"' },
    { name: 'selector as text', input: { entries: [{ spiffe_id: { trust_domain: 'td', path: '/a' }, parent_id: { trust_domain: 'td', path: '/p' }, selectors: ['k8s:ns:a'] }] }, message: 'invalid entries[0].selectors[0]: expected {"type": "...", "value": "..."}, got "k8s:ns:a"' },
    { name: 'date as expiry', input: [{ spiffe_id: { trust_domain: 'td', path: '/a' }, parent_id: { trust_domain: 'td', path: '/p' }, selectors: [], expires_at: '2025-01-01' }], message: 'invalid entries[0].expires_at: expected Unix seconds as an integer or a string of digits, got "2025-01-01"' },
  ])('rejects $name', ({ input, message }) => {
    let caught: unknown;
    try {
      readEntries(input);
    } catch (error) {
      caught = error;
    }
    expect(isEntryShapeError(caught)).toBe(true);
    expect((caught as Error).message).toBe(message);
  });
});

describe('entry accessors', () => {
  const entry = makeEntry({ id: 'e', spiffeId: 'spiffe://td/w', parentId: 'spiffe://td/spire/server', selectors: ['a:b'], expiresAt: '1733386400', createdAt: '1733300000' });

  it.each([
    { name: 'string seconds', value: '1733386400', expected: new Date(1733386400 * 1000) },
    { name: 'number seconds', value: 1733386400, expected: new Date(1733386400 * 1000) },
    { name: 'zero string', value: '0', expected: undefined },
    { name: 'zero number', value: 0, expected: undefined },
    { name: 'absent', value: undefined, expected: undefined },
  ])('reads expiry given as $name', ({ value, expected }) => {
    const withExpiry: EntryJson = { ...entry, ...(value !== undefined ? { expires_at: value } : { expires_at: undefined }) };
    expect(entryExpiresAt(withExpiry)).toEqual(expected);
  });

  it('reads the creation time', () => {
    expect(entryCreatedAt(entry)).toEqual(new Date(1733300000 * 1000));
  });

  it('tells expired entries apart', () => {
    expect(isEntryExpired(entry, new Date(1733386400 * 1000))).toBe(true);
    expect(isEntryExpired(entry, new Date(1733386399 * 1000))).toBe(false);
    expect(isEntryExpired({ ...entry, expires_at: '0' }, new Date(0))).toBe(false);
  });

  it.each([
    { name: 'server parent', parentId: 'spiffe://td/spire/server', expected: true },
    { name: 'server parent in another trust domain', parentId: 'spiffe://other/spire/server', expected: true },
    { name: 'agent parent', parentId: 'spiffe://td/spire/agent/x', expected: false },
    { name: 'server subpath', parentId: 'spiffe://td/spire/server/x', expected: false },
  ])('isNodeAlias with $name', ({ parentId, expected }) => {
    expect(isNodeAlias(makeEntry({ id: 'a', spiffeId: 'spiffe://td/a', parentId, selectors: ['x:1'] }))).toBe(expected);
  });
});

describe('readAgents', () => {
  it('reads agent list output', () => {
    const [agent] = readAgents(JSON.parse(AGENT_LIST_OUTPUT));

    expect(agent).toBeDefined();
    expect(agentSpiffeId(agent!)).toBe('spiffe://shop.example/spire/agent/k8s_psat/prod/3f9a');
    expect(agentSelectors(agent!)).toEqual(['k8s_psat:cluster:prod', 'k8s_psat:agent_ns:spire']);
    expect(agentExpiresAt(agent!)).toEqual(new Date(1733303600 * 1000));
  });

  it('rejects an agent without an ID', () => {
    expect(() => readAgents({ agents: [{ selectors: [] }] })).toThrow('invalid agents[0].id');
  });
});

describe('readEntries properties', () => {
  it('raises only EntryShapeError on any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          readEntries(value);
          readAgents(value);
        } catch (error) {
          expect(isEntryShapeError(error)).toBe(true);
        }
      }),
    );
  });

  it('reads back generated entries', () => {
    const text = fc.string({ maxLength: 10 });
    const selector = fc.record({ type: text, value: text });
    const entry = fc.record({
      id: text,
      spiffe_id: fc.record({ trust_domain: text, path: text }),
      parent_id: fc.record({ trust_domain: text, path: text }),
      selectors: fc.array(selector, { maxLength: 4 }),
      expires_at: fc.nat().map(String),
      created_at: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), (entries) => {
        const printed = JSON.stringify({ entries, next_page_token: '' });
        expect(readEntries(JSON.parse(printed))).toEqual(entries);
      }),
    );
  });
});
