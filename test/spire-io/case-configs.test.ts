import { describe, expect, it } from 'vitest';

import { findPlugin, readAgentConfig, readK8sPsatAgentConfig, readK8sPsatServerConfig, readK8sWorkloadAttestorConfig, readServerConfig } from '../../src/spire/config.js';
import { namespaceIgnoredBy, readControllerManagerConfig } from '../../src/spire/controller-manager.js';
import * as configs from './fixtures/case-configs.js';

describe('case agent configs', () => {
  it.each([
    { name: 'C02', text: configs.c02AgentConfig, plugins: ['NodeAttestor/k8s_sat'] },
    { name: 'C03', text: configs.c03AgentConfig, plugins: ['WorkloadAttestor/k8s', 'WorkloadAttestor/unix'] },
    { name: 'C11', text: configs.c11AgentConfig, plugins: [] },
    { name: 'C13', text: configs.c13AgentConfig, plugins: [] },
    { name: 'C21', text: configs.c21AgentConfig, plugins: [] },
    { name: 'D01', text: configs.d01AgentConfig, plugins: ['NodeAttestor/k8s_psat', 'KeyManager/memory', 'WorkloadAttestor/k8s'] },
    { name: 'D02', text: configs.d02AgentConfig, plugins: ['NodeAttestor/k8s_psat', 'KeyManager/memory', 'WorkloadAttestor/k8s'] },
    { name: 'D17', text: configs.d17AgentConfig, plugins: ['NodeAttestor/k8s_psat', 'KeyManager/memory', 'WorkloadAttestor/k8s'] },
  ])('reads $name', ({ text, plugins }) => {
    const config = readAgentConfig(text);

    expect(config.unknownKeys).toEqual([]);
    expect(config.duplicateKeys).toEqual([]);
    expect(config.plugins.map((plugin) => `${plugin.type}/${plugin.name}`)).toEqual(plugins);
  });

  it.each([
    { name: 'C11', text: configs.c11AgentConfig, socketPath: '/tmp/spire-agent/public/api.sock', trustBundlePath: '/run/spire/bundle/bundle.crt' },
    { name: 'C13', text: configs.c13AgentConfig, socketPath: '/tmp/spire-agent/public/spire-agent.sock', trustBundlePath: undefined },
    { name: 'C21', text: configs.c21AgentConfig, socketPath: '/run/spire/agent-sockets/spire-agent.sock', trustBundlePath: undefined },
    { name: 'D01', text: configs.d01AgentConfig, socketPath: '/run/spire/sockets/agent.sock', trustBundlePath: '/run/spire/bundle/bundle.crt' },
  ])('reads socket path of $name', ({ text, socketPath, trustBundlePath }) => {
    const config = readAgentConfig(text);

    expect(config.socketPath).toBe(socketPath);
    expect(config.trustBundlePath).toBe(trustBundlePath);
  });

  it('reads C03 kubelet settings', () => {
    const attestor = readK8sWorkloadAttestorConfig(findPlugin(readAgentConfig(configs.c03AgentConfig).plugins, 'WorkloadAttestor', 'k8s') ?? {});

    expect(attestor.skipKubeletVerification).toBe(true);
    expect(attestor.kubeletSecurePort).toBe(10250);
    expect(attestor.nodeName).toBeUndefined();
    expect(attestor.nodeNameEnv).toBe('MY_NODE_NAME');
  });

  it('reads D02 psat cluster', () => {
    const psat = readK8sPsatAgentConfig(findPlugin(readAgentConfig(configs.d02AgentConfig).plugins, 'NodeAttestor', 'k8s_psat') ?? {});

    expect(psat.cluster).toBe('retail');
  });
});

describe('case server configs', () => {
  it.each([
    { name: 'C02', text: configs.c02ServerConfig, trustDomain: undefined, clusters: [] },
    { name: 'C11', text: configs.c11ServerConfig, trustDomain: 'example.org', clusters: [] },
    { name: 'D04', text: configs.d04ServerConfig, trustDomain: 'corp.test', clusters: ['hpc'] },
    { name: 'D14', text: configs.d14ServerConfig, trustDomain: 'west.corp.test', clusters: ['west'] },
  ])('reads $name', ({ text, trustDomain, clusters }) => {
    const config = readServerConfig(text);
    const psat = findPlugin(config.plugins, 'NodeAttestor', 'k8s_psat');

    expect(config.unknownKeys).toEqual([]);
    expect(config.trustDomain).toBe(trustDomain);
    expect(psat === undefined ? [] : readK8sPsatServerConfig(psat).clusters.map((cluster) => cluster.name)).toEqual(clusters);
  });

  it('reads C11 CA settings', () => {
    const config = readServerConfig(configs.c11ServerConfig);

    expect(config.caTtl).toBe(72 * 3_600_000);
    expect(config.defaultX509SvidTtl).toBe(3_600_000);
  });

  it('reads D14 federation', () => {
    expect(readServerConfig(configs.d14ServerConfig).federation.federatesWith).toEqual([
      {
        trustDomain: 'east.corp.test',
        bundleEndpointUrl: 'https://spire-east.corp.test:8443',
        bundleEndpointProfile: 'https_spiffe',
        endpointSpiffeId: 'spiffe://east.corp.test/spire/server',
      },
    ]);
  });
});

describe('case controller manager configs', () => {
  it.each([
    { name: 'C16', text: configs.c16ControllerManagerConfig, className: undefined, ignored: 'spire' },
    { name: 'D06', text: configs.d06ControllerManagerConfig, className: undefined, ignored: undefined },
    { name: 'D08', text: configs.d08ControllerManagerConfig, className: 'spire-server-spire', ignored: undefined },
  ])('reads $name', ({ text, className, ignored }) => {
    const config = readControllerManagerConfig(text);

    expect(config.problems).toEqual([]);
    expect(config.className).toBe(className);
    expect(namespaceIgnoredBy('spire-demo', config.ignoreNamespaces)).toBe(ignored);
  });
});
