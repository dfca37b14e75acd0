import { describe, expect, it } from 'vitest';
import { embeddedAgentConfigFrom } from '../../../src/embedded/agent/config.js';
import { isAgentError } from '../../../src/embedded/agent/errors.js';
import { readAgentConfig } from '../../../src/spire/config.js';

const BUNDLE = [Buffer.from('3003020100', 'hex')];

function agentConf(agentBlock: string, plugins = 'NodeAttestor "join_token" { plugin_data {} }\nKeyManager "memory" { plugin_data {} }\nWorkloadAttestor "unix" { plugin_data {} }'): string {
  return `agent {\n${agentBlock}\n}\nplugins {\n${plugins}\n}\n`;
}

const VALID_AGENT = `
  trust_domain = "example.org"
  server_address = "127.0.0.1"
  server_port = "8081"
  socket_path = "/tmp/agent/api.sock"
  data_dir = "/tmp/agent-data"
  join_token = "abc"
  log_level = "DEBUG"
`;

describe('embeddedAgentConfigFrom', () => {
  it('reads a complete agent.conf', () => {
    const config = embeddedAgentConfigFrom(readAgentConfig(agentConf(VALID_AGENT, 'NodeAttestor "join_token" { plugin_data {} }\nKeyManager "disk" { plugin_data { directory = "/tmp/keys" } }\nWorkloadAttestor "unix" { plugin_data { discover_workload_path = true } }')), BUNDLE);

    expect(config).toMatchObject({
      trustDomain: 'example.org',
      serverAddress: '127.0.0.1',
      serverPort: 8081,
      socketPath: '/tmp/agent/api.sock',
      dataDir: '/tmp/agent-data',
      joinToken: 'abc',
      logLevel: 'debug',
      keyManager: 'disk',
      unixAttestor: { discoverWorkloadPath: true, workloadSizeLimit: 0 },
      syncIntervalMs: 5000,
      insecureBootstrap: false,
    });
    expect(config.trustBundle).toEqual(BUNDLE);
  });

  it.each([
    { name: 'missing trust domain', agent: VALID_AGENT.replace('trust_domain = "example.org"', ''), bundle: BUNDLE, message: 'invalid agent configuration: trust_domain must be configured' },
    { name: 'missing server port', agent: VALID_AGENT.replace('server_port = "8081"', ''), bundle: BUNDLE, message: 'invalid agent configuration: server_port must be configured' },
    { name: 'no bundle and no insecure bootstrap', agent: VALID_AGENT, bundle: undefined, message: 'invalid agent configuration: trust_bundle_path or insecure_bootstrap must be configured' },
    { name: 'bundle and insecure bootstrap', agent: `${VALID_AGENT}\n insecure_bootstrap = true`, bundle: BUNDLE, message: 'invalid agent configuration: trust_bundle_path and insecure_bootstrap cannot both be set' },
    { name: 'unknown log level', agent: VALID_AGENT.replace('DEBUG', 'LOUD'), bundle: BUNDLE, message: 'invalid agent configuration: log_level "LOUD" is not one of DEBUG, INFO, WARN, ERROR' },
  ])('rejects $name', ({ agent, bundle, message }) => {
    const failure = captureError(() => embeddedAgentConfigFrom(readAgentConfig(agentConf(agent)), bundle));

    expect(isAgentError(failure)).toBe(true);
    expect((failure as Error).message).toBe(message);
  });

  it.each([
    { name: 'k8s_psat node attestor', plugins: 'NodeAttestor "k8s_psat" { plugin_data { cluster = "c" } }', message: 'invalid agent configuration: NodeAttestor "k8s_psat" is not supported by the embedded agent' },
    { name: 'k8s workload attestor', plugins: 'NodeAttestor "join_token" { plugin_data {} }\nWorkloadAttestor "k8s" { plugin_data {} }', message: 'invalid agent configuration: WorkloadAttestor "k8s" is not supported by the embedded agent' },
    { name: 'aws key manager', plugins: 'NodeAttestor "join_token" { plugin_data {} }\nKeyManager "aws_kms" { plugin_data {} }', message: 'invalid agent configuration: KeyManager "aws_kms" is not supported by the embedded agent' },
  ])('rejects plugin $name', ({ plugins, message }) => {
    const failure = captureError(() => embeddedAgentConfigFrom(readAgentConfig(agentConf(VALID_AGENT, plugins)), BUNDLE));

    expect((failure as Error).message).toBe(message);
  });

  it('insecure bootstrap needs no bundle', () => {
    const config = embeddedAgentConfigFrom(readAgentConfig(agentConf(`${VALID_AGENT}\n insecure_bootstrap = true`)), undefined);

    expect(config.insecureBootstrap).toBe(true);
    expect(config.trustBundle).toBeUndefined();
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}
