/**
 * Typed view of a SPIRE server configuration file (`server.conf`). Keys and defaults
 * follow `cmd/spire-server/cli/run/run.go` and `pkg/server/credtemplate/builder.go` in
 * SPIRE 1.16.0-dev (ef8527ec9).
 */
import { decodeConfig, findUnknownHealthCheckKeys, readLogFormat, readLogLevel, type SpireLogFormat } from './config-common.js';
import { SpireConfigError } from './config-errors.js';
import { SERVER_EXPERIMENTAL_KEYS, SERVER_FEDERATION_KEYS, SERVER_FILE_KEYS, SERVER_KEYS } from './config-keys.js';
import { readPlugins, type SpirePluginConfig } from './config-plugins.js';
import { childScope, findUnknownKeys, optional, readBoolean, readDuration, readPort, readString, type ConfigScope } from './config-values.js';
import type { HclObject } from './hcl.js';

/** Server defaults that apply when a key is absent. Durations are in milliseconds. */
export const SERVER_DEFAULTS = {
  bindAddress: '0.0.0.0',
  bindPort: 8081,
  socketPath: '/tmp/spire-server/private/api.sock',
  caKeyType: 'ec-p256',
  caTtl: 24 * 3_600_000,
  defaultX509SvidTtl: 3_600_000,
  defaultJwtSvidTtl: 5 * 60_000,
  /** `experimental.cache_reload_interval` (`pkg/server/endpoints/endpoints.go`). */
  cacheReloadInterval: 5_000,
} as const;

/** A `federates_with "<trust domain>" { … }` block. */
export interface FederatesWithConfig {
  readonly trustDomain: string;
  readonly bundleEndpointUrl?: string;
  /** `https_web` or `https_spiffe`, from the `bundle_endpoint_profile` block. */
  readonly bundleEndpointProfile?: string;
  /** `endpoint_spiffe_id` of an `https_spiffe` profile. */
  readonly endpointSpiffeId?: string;
}

/** Settings of a SPIRE server configuration file, with SPIRE's defaults filled in. */
export interface ServerConfig {
  readonly trustDomain?: string;
  readonly bindAddress: string;
  readonly bindPort: number;
  /** Server API socket, default `/tmp/spire-server/private/api.sock`. */
  readonly socketPath: string;
  readonly dataDir?: string;
  readonly logLevel: string;
  readonly logFormat: SpireLogFormat;
  readonly caKeyType: string;
  /** Milliseconds; 24 h when unset. */
  readonly caTtl: number;
  /** Milliseconds; 1 h when unset. */
  readonly defaultX509SvidTtl: number;
  /** Milliseconds; 5 min when unset. */
  readonly defaultJwtSvidTtl: number;
  /** Agent X509-SVID TTL in milliseconds; equals `defaultX509SvidTtl` when `agent_ttl` is unset. */
  readonly agentTtl: number;
  readonly experimental: {
    /** Milliseconds; 5 s when unset. */
    readonly cacheReloadInterval: number;
    readonly eventsBasedCache: boolean;
  };
  readonly federation: {
    /** The server's own bundle endpoint, when it publishes one. */
    readonly bundleEndpoint?: { readonly address?: string; readonly port?: number };
    readonly federatesWith: readonly FederatesWithConfig[];
  };
  readonly plugins: readonly SpirePluginConfig[];
  /** Dotted paths of keys SPIRE does not know. */
  readonly unknownKeys: readonly string[];
  readonly duplicateKeys: readonly string[];
  readonly raw: HclObject;
}

/**
 * Reads a server configuration (HCL or JSON text, or an already decoded tree). Partial
 * files are accepted: absent keys get SPIRE's defaults or stay undefined.
 *
 * @throws HclParseError when the text is not HCL or JSON.
 * @throws SpireConfigError naming the key and value SPIRE would reject.
 */
export function readServerConfig(input: string | HclObject): ServerConfig {
  const { root, duplicateKeys } = decodeConfig(input);
  const server = childScope(root, 'server');
  const { plugins, unknownKeys: unknownPluginKeys } = readPlugins(root);
  const defaultX509SvidTtl = readDuration(server, 'default_x509_svid_ttl') ?? SERVER_DEFAULTS.defaultX509SvidTtl;

  return {
    ...optional('trustDomain', readString(server, 'trust_domain')),
    bindAddress: readString(server, 'bind_address') ?? SERVER_DEFAULTS.bindAddress,
    bindPort: readPort(server, 'bind_port') ?? SERVER_DEFAULTS.bindPort,
    socketPath: readString(server, 'socket_path') ?? SERVER_DEFAULTS.socketPath,
    ...optional('dataDir', readString(server, 'data_dir')),
    logLevel: readLogLevel(server),
    logFormat: readLogFormat(server),
    caKeyType: readString(server, 'ca_key_type') ?? SERVER_DEFAULTS.caKeyType,
    caTtl: readDuration(server, 'ca_ttl') ?? SERVER_DEFAULTS.caTtl,
    defaultX509SvidTtl,
    defaultJwtSvidTtl: readDuration(server, 'default_jwt_svid_ttl') ?? SERVER_DEFAULTS.defaultJwtSvidTtl,
    agentTtl: readDuration(server, 'agent_ttl') ?? defaultX509SvidTtl,
    experimental: readServerExperimental(childScope(server, 'experimental')),
    federation: readFederation(childScope(server, 'federation')),
    plugins,
    unknownKeys: [...findServerUnknownKeys(root, server), ...unknownPluginKeys],
    duplicateKeys,
    raw: root.object,
  };
}

function readServerExperimental(scope: ConfigScope): ServerConfig['experimental'] {
  return {
    cacheReloadInterval: readDuration(scope, 'cache_reload_interval') ?? SERVER_DEFAULTS.cacheReloadInterval,
    eventsBasedCache: readBoolean(scope, 'events_based_cache') ?? false,
  };
}

function readFederation(scope: ConfigScope): ServerConfig['federation'] {
  const endpointScope = childScope(scope, 'bundle_endpoint');
  const hasEndpoint = Object.keys(endpointScope.object).length > 0;
  const federatesWithScope = childScope(scope, 'federates_with');
  const federatesWith = Object.keys(federatesWithScope.object).map((trustDomain) =>
    readFederatesWith(trustDomain, childScope(federatesWithScope, trustDomain)),
  );

  return {
    ...(hasEndpoint
      ? { bundleEndpoint: { ...optional('address', readString(endpointScope, 'address')), ...optional('port', readPort(endpointScope, 'port')) } }
      : {}),
    federatesWith,
  };
}

function readFederatesWith(trustDomain: string, scope: ConfigScope): FederatesWithConfig {
  const profileScope = childScope(scope, 'bundle_endpoint_profile');
  const profiles = Object.keys(profileScope.object);
  if (profiles.length > 1) {
    throw new SpireConfigError(profileScope.path, profiles, 'expected exactly one profile block, "https_web" or "https_spiffe"');
  }
  const profile = profiles[0];
  const endpointSpiffeId = profile === undefined ? undefined : readString(childScope(profileScope, profile), 'endpoint_spiffe_id');

  return {
    trustDomain,
    ...optional('bundleEndpointUrl', readString(scope, 'bundle_endpoint_url')),
    ...optional('bundleEndpointProfile', profile),
    ...optional('endpointSpiffeId', endpointSpiffeId),
  };
}

function findServerUnknownKeys(root: ConfigScope, server: ConfigScope): string[] {
  return [
    ...findUnknownKeys(root, SERVER_FILE_KEYS),
    ...findUnknownKeys(server, SERVER_KEYS),
    ...findUnknownKeys(childScope(server, 'experimental'), SERVER_EXPERIMENTAL_KEYS),
    ...findUnknownKeys(childScope(server, 'federation'), SERVER_FEDERATION_KEYS),
    ...findUnknownHealthCheckKeys(root),
  ];
}
