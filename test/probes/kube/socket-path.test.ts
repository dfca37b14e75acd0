import { describe, expect, it } from 'vitest';

import type { Container } from '../../../src/evidence/kube-types.js';
import { findConfiguredSocketPath, findEndpointSocketEnv, findWorkloadSocketPath } from '../../../src/probes/kube/socket-path.js';
import { quickstartAgentPod, workloadPod } from './cluster-fixtures.js';

const agent = { pod: quickstartAgentPod('node-a'), container: 'spire-agent', socketPath: '/run/spire/sockets/agent.sock' };

function workloadContainer(pod = workloadPod()): Container {
  const container = pod.spec?.containers?.[0];
  if (container === undefined) throw new Error('fixture pod has no container');
  return container;
}

describe('findEndpointSocketEnv', () => {
  it.each([
    { name: 'unix URI', value: 'unix:///spiffe-workload-api/spire-agent.sock', expected: '/spiffe-workload-api/spire-agent.sock' },
    { name: 'unix URI without slashes', value: 'unix:/run/agent.sock', expected: '/run/agent.sock' },
    { name: 'tcp address', value: 'tcp://127.0.0.1:8000', expected: undefined },
    { name: 'bare path', value: '/run/agent.sock', expected: undefined },
  ])('reads $name', ({ value, expected }) => {
    expect(findEndpointSocketEnv({ env: [{ name: 'SPIFFE_ENDPOINT_SOCKET', value }] })).toBe(expected);
  });

  it('ignores a container without the variable', () => {
    expect(findEndpointSocketEnv({ env: [{ name: 'OTHER', value: 'unix:///x' }] })).toBeUndefined();
  });
});

describe('findWorkloadSocketPath', () => {
  it.each([
    {
      name: 'hostPath mount of the agent socket directory',
      pod: workloadPod(),
      expected: { path: '/spiffe-workload-api/agent.sock', origin: 'hostPath volume' },
    },
    {
      name: 'SPIFFE CSI volume',
      pod: workloadPod({ csi: true }),
      expected: { path: '/spiffe-workload-api/agent.sock', origin: 'SPIFFE CSI volume' },
    },
    {
      name: 'SPIFFE_ENDPOINT_SOCKET before volumes',
      pod: workloadPod({ env: [{ name: 'SPIFFE_ENDPOINT_SOCKET', value: 'unix:///custom/agent.sock' }] }),
      expected: { path: '/custom/agent.sock', origin: 'SPIFFE_ENDPOINT_SOCKET' },
    },
    { name: 'no socket mount', pod: workloadPod({ mountSocket: false }), expected: undefined },
  ])('derives $name', ({ pod, expected }) => {
    expect(findWorkloadSocketPath(workloadContainer(pod), pod, agent)).toEqual(expected);
  });

  it('follows a workload mount of a parent host directory', () => {
    const pod = workloadPod();
    const parentMounted = {
      ...pod,
      spec: { ...pod.spec, volumes: [{ name: 'spire-agent-socket', hostPath: { path: '/run/spire' } }] },
    };

    expect(findWorkloadSocketPath(workloadContainer(parentMounted), parentMounted, agent)).toEqual({
      path: '/spiffe-workload-api/sockets/agent.sock',
      origin: 'hostPath volume',
    });
  });

  it('rejects a hostPath the agent does not use', () => {
    const pod = workloadPod();
    const otherHostPath = { ...pod, spec: { ...pod.spec, volumes: [{ name: 'spire-agent-socket', hostPath: { path: '/var/run/other' } }] } };

    expect(findWorkloadSocketPath(workloadContainer(otherHostPath), otherHostPath, agent)).toBeUndefined();
  });
});

describe('findConfiguredSocketPath', () => {
  it.each([
    { name: 'HCL', text: 'agent {\n  socket_path = "/run/spire/sockets/agent.sock"\n}', expected: '/run/spire/sockets/agent.sock' },
    { name: 'JSON', text: '{"agent":{"socket_path":"/tmp/agent.sock"}}', expected: '/tmp/agent.sock' },
    { name: 'only admin_socket_path', text: 'agent {\n  admin_socket_path = "/tmp/admin.sock"\n}', expected: undefined },
    { name: 'no setting', text: 'agent {}', expected: undefined },
  ])('reads $name', ({ text, expected }) => {
    expect(findConfiguredSocketPath(text)).toBe(expected);
  });
});
