import { describe, expect, it } from 'vitest';
import { findAgentIdParts, isAgentIdPath, isServerIdPath, joinTokenAgentId, k8sPsatAgentId, serverSpiffeId } from '../../src/spire/agent-ids.js';
import { parseSpiffeId } from '../../src/spiffe/id.js';

describe('agent IDs', () => {
  it.each([
    { name: 'server', id: serverSpiffeId('example.org'), expected: 'spiffe://example.org/spire/server' },
    {
      name: 'join token agent',
      id: joinTokenAgentId('example.org', '9c2e4a6d-8b1f-4c3e-a5d7-0f2b4c6e8a1d'),
      expected: 'spiffe://example.org/spire/agent/join_token/9c2e4a6d-8b1f-4c3e-a5d7-0f2b4c6e8a1d',
    },
    {
      name: 'k8s_psat agent by node',
      id: k8sPsatAgentId('example.org', 'prod', 'd1c0f6e2-3b4a-4c5d-8e9f-0a1b2c3d4e5f'),
      expected: 'spiffe://example.org/spire/agent/k8s_psat/prod/d1c0f6e2-3b4a-4c5d-8e9f-0a1b2c3d4e5f',
    },
    {
      name: 'k8s_psat agent by pod',
      id: k8sPsatAgentId('example.org', 'prod', { podUid: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9' }),
      expected: 'spiffe://example.org/spire/agent/k8s_psat/prod/pod/5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
    },
  ])('forms the $name ID', ({ id, expected }) => {
    expect(id).toBe(expected);
  });

  it('classifies paths', () => {
    expect(isAgentIdPath('/spire/agent/join_token/x')).toBe(true);
    expect(isAgentIdPath('/spire/agentx')).toBe(false);
    expect(isServerIdPath('/spire/server')).toBe(true);
  });

  it('splits agent IDs into attestor and segments', () => {
    expect(findAgentIdParts(parseSpiffeId('spiffe://td/spire/agent/k8s_psat/prod/node'))).toEqual({ attestor: 'k8s_psat', segments: ['prod', 'node'] });
    expect(findAgentIdParts(parseSpiffeId('spiffe://td/ns/default'))).toBeUndefined();
  });
});
