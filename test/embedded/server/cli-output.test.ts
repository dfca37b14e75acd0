import { describe, expect, it } from 'vitest';

import type { EntryMessage } from '../../../src/embedded/server/api/convert.js';
import { formatAgentList } from '../../../src/embedded/server/cli/agent-output.js';
import { formatEntry, formatFoundEntries, sortEntries } from '../../../src/embedded/server/cli/entry-output.js';
import { formatSpireJson } from '../../../src/embedded/server/cli/spire-json.js';

const id = (path: string) => ({ trust_domain: 'example.org', path });

function entry(overrides: Partial<EntryMessage>): EntryMessage {
  return {
    id: '',
    spiffe_id: null,
    parent_id: null,
    selectors: [],
    x509_svid_ttl: 0,
    federates_with: [],
    admin: false,
    downstream: false,
    expires_at: '0',
    dns_names: [],
    revision_number: '0',
    store_svid: false,
    jwt_svid_ttl: 0,
    hint: '',
    created_at: '1547583197',
    ...overrides,
  };
}

// The four entries of the "List all entries (empty filter)" case in SPIRE's `entry show` CLI tests, in server order.
const ENTRIES = [
  entry({ id: '00000000-0000-0000-0000-000000000000', spiffe_id: id('/son'), parent_id: id('/father'), selectors: [{ type: 'foo', value: 'bar' }], hint: 'internal' }),
  entry({ id: '00000000-0000-0000-0000-000000000001', spiffe_id: id('/daughter'), parent_id: id('/father'), selectors: [{ type: 'foo', value: 'bar' }, { type: 'bar', value: 'baz' }], hint: 'external' }),
  entry({ id: '00000000-0000-0000-0000-000000000002', spiffe_id: id('/daughter'), parent_id: id('/mother'), selectors: [{ type: 'bar', value: 'baz' }, { type: 'baz', value: 'bat' }], federates_with: ['spiffe://domain.test'] }),
  entry({ id: '00000000-0000-0000-0000-000000000003', spiffe_id: id('/son'), parent_id: id('/mother'), selectors: [{ type: 'baz', value: 'bat' }], expires_at: '1552410266' }),
];

const EXPECTED_PRETTY = `Found 4 entries
Entry ID                : 00000000-0000-0000-0000-000000000001
SPIFFE ID               : spiffe://example.org/daughter
Parent ID               : spiffe://example.org/father
Revision                : 0
X509-SVID TTL           : default
JWT-SVID TTL            : default
Selector                : bar:baz
Selector                : foo:bar
Hint                    : external

Entry ID                : 00000000-0000-0000-0000-000000000002
SPIFFE ID               : spiffe://example.org/daughter
Parent ID               : spiffe://example.org/mother
Revision                : 0
X509-SVID TTL           : default
JWT-SVID TTL            : default
Selector                : bar:baz
Selector                : baz:bat
FederatesWith           : spiffe://domain.test

Entry ID                : 00000000-0000-0000-0000-000000000000
SPIFFE ID               : spiffe://example.org/son
Parent ID               : spiffe://example.org/father
Revision                : 0
X509-SVID TTL           : default
JWT-SVID TTL            : default
Selector                : foo:bar
Hint                    : internal

Entry ID                : 00000000-0000-0000-0000-000000000003
SPIFFE ID               : spiffe://example.org/son
Parent ID               : spiffe://example.org/mother
Revision                : 0
X509-SVID TTL           : default
JWT-SVID TTL            : default
Expiration time         : 2019-03-12 17:04:26 +0000 UTC
Selector                : baz:bat

`;

describe('server CLI output', () => {
  it('prints entries like spire-server', () => {
    const sorted = sortEntries(ENTRIES);

    expect(formatFoundEntries(sorted.length) + sorted.map(formatEntry).join('')).toBe(EXPECTED_PRETTY);
  });

  it('prints compact sorted JSON', () => {
    const json = formatSpireJson({ entries: [ENTRIES[3]], next_page_token: '' });

    expect(json).toBe(
      '{"entries":[{"admin":false,"created_at":"1547583197","dns_names":[],"downstream":false,"expires_at":"1552410266","federates_with":[],"hint":"","id":"00000000-0000-0000-0000-000000000003","jwt_svid_ttl":0,"parent_id":{"path":"/mother","trust_domain":"example.org"},"revision_number":"0","selectors":[{"type":"baz","value":"bat"}],"spiffe_id":{"path":"/son","trust_domain":"example.org"},"store_svid":false,"x509_svid_ttl":0}],"next_page_token":""}\n',
    );
  });

  it('drops null fields and encodes bytes', () => {
    expect(formatSpireJson({ b: Buffer.from('hi'), a: null, c: { e: undefined, d: 1 } })).toBe('{"b":"aGk=","c":{"d":1}}\n');
  });

  it.each([
    { name: 'no agents', agents: [], expected: 'No attested agents found\n' },
    {
      name: 'one banned agent',
      agents: [
        {
          id: id('/spire/agent/join_token/t'),
          attestation_type: 'join_token',
          x509svid_serial_number: '',
          x509svid_expires_at: '0',
          selectors: [],
          banned: true,
          can_reattest: false,
          agent_version: '',
        },
      ],
      expected: /^Found 1 attested agent:\n\nSPIFFE ID {9}: spiffe:\/\/example.org\/spire\/agent\/join_token\/t\nAttestation type  : join_token\nExpiration time   : .+\nBanned            : true\nCan re-attest     : false\n\n$/,
    },
  ])('prints agent list with $name', ({ agents, expected }) => {
    expect(formatAgentList(agents)).toMatch(expected);
  });
});
