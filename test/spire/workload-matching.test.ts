import { describe, expect, it } from 'vitest';
import { authorizedEntries } from '../../src/spire/authorization.js';
import { compareSelectors, dropDuplicateHints, entriesForWorkload, rankCandidateEntries, selectorKind } from '../../src/spire/workload-matching.js';
import { makeEntry } from './entry-fixtures.js';

const TD = 'spiffe://shop.example';
const AGENT = `${TD}/spire/agent/k8s_psat/prod/node-a`;
const workload = ['k8s:ns:platform', 'k8s:sa:api', 'k8s:pod-label:app:api', 'k8s:container-name:api', 'unix:uid:1000'];

describe('entriesForWorkload', () => {
  it('matches entries whose selectors the workload has', () => {
    const entries = [
      makeEntry({ id: 'b', spiffeId: `${TD}/b`, parentId: AGENT, selectors: ['k8s:ns:platform', 'k8s:sa:api'] }),
      makeEntry({ id: 'a', spiffeId: `${TD}/a`, parentId: AGENT, selectors: ['unix:uid:1000'] }),
      makeEntry({ id: 'c', spiffeId: `${TD}/c`, parentId: AGENT, selectors: ['k8s:ns:platform', 'k8s:sa:web'] }),
    ];

    expect(entriesForWorkload(workload, entries).map((entry) => entry.id)).toEqual(['a', 'b']);
  });

  it('never matches an entry without selectors', () => {
    const entries = [makeEntry({ id: 'empty', spiffeId: `${TD}/e`, parentId: AGENT, selectors: [] })];

    expect(entriesForWorkload(workload, entries)).toEqual([]);
  });

  it('keeps the oldest entry per hint', () => {
    const entries = [
      makeEntry({ id: 'new', spiffeId: `${TD}/new`, parentId: AGENT, selectors: ['unix:uid:1000'], hint: 'db', createdAt: '200' }),
      makeEntry({ id: 'old', spiffeId: `${TD}/old`, parentId: AGENT, selectors: ['unix:uid:1000'], hint: 'db', createdAt: '100' }),
      makeEntry({ id: 'other', spiffeId: `${TD}/other`, parentId: AGENT, selectors: ['unix:uid:1000'], hint: 'web', createdAt: '300' }),
    ];

    expect(entriesForWorkload(workload, entries).map((entry) => entry.id)).toEqual(['old', 'other']);
  });

  it('breaks hint ties by entry ID', () => {
    const entries = [
      makeEntry({ id: 'y', spiffeId: `${TD}/y`, parentId: AGENT, selectors: ['a:1'], hint: 'h', createdAt: '100' }),
      makeEntry({ id: 'x', spiffeId: `${TD}/x`, parentId: AGENT, selectors: ['a:1'], hint: 'h', createdAt: '100' }),
    ];

    expect(dropDuplicateHints(entries).map((entry) => entry.id)).toEqual(['x']);
  });

  it('differs from the naive answer for an alias the agent is not in', () => {
    // Given an entry whose selectors the workload has, parented to a node alias
    // that needs a node label the agent lacks,
    const alias = makeEntry({ id: 'alias', spiffeId: `${TD}/pool/gpu`, parentId: `${TD}/spire/server`, selectors: ['k8s_psat:agent_node_label:pool:gpu'] });
    const entry = makeEntry({ id: 'api', spiffeId: `${TD}/api`, parentId: `${TD}/pool/gpu`, selectors: ['k8s:ns:platform'] });
    const agent = { id: AGENT, selectors: ['k8s_psat:cluster:prod'] };

    // when the agent's entries are matched, then the workload gets nothing,
    // although matching all entries would hand it the entry.
    expect(entriesForWorkload(workload, [alias, entry]).map((match) => match.id)).toEqual(['api']);
    expect(entriesForWorkload(workload, authorizedEntries(agent, [alias, entry]))).toEqual([]);
  });
});

describe('compareSelectors', () => {
  it('splits matched and missing', () => {
    expect(compareSelectors(['k8s:ns:shop', 'k8s:sa:api'], workload)).toEqual({ matched: ['k8s:sa:api'], missing: ['k8s:ns:shop'] });
  });
});

describe('selectorKind', () => {
  it.each([
    { selector: 'k8s:ns:shop', kind: 'k8s:ns' },
    { selector: 'k8s:pod-label:app:web', kind: 'k8s:pod-label:app' },
    { selector: 'k8s:pod-owner:ReplicaSet:web-7d', kind: 'k8s:pod-owner:ReplicaSet' },
    { selector: 'unix:uid:0', kind: 'unix:uid' },
    { selector: 'A:A', kind: 'A' },
  ])('kind of $selector', ({ selector, kind }) => {
    expect(selectorKind(selector)).toBe(kind);
  });
});

describe('rankCandidateEntries', () => {
  it('ranks fewest missing first and shows what the workload has', () => {
    const entries = [
      makeEntry({ id: 'far', spiffeId: `${TD}/far`, parentId: AGENT, selectors: ['k8s:ns:shop', 'k8s:sa:web'] }),
      makeEntry({ id: 'near', spiffeId: `${TD}/near`, parentId: AGENT, selectors: ['k8s:ns:shop', 'k8s:sa:api'] }),
      makeEntry({ id: 'label', spiffeId: `${TD}/label`, parentId: AGENT, selectors: ['k8s:pod-label:app:web', 'k8s:sa:api', 'k8s:ns:platform'] }),
    ];

    const ranked = rankCandidateEntries(workload, entries);

    expect(ranked.map((candidate) => candidate.entry.id)).toEqual(['label', 'near', 'far']);
    expect(ranked[0]?.missing).toEqual([{ selector: 'k8s:pod-label:app:web', kind: 'k8s:pod-label:app', workloadHas: ['k8s:pod-label:app:api'] }]);
    expect(ranked[1]?.missing).toEqual([{ selector: 'k8s:ns:shop', kind: 'k8s:ns', workloadHas: ['k8s:ns:platform'] }]);
  });

  it('lists nothing the workload has for an unknown kind', () => {
    const entries = [makeEntry({ id: 'e', spiffeId: `${TD}/e`, parentId: AGENT, selectors: ['docker:label:x:y'] })];

    expect(rankCandidateEntries(workload, entries)[0]?.missing[0]?.workloadHas).toEqual([]);
  });
});
