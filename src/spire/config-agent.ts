/**
 * Typed view of a SPIRE agent configuration file (`agent.conf`). Keys, defaults and
 * checks follow `cmd/spire-agent/cli/run/run.go` in SPIRE 1.16.0-dev (ef8527ec9).
 */
import { decodeConfig, findUnknownHealthCheckKeys, readLogFormat, readLogLevel, type SpireLogFormat } from './config-common.js';
import { SpireConfigError } from './config-errors.js';
import { AGENT_EXPERIMENTAL_KEYS, AGENT_FILE_KEYS, AGENT_KEYS, AGENT_SDS_KEYS } from './config-keys.js';
import { readPlugins, type SpirePluginConfig } from './config-plugins.js';
import {
  childScope,
  findUnknownKeys,
  readBoolean,
  readDuration,
  readPort,
  readString,
  optional,
  readStringList,
  type ConfigScope,
} from './config-values.js';
import type { HclObject } from './hcl.js';

/** Agent defaults that apply when a key is absent. */
export const AGENT_DEFAULTS = {
  socketPath: '/tmp/spire-agent/public/api.sock',
  dataDir: '.',
  logLevel: 'INFO',
  trustBundleFormat: 'pem',
  rebootstrapMode: 'never',
  /** `rebootstrap_delay`, in milliseconds. */
  rebootstrapDelay: 10 * 60_000,
  /** `experimental.sync_interval` (`pkg/agent/manager/config.go`), in milliseconds. */
  syncInterval: 5_000,
} as const;

export type RebootstrapMode = 'never' | 'auto' | 'always';

/** Settings of a SPIRE agent configuration file, with SPIRE's defaults filled in. */
export interface AgentConfig {
  /** `agent.trust_domain`; SPIRE refuses to start without it. */
  readonly trustDomain?: string;
  /** Workload API socket (`socket_path`), default `/tmp/spire-agent/public/api.sock`. */
  readonly socketPath: string;
  readonly adminSocketPath?: string;
  readonly dataDir: string;
  /** Upper-case log level, default `INFO`. */
  readonly logLevel: string;
  readonly logFormat: SpireLogFormat;
  /**
   * `log_selectors`: selector prefixes that "No identity issued" lines include (SPIRE
   * 1.15.2 and later). Empty when unset.
   */
  readonly logSelectors: readonly string[];
  readonly serverAddress?: string;
  readonly serverPort?: number;
  readonly joinToken?: string;
  readonly joinTokenFile?: string;
  readonly trustBundlePath?: string;
  readonly trustBundleUrl?: string;
  readonly trustBundleFormat: string;
  readonly insecureBootstrap: boolean;
  readonly rebootstrapMode: RebootstrapMode;
  /** Milliseconds. */
  readonly rebootstrapDelay: number;
  /** `availability_target`, in milliseconds, when set. */
  readonly availabilityTarget?: number;
  readonly experimental: {
    /** `sync_interval` in milliseconds; 5 s when unset. */
    readonly syncInterval: number;
    /** `use_sync_authorized_entries`; SPIRE treats an absent value as true. */
    readonly useSyncAuthorizedEntries?: boolean;
  };
  readonly plugins: readonly SpirePluginConfig[];
  /** Dotted paths of keys SPIRE does not know (it fails to start on them by default). */
  readonly unknownKeys: readonly string[];
  /** Dotted paths of keys set more than once; the later value is used. */
  readonly duplicateKeys: readonly string[];
  /** The whole decoded file. */
  readonly raw: HclObject;
}

/**
 * Reads an agent configuration (HCL or JSON text, or an already decoded tree). Partial
 * files, such as a `plugins` block alone, are accepted: absent keys get SPIRE's defaults
 * or stay undefined.
 *
 * @throws HclParseError when the text is not HCL or JSON.
 * @throws SpireConfigError naming the key and value SPIRE would reject.
 */
export function readAgentConfig(input: string | HclObject): AgentConfig {
  const { root, duplicateKeys } = decodeConfig(input);
  const agent = childScope(root, 'agent');
  const { plugins, unknownKeys: unknownPluginKeys } = readPlugins(root);

  return {
    ...optional('trustDomain', readString(agent, 'trust_domain')),
    socketPath: readString(agent, 'socket_path') ?? AGENT_DEFAULTS.socketPath,
    ...optional('adminSocketPath', readString(agent, 'admin_socket_path')),
    dataDir: readString(agent, 'data_dir') ?? AGENT_DEFAULTS.dataDir,
    logLevel: readLogLevel(agent),
    logFormat: readLogFormat(agent),
    logSelectors: readStringList(agent, 'log_selectors') ?? [],
    ...optional('serverAddress', readString(agent, 'server_address')),
    ...optional('serverPort', readPort(agent, 'server_port')),
    ...optional('joinToken', readString(agent, 'join_token')),
    ...optional('joinTokenFile', readString(agent, 'join_token_file')),
    ...optional('trustBundlePath', readString(agent, 'trust_bundle_path')),
    ...optional('trustBundleUrl', readString(agent, 'trust_bundle_url')),
    trustBundleFormat: readString(agent, 'trust_bundle_format') ?? AGENT_DEFAULTS.trustBundleFormat,
    insecureBootstrap: readBoolean(agent, 'insecure_bootstrap') ?? false,
    rebootstrapMode: readRebootstrapMode(agent),
    rebootstrapDelay: readDuration(agent, 'rebootstrap_delay') ?? AGENT_DEFAULTS.rebootstrapDelay,
    ...optional('availabilityTarget', readDuration(agent, 'availability_target')),
    experimental: readAgentExperimental(childScope(agent, 'experimental')),
    plugins,
    unknownKeys: [...findAgentUnknownKeys(root, agent), ...unknownPluginKeys],
    duplicateKeys,
    raw: root.object,
  };
}

function readRebootstrapMode(agent: ConfigScope): RebootstrapMode {
  const value = readString(agent, 'rebootstrap_mode');
  if (value === undefined || value === '') return 'never';
  if (value === 'never' || value === 'auto' || value === 'always') return value;
  throw new SpireConfigError(`${agent.path}.rebootstrap_mode`, value, 'expected "never", "auto" or "always"');
}

function readAgentExperimental(scope: ConfigScope): AgentConfig['experimental'] {
  const useSyncAuthorizedEntries = readBoolean(scope, 'use_sync_authorized_entries');
  return {
    syncInterval: readDuration(scope, 'sync_interval') ?? AGENT_DEFAULTS.syncInterval,
    ...(useSyncAuthorizedEntries === undefined ? {} : { useSyncAuthorizedEntries }),
  };
}

function findAgentUnknownKeys(root: ConfigScope, agent: ConfigScope): string[] {
  return [
    ...findUnknownKeys(root, AGENT_FILE_KEYS),
    ...findUnknownKeys(agent, AGENT_KEYS),
    ...findUnknownKeys(childScope(agent, 'experimental'), AGENT_EXPERIMENTAL_KEYS),
    ...findUnknownKeys(childScope(agent, 'sds'), AGENT_SDS_KEYS),
    ...findUnknownHealthCheckKeys(root),
  ];
}
