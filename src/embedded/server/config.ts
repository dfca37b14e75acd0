/**
 * The embedded server's settings, read from a SPIRE `server.conf`. The shared SPIRE
 * config reader parses the file. This module checks that the embedded server can run
 * it (implemented plugins, key types, a trust domain) and fills in default paths.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { UserError } from '../../errors.js';
import { parseTrustDomain } from '../../spiffe/trust-domain.js';
import { findPlugin, readServerConfig, type ServerConfig } from '../../spire/config.js';
import { isKeyType, KEY_TYPES, type KeyType } from './key-manager.js';
import { isLogLevel, type LogLevel } from './logrus-logger.js';

/** Settings of a running embedded server. TTLs are in seconds. */
export interface EmbeddedServerConfig {
  readonly trustDomain: string;
  /** TCP listener for agents (TLS). Port 0 picks a free port. */
  readonly bindAddress: string;
  readonly bindPort: number;
  /** Unix socket of the admin API. */
  readonly socketPath: string;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly caKeyType: KeyType;
  readonly jwtKeyType?: KeyType;
  readonly caTtlSeconds: number;
  readonly defaultX509SvidTtlSeconds: number;
  readonly defaultJwtSvidTtlSeconds: number;
  readonly agentTtlSeconds: number;
  /** SQLite database file. */
  readonly databasePath: string;
  readonly keyManager: { readonly kind: 'memory' } | { readonly kind: 'disk'; readonly keysPath: string };
  /** Extra SPIFFE IDs with admin rights on the TCP endpoint (`admin_ids`). */
  readonly adminIds: readonly string[];
}

/**
 * Returns settings with SPIRE 1.15's defaults for everything not given: TLS on
 * 0.0.0.0:8081, ec-p256 CA keys, 24 h CA TTL, 1 h X509-SVID and 5 min JWT-SVID TTLs,
 * and the datastore and disk key file under `dataDir`. For in-process servers in the
 * lab and in tests, which have no server.conf.
 */
export function createEmbeddedServerConfig(
  settings: Pick<EmbeddedServerConfig, 'trustDomain' | 'dataDir'> & Partial<EmbeddedServerConfig>,
): EmbeddedServerConfig {
  return {
    bindAddress: '0.0.0.0',
    bindPort: 8081,
    socketPath: '/tmp/spire-server/private/api.sock',
    logLevel: 'info',
    caKeyType: 'ec-p256',
    caTtlSeconds: 24 * 3600,
    defaultX509SvidTtlSeconds: 3600,
    defaultJwtSvidTtlSeconds: 300,
    agentTtlSeconds: settings.defaultX509SvidTtlSeconds ?? 3600,
    databasePath: join(settings.dataDir, 'datastore.sqlite3'),
    keyManager: { kind: 'disk', keysPath: join(settings.dataDir, 'keys.json') },
    adminIds: [],
    ...settings,
  };
}

/** Plugins the embedded server implements, by type; any other plugin is a configuration error. */
const SUPPORTED_PLUGINS: Readonly<Record<string, readonly string[]>> = {
  DataStore: ['sql'],
  KeyManager: ['disk', 'memory'],
  NodeAttestor: ['join_token'],
};

/** A configuration the embedded server can run, with warnings about keys it ignores. */
export interface LoadedServerConfig {
  readonly config: EmbeddedServerConfig;
  readonly warnings: readonly string[];
}

/**
 * Reads and checks a `server.conf` file.
 *
 * @throws UserError for an unreadable file, HCL errors, a missing trust domain,
 *   unsupported plugins or key types, or a missing data directory.
 */
export function loadServerConfigFile(path: string, options: { expandEnv?: boolean } = {}): LoadedServerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`failed to read server configuration ${path}: ${(error as Error).message}`, {
      suggestions: ['Pass the path of a SPIRE server.conf with -config.'],
    });
  }
  return toEmbeddedServerConfig(readServerConfig(options.expandEnv === true ? expandEnvironment(text) : text), path);
}

/** Replaces `$NAME` and `${NAME}` with environment values (empty when unset), as `spire-server run -expandEnv` does. */
export function expandEnvironment(text: string, environment: NodeJS.ProcessEnv = process.env): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_match, braced: string | undefined, bare: string | undefined) => environment[braced ?? bare ?? ''] ?? '');
}

/** Converts a parsed SPIRE server configuration into embedded server settings; `source` names the file in errors. */
export function toEmbeddedServerConfig(parsed: ServerConfig, source: string): LoadedServerConfig {
  const trustDomain = requireTrustDomain(parsed, source);
  checkPlugins(parsed, source);
  const dataDir = parsed.dataDir;
  if (dataDir === undefined || dataDir === '') {
    throw new UserError(`server.data_dir is missing in ${source}`, { suggestions: ['Set data_dir = "<directory>" in the server block.'] });
  }

  const config: EmbeddedServerConfig = {
    trustDomain,
    bindAddress: parsed.bindAddress,
    bindPort: parsed.bindPort,
    socketPath: parsed.socketPath,
    dataDir,
    logLevel: readLevel(parsed.logLevel, source),
    caKeyType: readKeyType(parsed.caKeyType, 'ca_key_type', source),
    ...readJwtKeyType(parsed, source),
    caTtlSeconds: Math.floor(parsed.caTtl / 1000),
    defaultX509SvidTtlSeconds: Math.floor(parsed.defaultX509SvidTtl / 1000),
    defaultJwtSvidTtlSeconds: Math.floor(parsed.defaultJwtSvidTtl / 1000),
    agentTtlSeconds: Math.floor(parsed.agentTtl / 1000),
    databasePath: readDatabasePath(parsed, dataDir, source),
    keyManager: readKeyManager(parsed, dataDir),
    adminIds: readAdminIds(parsed),
  };
  const warnings = parsed.unknownKeys.map((key) => `unknown configuration key ${key} is ignored`);
  return { config, warnings };
}

function requireTrustDomain(parsed: ServerConfig, source: string): string {
  if (parsed.trustDomain === undefined || parsed.trustDomain === '') {
    throw new UserError(`server.trust_domain is missing in ${source}`, {
      suggestions: ['Set trust_domain = "example.org" in the server block.'],
    });
  }
  return parseTrustDomain(parsed.trustDomain);
}

function checkPlugins(parsed: ServerConfig, source: string): void {
  const unsupported = parsed.plugins
    .filter((plugin) => plugin.enabled !== false)
    .filter((plugin) => !(SUPPORTED_PLUGINS[plugin.type] ?? []).includes(plugin.name))
    .map((plugin) => `${plugin.type} "${plugin.name}"`);
  if (unsupported.length > 0) {
    const supported = Object.entries(SUPPORTED_PLUGINS).map(([type, names]) => `${type} ${names.map((name) => `"${name}"`).join('/')}`);
    throw new UserError(`unsupported plugins in ${source}: ${unsupported.join(', ')}`, {
      suggestions: [`The embedded server implements only ${supported.join(', ')}; remove or replace the others.`],
    });
  }

  for (const type of ['DataStore', 'KeyManager'] as const) {
    if (findPlugin(parsed.plugins, type) === undefined) {
      throw new UserError(`plugins.${type} is missing in ${source}`, {
        suggestions: [type === 'DataStore' ? 'Add DataStore "sql" { plugin_data { database_type = "sqlite3" connection_string = "<data_dir>/datastore.sqlite3" } }.' : 'Add KeyManager "disk" { plugin_data { keys_path = "<data_dir>/keys.json" } } or KeyManager "memory" {}.'],
      });
    }
  }
}

function readLevel(value: string, source: string): LogLevel {
  if (!isLogLevel(value)) {
    throw new UserError(`invalid server.log_level "${value}" in ${source}`, { suggestions: ['Use DEBUG, INFO, WARN or ERROR.'] });
  }
  return value.toLowerCase() as LogLevel;
}

function readKeyType(value: string, key: string, source: string): KeyType {
  if (!isKeyType(value)) {
    throw new UserError(`invalid server.${key} "${value}" in ${source}`, { suggestions: [`Use one of ${KEY_TYPES.join(', ')}.`] });
  }
  return value;
}

function readJwtKeyType(parsed: ServerConfig, source: string): { jwtKeyType?: KeyType } {
  const server = parsed.raw.server;
  const value = typeof server === 'object' && server !== null && !Array.isArray(server) ? server.jwt_key_type : undefined;
  return typeof value === 'string' ? { jwtKeyType: readKeyType(value, 'jwt_key_type', source) } : {};
}

function readAdminIds(parsed: ServerConfig): string[] {
  const server = parsed.raw.server;
  const value = typeof server === 'object' && server !== null && !Array.isArray(server) ? server.admin_ids : undefined;
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function readDatabasePath(parsed: ServerConfig, dataDir: string, source: string): string {
  const plugin = findPlugin(parsed.plugins, 'DataStore', 'sql')!;
  const databaseType = plugin.pluginData.database_type;
  if (databaseType !== 'sqlite3') {
    throw new UserError(`unsupported DataStore "sql" database_type ${JSON.stringify(databaseType ?? null)} in ${source}`, {
      suggestions: ['The embedded server stores data in SQLite only: set database_type = "sqlite3".'],
    });
  }
  const connectionString = plugin.pluginData.connection_string;
  if (typeof connectionString !== 'string' || connectionString === '') {
    return join(dataDir, 'datastore.sqlite3');
  }
  return connectionString;
}

function readKeyManager(parsed: ServerConfig, dataDir: string): EmbeddedServerConfig['keyManager'] {
  const plugin = findPlugin(parsed.plugins, 'KeyManager')!;
  if (plugin.name === 'memory') {
    return { kind: 'memory' };
  }
  const keysPath = plugin.pluginData.keys_path;
  return { kind: 'disk', keysPath: typeof keysPath === 'string' && keysPath !== '' ? keysPath : join(dataDir, 'keys.json') };
}
