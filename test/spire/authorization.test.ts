import { describe, expect, it } from 'vitest';
import { agentAliases, authorizedEntries, createAuthorizationExplainer, explainAuthorization, type AgentIdentity } from '../../src/spire/authorization.js';
import type { EntryJson } from '../../src/spire/types.js';
import { makeEntry } from './entry-fixtures.js';

const TD = 'spiffe://shop.example';
const AGENT_A = `${TD}/spire/agent/k8s_psat/prod/node-a`;
const AGENT_B = `${TD}/spire/agent/k8s_psat/prod/node-b`;

const agentA: AgentIdentity = { id: AGENT_A, selectors: ['k8s_psat:cluster:prod', 'k8s_psat:agent_node_name:node-a'] };

const clusterAlias = makeEntry({ id: 'alias-prod', spiffeId: `${TD}/cluster/prod`, parentId: `${TD}/spire/server`, selectors: ['k8s_psat:cluster:prod'] });
const gpuAlias = makeEntry({
  id: 'alias-gpu',
  spiffeId: `${TD}/pool/gpu`,
  parentId: `${TD}/spire/server`,
  selectors: ['k8s_psat:cluster:prod', 'k8s_psat:agent_node_label:pool:gpu'],
});
const direct = makeEntry({ id: 'direct', spiffeId: `${TD}/ns/shop/sa/cart`, parentId: AGENT_A, selectors: ['k8s:ns:shop'] });
const viaCluster = makeEntry({ id: 'via-cluster', spiffeId: `${TD}/ns/shop/sa/web`, parentId: `${TD}/cluster/prod`, selectors: ['k8s:ns:shop'] });
const viaGpu = makeEntry({ id: 'via-gpu', spiffeId: `${TD}/ns/ml/sa/trainer`, parentId: `${TD}/pool/gpu`, selectors: ['k8s:ns:ml'] });
const downstreamOfDirect = makeEntry({ id: 'child', spiffeId: `${TD}/sidecar`, parentId: `${TD}/ns/shop/sa/cart`, selectors: ['unix:uid:1000'] });
const otherAgent = makeEntry({ id: 'other-agent', spiffeId: `${TD}/ns/shop/sa/db`, parentId: AGENT_B, selectors: ['k8s:ns:shop'] });
const typo = makeEntry({ id: 'typo', spiffeId: `${TD}/ns/shop/sa/api`, parentId: `${TD}/cluster/prd`, selectors: ['k8s:ns:shop'] });
const foreign = makeEntry({ id: 'foreign', spiffeId: 'spiffe://partner.example/api', parentId: AGENT_A, selectors: ['k8s:ns:shop'] });

const all: EntryJson[] = [clusterAlias, gpuAlias, direct, viaCluster, viaGpu, downstreamOfDirect, otherAgent, typo, foreign];

function ids(entries: readonly EntryJson[]): string[] {
  return entries.map((entry) => entry.id ?? '').sort();
}

describe('authorizedEntries', () => {
  it('returns descendants of the agent and its aliases', () => {
    expect(ids(authorizedEntries(agentA, all))).toEqual(['child', 'direct', 'via-cluster']);
  });

  it('skips aliases whose selectors the agent lacks', () => {
    // Given an entry whose workload selectors would match, but whose parent is a
    // node alias that requires a node label agent A does not have,
    // then the server does not send it to agent A at all.
    expect(ids(authorizedEntries(agentA, all))).not.toContain('via-gpu');
  });

  it('includes aliases once the agent has their selectors', () => {
    const gpuAgent = { ...agentA, selectors: [...agentA.selectors, 'k8s_psat:agent_node_label:pool:gpu'] };

    expect(ids(authorizedEntries(gpuAgent, all))).toEqual(['child', 'direct', 'via-cluster', 'via-gpu']);
  });

  it('gives an unknown agent only its direct descendants', () => {
    expect(ids(authorizedEntries({ ...agentA, knownToServer: false }, all))).toEqual(['child', 'direct']);
  });

  it('never matches an alias without selectors', () => {
    const emptyAlias = makeEntry({ id: 'alias-empty', spiffeId: `${TD}/everyone`, parentId: `${TD}/spire/server`, selectors: [] });
    const child = makeEntry({ id: 'everyone-child', spiffeId: `${TD}/x`, parentId: `${TD}/everyone`, selectors: ['a:b'] });

    expect(ids(authorizedEntries(agentA, [emptyAlias, child]))).toEqual([]);
    expect(agentAliases(agentA, [emptyAlias, clusterAlias])).toEqual([clusterAlias]);
  });

  it('walks a long delegation chain', () => {
    const chain = Array.from({ length: 20_000 }, (_, index) =>
      makeEntry({ id: `link-${index}`, spiffeId: `${TD}/link/${index}`, parentId: index === 0 ? AGENT_A : `${TD}/link/${index - 1}`, selectors: ['a:1'] }),
    );

    expect(authorizedEntries(agentA, chain)).toHaveLength(20_000);
    expect(explainAuthorization(agentA, chain[3] as EntryJson, chain)).toMatchObject({ path: { via: [{ id: 'link-0' }, { id: 'link-1' }, { id: 'link-2' }] } });
  });

  it('ends on parent cycles', () => {
    const loopA = makeEntry({ id: 'loop-a', spiffeId: `${TD}/loop/a`, parentId: `${TD}/loop/b`, selectors: ['a:1'] });
    const loopB = makeEntry({ id: 'loop-b', spiffeId: `${TD}/loop/b`, parentId: `${TD}/loop/a`, selectors: ['a:1'] });
    const entry = makeEntry({ id: 'entry', spiffeId: `${TD}/loop/a`, parentId: AGENT_A, selectors: ['a:1'] });

    expect(ids(authorizedEntries(agentA, [loopA, loopB, entry]))).toEqual(['entry', 'loop-a', 'loop-b']);
  });
});

describe('explainAuthorization', () => {
  it('explains a direct child', () => {
    expect(explainAuthorization(agentA, direct, all)).toMatchObject({ authorized: true, kind: 'direct-child' });
  });

  it('explains a descendant and its chain', () => {
    const result = explainAuthorization(agentA, downstreamOfDirect, all);

    expect(result).toMatchObject({ authorized: true, kind: 'descendant' });
    expect(result).toMatchObject({ path: { via: [{ id: 'direct' }] } });
  });

  it('explains an alias route', () => {
    const result = explainAuthorization(agentA, viaCluster, all);

    expect(result).toMatchObject({ authorized: true, kind: 'via-alias' });
    expect(result).toMatchObject({ path: { alias: { id: 'alias-prod' } } });
  });

  it('names the alias selectors the agent lacks', () => {
    const result = explainAuthorization(agentA, viaGpu, all);

    expect(result).toMatchObject({ authorized: false, kind: 'alias-selectors-missing', missingSelectors: ['k8s_psat:agent_node_label:pool:gpu'] });
    expect(result).toMatchObject({ alias: { id: 'alias-gpu' } });
    expect(result).toHaveProperty(
      'message',
      'the entry is parented to the node alias spiffe://shop.example/pool/gpu, but the agent lacks its node selectors k8s_psat:agent_node_label:pool:gpu',
    );
  });

  it('names the alias for a child of an unauthorized entry', () => {
    const grandchild = makeEntry({ id: 'grandchild', spiffeId: `${TD}/deep`, parentId: `${TD}/ns/ml/sa/trainer`, selectors: ['a:1'] });
    const result = explainAuthorization(agentA, grandchild, [...all, grandchild]);

    expect(result).toMatchObject({ authorized: false, kind: 'alias-selectors-missing' });
    expect(result).toMatchObject({ via: [{ id: 'via-gpu' }] });
  });

  it('explains a parent that is another agent', () => {
    expect(explainAuthorization(agentA, otherAgent, all)).toMatchObject({ authorized: false, kind: 'parent-is-other-agent', parentId: AGENT_B });
  });

  it('explains an unknown parent', () => {
    expect(explainAuthorization(agentA, typo, all)).toMatchObject({ authorized: false, kind: 'parent-unknown', parentId: `${TD}/cluster/prd` });
  });

  it('explains another trust domain', () => {
    expect(explainAuthorization(agentA, foreign, all)).toMatchObject({ authorized: false, kind: 'other-trust-domain', trustDomain: 'partner.example' });
  });

  it('explains a node alias itself', () => {
    expect(explainAuthorization(agentA, clusterAlias, all)).toMatchObject({ authorized: false, kind: 'is-node-alias' });
  });

  it('explains an agent unknown to the server', () => {
    const result = explainAuthorization({ ...agentA, knownToServer: false }, viaCluster, all);

    expect(result).toMatchObject({ authorized: false, kind: 'agent-unknown-to-server' });
  });

  it('explains a parent cycle', () => {
    const loopA = makeEntry({ id: 'loop-a', spiffeId: `${TD}/loop/a`, parentId: `${TD}/loop/b`, selectors: ['a:1'] });
    const loopB = makeEntry({ id: 'loop-b', spiffeId: `${TD}/loop/b`, parentId: `${TD}/loop/a`, selectors: ['a:1'] });

    expect(explainAuthorization(agentA, loopA, [loopA, loopB])).toMatchObject({ authorized: false, kind: 'parent-cycle' });
  });
});

describe('createAuthorizationExplainer', () => {
  it.each(all.map((entry) => ({ name: entry.id ?? '', entry })))('explains $name like explainAuthorization', ({ entry }) => {
    const explain = createAuthorizationExplainer(agentA, all);

    expect(explain(entry)).toEqual(explainAuthorization(agentA, entry, all));
  });
});
