import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSpireDataError } from '../../src/spire/errors.js';
import { filterEntries, type EntryFilter } from '../../src/spire/entry-filter.js';
import { makeEntry } from './entry-fixtures.js';

const TD = 'spiffe://shop.example';
const AGENT = `${TD}/spire/agent/k8s_psat/prod/node-a`;
const entries = [
  makeEntry({ id: 'web', spiffeId: `${TD}/web`, parentId: AGENT, selectors: ['k8s:ns:shop', 'k8s:sa:web'], federatesWith: ['spiffe://partner.example'], hint: 'web' }),
  makeEntry({ id: 'api', spiffeId: `${TD}/api`, parentId: AGENT, selectors: ['k8s:ns:shop', 'k8s:sa:api'], federatesWith: ['partner.example', 'bank.example'] }),
  makeEntry({ id: 'child-ca', spiffeId: `${TD}/ca`, parentId: AGENT, selectors: ['k8s:ns:pki'], downstream: true }),
];

function ids(filter: EntryFilter): string[] {
  return filterEntries(entries, filter).map((entry) => entry.id ?? '');
}

function messageOf(filter: EntryFilter): string {
  try {
    filterEntries(entries, filter);
  } catch (error) {
    expect(isSpireDataError(error)).toBe(true);
    return (error as Error).message;
  }
  return 'no error';
}

describe('filterEntries', () => {
  it.each([
    { name: 'no filter', filter: {}, expected: ['web', 'api', 'child-ca'] },
    { name: 'default superset selectors', filter: { selectors: { match: 'superset', selectors: ['k8s:ns:shop'] } }, expected: ['web', 'api'] },
    { name: 'exact selectors', filter: { selectors: { match: 'exact', selectors: ['k8s:sa:api', 'k8s:ns:shop'] } }, expected: ['api'] },
    { name: 'plain entry show', filter: { downstream: false }, expected: ['web', 'api'] },
    { name: 'downstream only', filter: { downstream: true }, expected: ['child-ca'] },
    { name: 'federated name matches ID', filter: { federatesWith: { match: 'any', trustDomains: ['partner.example'] } }, expected: ['web', 'api'] },
    { name: 'federated ID matches name', filter: { federatesWith: { match: 'exact', trustDomains: ['spiffe://partner.example', 'spiffe://bank.example'] } }, expected: ['api'] },
    { name: 'hint', filter: { hint: 'web' }, expected: ['web'] },
    { name: 'entry ID', filter: { entryId: 'api' }, expected: ['api'] },
    { name: 'SPIFFE ID', filter: { spiffeId: `${TD}/ca` }, expected: ['child-ca'] },
    { name: 'parent ID of another agent', filter: { parentId: `${TD}/spire/agent/k8s_psat/prod/node-b` }, expected: [] },
  ] satisfies { name: string; filter: EntryFilter; expected: string[] }[])('filters by $name', ({ filter, expected }) => {
    expect(ids(filter)).toEqual(expected);
  });

  it.each([
    { name: 'empty selector list', filter: { selectors: { match: 'superset', selectors: [] } }, message: 'cannot list by empty selector set' },
    { name: 'unknown match mode', filter: { selectors: { match: 'all' as 'any', selectors: ['a:b'] } }, message: 'match behavior "all" unknown' },
    { name: 'selector without colon', filter: { selectors: { match: 'any', selectors: ['k8s'] } }, message: 'selector "k8s" must be formatted as type:value' },
    { name: 'invalid SPIFFE ID', filter: { spiffeId: 'web' }, message: 'error parsing SPIFFE ID "web": scheme is missing or invalid' },
    {
      name: 'invalid trust domain',
      filter: { federatesWith: { match: 'any', trustDomains: ['Partner.example'] } },
      message: 'invalid federated trust domain "Partner.example": trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores',
    },
  ] satisfies { name: string; filter: EntryFilter; message: string }[])('rejects $name', ({ filter, message }) => {
    expect(messageOf(filter)).toBe(message);
  });
});

describe('match mode properties', () => {
  const selector = fc.constantFrom('k8s:ns:a', 'k8s:ns:b', 'k8s:sa:x', 'k8s:sa:y', 'unix:uid:0');
  const entryList = fc.array(fc.uniqueArray(selector, { minLength: 1, maxLength: 4 }), { maxLength: 12 }).map((selectorLists) =>
    selectorLists.map((selectors, index) => makeEntry({ id: `e${index}`, spiffeId: `${TD}/w${index}`, parentId: AGENT, selectors })),
  );
  const requested = fc.uniqueArray(selector, { minLength: 1, maxLength: 4 });

  function matchIds(list: ReturnType<typeof makeEntry>[], match: 'exact' | 'subset' | 'superset' | 'any', selectors: string[]): Set<string> {
    return new Set(filterEntries(list, { selectors: { match, selectors } }).map((entry) => entry.id ?? ''));
  }

  it('exact is subset and superset together', () => {
    fc.assert(
      fc.property(entryList, requested, (list, selectors) => {
        const subset = matchIds(list, 'subset', selectors);
        const superset = matchIds(list, 'superset', selectors);
        const both = [...subset].filter((id) => superset.has(id)).sort();
        expect([...matchIds(list, 'exact', selectors)].sort()).toEqual(both);
      }),
    );
  });

  it('subset and superset imply any', () => {
    fc.assert(
      fc.property(entryList, requested, (list, selectors) => {
        const any = matchIds(list, 'any', selectors);
        for (const id of [...matchIds(list, 'subset', selectors), ...matchIds(list, 'superset', selectors)]) {
          expect(any.has(id)).toBe(true);
        }
      }),
    );
  });
});
