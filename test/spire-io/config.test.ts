import { describe, expect, it } from 'vitest';

import {
  SpireConfigError,
  findPlugin,
  formatGoDuration,
  isSpireConfigError,
  parseGoDuration,
  readAgentConfig,
  readK8sPsatAgentConfig,
  readK8sPsatServerConfig,
  readK8sWorkloadAttestorConfig,
  readServerConfig,
} from '../../src/spire/config.js';
import { isHclParseError } from '../../src/spire/hcl.js';

// Agent configuration in the shape the SPIRE Helm chart renders (spire-agent ConfigMap).
const helmAgentConfig = `agent {
  data_dir = "/var/lib/spire"
  log_level = "info"
  log_format = "json"
  server_address = "spire-server.spire-server"
  server_port = "443"
  socket_path = "/tmp/spire-agent/public/spire-agent.sock"
  trust_bundle_format = "pem"
  trust_bundle_path = "/run/spire/bundle/bundle.crt"
  trust_domain = "example.org"
  log_selectors = ["k8s:ns", "unix:user"]
  experimental {
    sync_interval = "30s"
  }
  sds {
    default_svid_name = "default"
  }
}

plugins {
  KeyManager "memory" {
    plugin_data {
    }
  }

  NodeAttestor "k8s_psat" {
    plugin_data {
      cluster = "example-cluster"
    }
  }

  WorkloadAttestor "k8s" {
    plugin_data {
      disable_container_selectors = false
      skip_kubelet_verification = true
      use_new_container_locator = true
      verbose_container_locator_logs = false
      node_name_env = "MY_NODE_NAME"
      max_poll_attempts = 20
      poll_retry_interval = "1s"
    }
  }

  WorkloadAttestor "unix" {
    plugin_data {
    }
  }
}

health_checks {
  listener_enabled = true
  bind_address = "0.0.0.0"
  bind_port = "9982"
  live_path = "/live"
  ready_path = "/ready"
}

telemetry {
  Prometheus {
    host = "0.0.0.0"
    port = 9988
  }
}
`;

// Server configuration in JSON, which SPIRE also reads, with plugin types and the psat
// clusters map given as lists of objects.
const helmServerJsonConfig = JSON.stringify({
  server: {
    bind_address: '0.0.0.0',
    bind_port: 8081,
    trust_domain: 'example.org',
    data_dir: '/run/spire/data',
    log_level: 'DEBUG',
    ca_key_type: 'rsa-2048',
    ca_ttl: '48h',
    default_x509_svid_ttl: '4h',
    default_jwt_svid_ttl: '15m',
    agent_ttl: '72h',
    experimental: { cache_reload_interval: '10s', events_based_cache: true },
  },
  plugins: {
    DataStore: [{ sql: { plugin_data: { database_type: 'sqlite3', connection_string: '/run/spire/data/datastore.sqlite3' } } }],
    NodeAttestor: [
      {
        k8s_psat: {
          plugin_data: {
            clusters: [
              {
                'example-cluster': {
                  service_account_allow_list: ['spire-system:spire-agent'],
                  allowed_node_label_keys: ['topology.kubernetes.io/zone'],
                },
              },
            ],
          },
        },
      },
    ],
    KeyManager: [{ disk: { plugin_data: { keys_path: '/run/spire/data/keys.json' } } }],
  },
});

// Agent configuration from a case where the node runs the agent with debug logging.
const caseAgentConfig = `agent {
  data_dir = "/run/spire/data"
  log_level = "DEBUG"
  server_address = "spire-server.spire-system.svc"
  server_port = "8081"
  socket_path = "/run/spire/sockets/agent.sock"
  trust_bundle_path = "/run/spire/bundle/bundle.crt"
  trust_domain = "corp.test"
}
plugins {
  NodeAttestor "k8s_psat" {
    plugin_data { cluster = "retail" }
  }
  KeyManager "memory" { plugin_data {} }
  WorkloadAttestor "k8s" {
    plugin_data { skip_kubelet_verification = true }
  }
}
`;

// Server configuration from a case with a Postgres datastore and a one-line psat block.
const caseServerConfig = `server {
  bind_address = "0.0.0.0"
  bind_port = "8081"
  data_dir = "/run/spire/data"
  trust_domain = "corp.test"
  ca_ttl = "168h"
  default_x509_svid_ttl = "4h"
}
plugins {
  DataStore "sql" {
    plugin_data {
      database_type = "postgres"
      connection_string = "dbname=spire user=spire host=spire-postgres-pooler.spire.svc port=5432 sslmode=require"
    }
  }
  NodeAttestor "k8s_psat" {
    plugin_data { clusters = { "hpc" = { service_account_allow_list = ["spire:spire-agent"] } } }
  }
  KeyManager "disk" { plugin_data { keys_path = "/run/spire/data/keys.json" } }
}
`;

const hour = 3_600_000;

describe('readAgentConfig', () => {
  it('reads a Helm chart agent config', () => {
    const config = readAgentConfig(helmAgentConfig);

    expect(config.trustDomain).toBe('example.org');
    expect(config.socketPath).toBe('/tmp/spire-agent/public/spire-agent.sock');
    expect(config.dataDir).toBe('/var/lib/spire');
    expect(config.logLevel).toBe('INFO');
    expect(config.logFormat).toBe('json');
    expect(config.serverAddress).toBe('spire-server.spire-server');
    expect(config.serverPort).toBe(443);
    expect(config.trustBundlePath).toBe('/run/spire/bundle/bundle.crt');
    expect(config.logSelectors).toEqual(['k8s:ns', 'unix:user']);
    expect(config.experimental.syncInterval).toBe(30_000);
    expect(config.insecureBootstrap).toBe(false);
    expect(config.rebootstrapMode).toBe('never');
    expect(config.unknownKeys).toEqual([]);
    expect(config.plugins.map((plugin) => `${plugin.type}/${plugin.name}`)).toEqual([
      'KeyManager/memory',
      'NodeAttestor/k8s_psat',
      'WorkloadAttestor/k8s',
      'WorkloadAttestor/unix',
    ]);
  });

  it('reads a case agent config', () => {
    const config = readAgentConfig(caseAgentConfig);

    expect(config.trustDomain).toBe('corp.test');
    expect(config.serverPort).toBe(8081);
    expect(config.socketPath).toBe('/run/spire/sockets/agent.sock');
    expect(config.logLevel).toBe('DEBUG');
    expect(config.logFormat).toBe('text');
    expect(findPlugin(config.plugins, 'NodeAttestor')?.pluginData).toEqual({ cluster: 'retail' });
  });

  it('fills defaults for a plugins-only file', () => {
    const config = readAgentConfig('plugins {\n  WorkloadAttestor "unix" {\n    plugin_data {}\n  }\n}\n');

    expect(config.trustDomain).toBeUndefined();
    expect(config.serverPort).toBeUndefined();
    expect(config.socketPath).toBe('/tmp/spire-agent/public/api.sock');
    expect(config.dataDir).toBe('.');
    expect(config.logLevel).toBe('INFO');
    expect(config.logSelectors).toEqual([]);
    expect(config.experimental.syncInterval).toBe(5_000);
    expect(config.rebootstrapDelay).toBe(600_000);
  });

  it('lists unknown keys', () => {
    const text = `agent {
  trust_domain = "example.org"
  retry_bootstrap = true
  experimental { sync_interval = "5s" cache_size = 3 }
}
plugins {
  NodeAttestor "join_token" { plugin_data {} enable = true }
}
server_url = "x"
`;
    const config = readAgentConfig(text);

    expect(config.unknownKeys).toEqual([
      'server_url',
      'agent.retry_bootstrap',
      'agent.experimental.cache_size',
      'plugins.NodeAttestor.join_token.enable',
    ]);
  });

  it('keeps disabled plugins marked', () => {
    const config = readAgentConfig('plugins {\n  WorkloadAttestor "docker" {\n    enabled = false\n    plugin_data {}\n  }\n}\n');

    expect(config.plugins[0]?.enabled).toBe(false);
    expect(findPlugin(config.plugins, 'WorkloadAttestor')).toBeUndefined();
  });

  it.each([
    { name: 'port not a number', text: 'agent { server_port = "https" }', key: 'agent.server_port', message: 'invalid SPIRE configuration agent.server_port = "https": expected an integer' },
    { name: 'port out of range', text: 'agent { server_port = 70000 }', key: 'agent.server_port', message: 'invalid SPIRE configuration agent.server_port = 70000: expected a port from 0 to 65535' },
    { name: 'duration without unit', text: 'agent { experimental { sync_interval = "30" } }', key: 'agent.experimental.sync_interval', message: 'invalid SPIRE configuration agent.experimental.sync_interval = "30": expected a Go duration such as "90s", "1h" or "1h30m"' },
    { name: 'bool as word', text: 'agent { insecure_bootstrap = "yes" }', key: 'agent.insecure_bootstrap', message: 'invalid SPIRE configuration agent.insecure_bootstrap = "yes": expected true or false' },
    { name: 'unknown rebootstrap mode', text: 'agent { rebootstrap_mode = "sometimes" }', key: 'agent.rebootstrap_mode', message: 'invalid SPIRE configuration agent.rebootstrap_mode = "sometimes": expected "never", "auto" or "always"' },
    { name: 'agent not a block', text: 'agent = "x"', key: 'agent', message: 'invalid SPIRE configuration agent = "x": expected a block' },
    { name: 'log selectors not a list', text: 'agent { log_selectors = "k8s:ns" }', key: 'agent.log_selectors', message: 'invalid SPIRE configuration agent.log_selectors = "k8s:ns": expected a list of strings' },
  ])('rejects $name', ({ text, key, message }) => {
    let caught: unknown;
    try {
      readAgentConfig(text);
    } catch (error) {
      caught = error;
    }

    expect(isSpireConfigError(caught)).toBe(true);
    expect((caught as SpireConfigError).key).toBe(key);
    expect((caught as SpireConfigError).message).toBe(message);
  });

  it('passes syntax errors through', () => {
    let caught: unknown;
    try {
      readAgentConfig('agent {');
    } catch (error) {
      caught = error;
    }

    expect(isHclParseError(caught)).toBe(true);
  });
});

describe('readServerConfig', () => {
  it('reads a case server config', () => {
    const config = readServerConfig(caseServerConfig);

    expect(config.trustDomain).toBe('corp.test');
    expect(config.bindPort).toBe(8081);
    expect(config.caTtl).toBe(168 * hour);
    expect(config.defaultX509SvidTtl).toBe(4 * hour);
    expect(config.defaultJwtSvidTtl).toBe(5 * 60_000);
    expect(config.agentTtl).toBe(4 * hour);
    expect(config.socketPath).toBe('/tmp/spire-server/private/api.sock');
    expect(config.caKeyType).toBe('ec-p256');
    expect(config.unknownKeys).toEqual([]);
    expect(findPlugin(config.plugins, 'DataStore', 'sql')?.pluginData.database_type).toBe('postgres');
  });

  it('reads a JSON Helm chart config', () => {
    const config = readServerConfig(helmServerJsonConfig);

    expect(config.logLevel).toBe('DEBUG');
    expect(config.caKeyType).toBe('rsa-2048');
    expect(config.caTtl).toBe(48 * hour);
    expect(config.defaultJwtSvidTtl).toBe(15 * 60_000);
    expect(config.agentTtl).toBe(72 * hour);
    expect(config.experimental).toEqual({ cacheReloadInterval: 10_000, eventsBasedCache: true });
    expect(config.plugins.map((plugin) => `${plugin.type}/${plugin.name}`)).toEqual(['DataStore/sql', 'NodeAttestor/k8s_psat', 'KeyManager/disk']);
    const psat = readK8sPsatServerConfig(findPlugin(config.plugins, 'NodeAttestor', 'k8s_psat') ?? {});
    expect(psat.clusters).toEqual([
      {
        name: 'example-cluster',
        serviceAccountAllowList: ['spire-system:spire-agent'],
        audience: ['spire-server'],
        allowedNodeLabelKeys: ['topology.kubernetes.io/zone'],
        allowedPodLabelKeys: [],
        usePodUidForAgentId: false,
      },
    ]);
  });

  it('reads federation blocks', () => {
    const text = `server {
  trust_domain = "west.corp.test"
  federation {
    bundle_endpoint {
      address = "0.0.0.0"
      port = 8443
    }
    federates_with "east.corp.test" {
      bundle_endpoint_url = "https://spire-east.corp.test:8443"
      bundle_endpoint_profile "https_spiffe" {
        endpoint_spiffe_id = "spiffe://east.corp.test/spire/server"
      }
    }
    federates_with "partner.test" {
      bundle_endpoint_url = "https://bundle.partner.test"
      bundle_endpoint_profile "https_web" {}
    }
  }
}
`;
    const config = readServerConfig(text);

    expect(config.federation).toEqual({
      bundleEndpoint: { address: '0.0.0.0', port: 8443 },
      federatesWith: [
        {
          trustDomain: 'east.corp.test',
          bundleEndpointUrl: 'https://spire-east.corp.test:8443',
          bundleEndpointProfile: 'https_spiffe',
          endpointSpiffeId: 'spiffe://east.corp.test/spire/server',
        },
        { trustDomain: 'partner.test', bundleEndpointUrl: 'https://bundle.partner.test', bundleEndpointProfile: 'https_web' },
      ],
    });
  });

  it('fills server defaults', () => {
    const config = readServerConfig('server {\n  trust_domain = "example.org"\n}\n');

    expect(config.bindAddress).toBe('0.0.0.0');
    expect(config.bindPort).toBe(8081);
    expect(config.caTtl).toBe(24 * hour);
    expect(config.defaultX509SvidTtl).toBe(hour);
    expect(config.agentTtl).toBe(hour);
    expect(config.experimental.cacheReloadInterval).toBe(5_000);
    expect(config.federation).toEqual({ federatesWith: [] });
  });
});

describe('readK8sWorkloadAttestorConfig', () => {
  it('fills SPIRE defaults', () => {
    const config = readK8sWorkloadAttestorConfig({});

    expect(config).toEqual({
      kubeletSecurePort: 10250,
      kubeletCaPath: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
      skipKubeletVerification: false,
      tokenPath: '/var/run/secrets/kubernetes.io/serviceaccount/token',
      useAnonymousAuthentication: false,
      nodeNameEnv: 'MY_NODE_NAME',
      maxPollAttempts: 60,
      pollRetryInterval: 500,
      reloadInterval: 60_000,
      disableContainerSelectors: false,
      useNewContainerLocator: true,
      verboseContainerLocatorLogs: false,
      enableNamespaceLabels: false,
      disableKubeletClient: false,
      sigstoreEnabled: false,
      unknownKeys: [],
      problems: [],
    });
  });

  it('reads the Helm chart plugin', () => {
    const agent = readAgentConfig(helmAgentConfig);
    const config = readK8sWorkloadAttestorConfig(findPlugin(agent.plugins, 'WorkloadAttestor', 'k8s') ?? {});

    expect(config.skipKubeletVerification).toBe(true);
    expect(config.maxPollAttempts).toBe(20);
    expect(config.pollRetryInterval).toBe(1_000);
    expect(config.useNewContainerLocator).toBe(true);
  });

  it.each([
    { name: 'both kubelet ports', data: { kubelet_read_only_port: 10255, kubelet_secure_port: 10250 }, problems: ['cannot use both the read-only and secure port'] },
    { name: 'certificate without key', data: { certificate_path: '/c.pem' }, problems: ['the private key path is required with the certificate path'] },
    { name: 'key without certificate', data: { private_key_path: '/k.pem' }, problems: ['the certificate path is required with the private key path'] },
  ])('reports $name', ({ data, problems }) => {
    expect(readK8sWorkloadAttestorConfig(data).problems).toEqual(problems);
  });

  it('uses read-only port alone', () => {
    const config = readK8sWorkloadAttestorConfig({ kubelet_read_only_port: 10255 });

    expect(config.kubeletReadOnlyPort).toBe(10255);
    expect(config.kubeletSecurePort).toBeUndefined();
  });

  it('lists top-level api_server as unknown', () => {
    const config = readK8sWorkloadAttestorConfig({ api_server: { cache: { enabled: true } } });

    expect(config.unknownKeys).toEqual(['plugins.WorkloadAttestor.k8s.plugin_data.api_server']);
  });
});

describe('readK8sPsatAgentConfig', () => {
  it.each([
    { name: 'cluster set', data: { cluster: 'prod-east' }, expected: { cluster: 'prod-east', tokenPath: '/var/run/secrets/tokens/spire-agent' } },
    { name: 'token path set', data: { cluster: 'c', token_path: '/t' }, expected: { cluster: 'c', tokenPath: '/t' } },
    { name: 'nothing set', data: {}, expected: { tokenPath: '/var/run/secrets/tokens/spire-agent' } },
  ])('reads $name', ({ data, expected }) => {
    expect(readK8sPsatAgentConfig(data)).toEqual(expected);
  });
});

describe('parseGoDuration', () => {
  it.each([
    { text: '1h', expected: hour },
    { text: '90s', expected: 90_000 },
    { text: '1h30m', expected: 1.5 * hour },
    { text: '500ms', expected: 500 },
    { text: '1.5s', expected: 1_500 },
    { text: '-2m', expected: -120_000 },
    { text: '0', expected: 0 },
    { text: '100us', expected: 0.1 },
    { text: '168h', expected: 168 * hour },
  ])('parses $text', ({ text, expected }) => {
    expect(parseGoDuration(text)).toBeCloseTo(expected, 9);
  });

  it.each([{ text: '30' }, { text: '' }, { text: '1d' }, { text: 'h' }, { text: '1h 30m' }])('rejects "$text"', ({ text }) => {
    expect(() => parseGoDuration(text)).toThrow(SpireConfigError);
  });

  it.each([
    { milliseconds: hour, expected: '1h0m0s' },
    { milliseconds: 90_000, expected: '1m30s' },
    { milliseconds: 500, expected: '500ms' },
    { milliseconds: 0, expected: '0s' },
  ])('formats $expected', ({ milliseconds, expected }) => {
    expect(formatGoDuration(milliseconds)).toBe(expected);
  });
});
