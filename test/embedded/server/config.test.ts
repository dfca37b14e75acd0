import { describe, expect, it } from 'vitest';

import { createEmbeddedServerConfig, expandEnvironment, toEmbeddedServerConfig } from '../../../src/embedded/server/config.js';
import { formatLogrusLine } from '../../../src/embedded/server/logrus-logger.js';
import { readServerConfig } from '../../../src/spire/config.js';
import { isUserError } from '../../../src/errors.js';

function conf(server: string, plugins: string): string {
  return `server {\n  trust_domain = "example.org"\n  data_dir = "/var/lib/sd"\n${server}\n}\nplugins {\n${plugins}\n}\n`;
}

const SQLITE = 'DataStore "sql" { plugin_data { database_type = "sqlite3" connection_string = "/var/lib/sd/db.sqlite3" } }';
const DISK = 'KeyManager "disk" { plugin_data { keys_path = "/var/lib/sd/keys.json" } }';

describe('toEmbeddedServerConfig', () => {
  it('reads SPIRE defaults and paths', () => {
    const { config, warnings } = toEmbeddedServerConfig(readServerConfig(conf('', `${SQLITE}\n${DISK}`)), 'server.conf');

    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      trustDomain: 'example.org',
      bindAddress: '0.0.0.0',
      bindPort: 8081,
      socketPath: '/tmp/spire-server/private/api.sock',
      caKeyType: 'ec-p256',
      caTtlSeconds: 86_400,
      defaultX509SvidTtlSeconds: 3600,
      defaultJwtSvidTtlSeconds: 300,
      databasePath: '/var/lib/sd/db.sqlite3',
      keyManager: { kind: 'disk', keysPath: '/var/lib/sd/keys.json' },
    });
  });

  it('reads memory key manager and TTLs', () => {
    const text = conf('  ca_key_type = "rsa-2048"\n  ca_ttl = "48h"\n  default_x509_svid_ttl = "2h"\n  default_jwt_svid_ttl = "10m"\n  log_level = "DEBUG"', `${SQLITE}\nKeyManager "memory" {}`);
    const { config } = toEmbeddedServerConfig(readServerConfig(text), 'server.conf');

    expect(config.keyManager).toEqual({ kind: 'memory' });
    expect(config.caKeyType).toBe('rsa-2048');
    expect(config.caTtlSeconds).toBe(172_800);
    expect(config.defaultX509SvidTtlSeconds).toBe(7200);
    expect(config.defaultJwtSvidTtlSeconds).toBe(600);
    expect(config.logLevel).toBe('debug');
  });

  it('warns about unknown keys', () => {
    const { warnings } = toEmbeddedServerConfig(readServerConfig(conf('  colour = "blue"', `${SQLITE}\n${DISK}`)), 'server.conf');

    expect(warnings).toEqual(['unknown configuration key server.colour is ignored']);
  });

  it.each([
    { name: 'postgres datastore', text: conf('', `DataStore "sql" { plugin_data { database_type = "postgres" } }\n${DISK}`), message: 'unsupported DataStore "sql" database_type "postgres" in server.conf' },
    { name: 'unknown plugin', text: conf('', `${SQLITE}\n${DISK}\nNodeAttestor "x509pop" {}`), message: 'unsupported plugins in server.conf: NodeAttestor "x509pop"' },
    { name: 'missing key manager', text: conf('', SQLITE), message: 'plugins.KeyManager is missing in server.conf' },
    { name: 'bad log level', text: conf('  log_level = "LOUD"', `${SQLITE}\n${DISK}`), message: 'invalid server.log_level "LOUD" in server.conf' },
    { name: 'bad trust domain', text: conf('', `${SQLITE}\n${DISK}`).replace('example.org', 'Example.org'), message: 'invalid trust domain "Example.org"' },
  ])('rejects $name', ({ text, message }) => {
    let caught: unknown;
    try {
      toEmbeddedServerConfig(readServerConfig(text), 'server.conf');
    } catch (error) {
      caught = error;
    }

    expect(isUserError(caught)).toBe(true);
    expect((caught as Error).message).toContain(message);
  });
});

describe('formatLogrusLine', () => {
  it('quotes values like logrus', () => {
    const line = formatLogrusLine(new Date('2026-01-02T03:04:05.000Z'), 'warn', 'Health check failed', { reason: 'no bundle', count: 3, path: '/tmp/a.sock' });

    expect(line).toBe('time="2026-01-02T03:04:05.000Z" level=warning msg="Health check failed" count=3 path=/tmp/a.sock reason="no bundle"');
  });
});

describe('expandEnvironment', () => {
  it.each([
    { name: 'bare name', text: 'data_dir = "$DIR/data"', expected: 'data_dir = "/srv/data"' },
    { name: 'braced name', text: 'data_dir = "${DIR}data"', expected: 'data_dir = "/srvdata"' },
    { name: 'unset name', text: 'x = "$MISSING"', expected: 'x = ""' },
  ])('expands $name', ({ text, expected }) => {
    expect(expandEnvironment(text, { DIR: '/srv' })).toBe(expected);
  });
});

describe('createEmbeddedServerConfig', () => {
  it('fills SPIRE defaults under data directory', () => {
    const config = createEmbeddedServerConfig({ trustDomain: 'example.org', dataDir: '/srv/sd', bindPort: 0 });

    expect(config.bindPort).toBe(0);
    expect(config.databasePath).toBe('/srv/sd/datastore.sqlite3');
    expect(config.keyManager).toEqual({ kind: 'disk', keysPath: '/srv/sd/keys.json' });
    expect(config.agentTtlSeconds).toBe(3600);
    expect(config.defaultJwtSvidTtlSeconds).toBe(300);
  });
});
