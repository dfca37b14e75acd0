/**
 * The embedded agent's settings, read from a SPIRE `agent.conf` (HCL). The embedded
 * agent supports the `join_token` node attestor, the `disk` and `memory` key managers
 * and the `unix` workload attestor. Other plugins are rejected with an error that names
 * them, because silently ignoring one would make the agent behave unlike the SPIRE agent
 * the file was written for.
 */
import { readFile } from 'node:fs/promises';
import { readAgentConfig, type AgentConfig } from '../../spire/config.js';
import type { SpirePluginConfig } from '../../spire/config-plugins.js';
import { AgentError } from './errors.js';
import { LOG_LEVELS, type LogLevel } from './logrus-logger.js';
import type { UnixAttestorConfig } from './unix-attestor.js';

/** Everything `startEmbeddedAgent` needs. */
export interface EmbeddedAgentConfig {
  readonly trustDomain: string;
  readonly serverAddress: string;
  readonly serverPort: number;
  /** Workload API socket path. */
  readonly socketPath: string;
  readonly dataDir: string;
  /** Required unless `data_dir` contains a still valid SVID from an earlier run. */
  readonly joinToken?: string;
  /** DER CA certificates to verify the server with; read from `trust_bundle_path` when loaded from a file. */
  readonly trustBundle?: readonly Buffer[];
  /** Trust the server's bundle without verifying it (`insecure_bootstrap`); conflicts with `trustBundle`. */
  readonly insecureBootstrap: boolean;
  readonly logLevel: LogLevel;
  /** `disk` keeps the agent key in `data_dir` so a restart reuses the SVID; `memory` does not. */
  readonly keyManager: 'disk' | 'memory';
  /** Present when `WorkloadAttestor "unix"` is configured. */
  readonly unixAttestor?: UnixAttestorConfig;
  /** Entry sync period in milliseconds; SPIRE's default is 5 s. */
  readonly syncIntervalMs: number;
  /** Serve bundles to callers without an identity (`allow_unauthenticated_verifiers`); default false. */
  readonly allowUnauthenticatedVerifiers: boolean;
  /** `log_selectors`: selector prefixes logged with `No identity issued`; default none. */
  readonly logSelectors?: readonly string[];
}

/** Reads `path` as agent.conf and returns the embedded agent's settings. */
export async function readEmbeddedAgentConfig(path: string): Promise<EmbeddedAgentConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AgentError(`could not read the agent configuration "${path}": ${(error as Error).message}`, {
      cause: error,
      suggestions: ['Pass the path of an existing agent.conf with -config.'],
    });
  }
  const config = readAgentConfig(text);
  return embeddedAgentConfigFrom(config, await readTrustBundle(config.trustBundlePath));
}

/** Checks a parsed agent.conf and converts it; `trustBundle` is the content of `trust_bundle_path`. */
export function embeddedAgentConfigFrom(config: AgentConfig, trustBundle: Buffer[] | undefined): EmbeddedAgentConfig {
  if (config.unknownKeys.length > 0) throw configError(`unknown configurations detected: ${config.unknownKeys.join(', ')}`, 'Remove or correct those keys.');
  const trustDomain = required(config.trustDomain, 'trust_domain');
  const serverAddress = required(config.serverAddress, 'server_address');
  const serverPort = required(config.serverPort, 'server_port');
  if (!trustBundle && !config.insecureBootstrap) {
    throw configError('trust_bundle_path or insecure_bootstrap must be configured', 'Set trust_bundle_path to the server bundle (`spiffe-doctor bundle show > bundle.pem`), or set insecure_bootstrap = true for a test setup.');
  }
  if (trustBundle && config.insecureBootstrap) throw configError('trust_bundle_path and insecure_bootstrap cannot both be set', 'Remove one of them.');

  const plugins = readPluginChoices(config.plugins);
  return {
    trustDomain,
    serverAddress,
    serverPort,
    socketPath: config.socketPath,
    dataDir: config.dataDir,
    ...(config.joinToken ? { joinToken: config.joinToken } : {}),
    ...(trustBundle ? { trustBundle } : {}),
    insecureBootstrap: config.insecureBootstrap,
    logLevel: readLevel(config.logLevel),
    keyManager: plugins.keyManager,
    ...(plugins.unixAttestor ? { unixAttestor: plugins.unixAttestor } : {}),
    syncIntervalMs: config.experimental.syncInterval,
    allowUnauthenticatedVerifiers: readAllowUnauthenticatedVerifiers(config),
    logSelectors: config.logSelectors,
  };
}

function readPluginChoices(plugins: readonly SpirePluginConfig[]): { keyManager: 'disk' | 'memory'; unixAttestor?: UnixAttestorConfig } {
  const enabled = plugins.filter((plugin) => plugin.enabled !== false);
  const byType = (type: string) => enabled.filter((plugin) => plugin.type === type);

  for (const plugin of byType('NodeAttestor')) {
    if (plugin.name !== 'join_token') throw unsupportedPlugin(plugin, 'join_token');
  }
  const keyManagers = byType('KeyManager');
  for (const plugin of keyManagers) {
    if (plugin.name !== 'disk' && plugin.name !== 'memory') throw unsupportedPlugin(plugin, 'disk or memory');
  }
  for (const plugin of byType('WorkloadAttestor')) {
    if (plugin.name !== 'unix') throw unsupportedPlugin(plugin, 'unix (the lab supplies k8s selectors itself)');
  }
  const unknownType = enabled.find((plugin) => !['NodeAttestor', 'KeyManager', 'WorkloadAttestor'].includes(plugin.type));
  if (unknownType) throw unsupportedPlugin(unknownType, 'NodeAttestor, KeyManager and WorkloadAttestor plugins');

  const unix = byType('WorkloadAttestor').find((plugin) => plugin.name === 'unix');
  return {
    keyManager: keyManagers[0]?.name === 'memory' ? 'memory' : 'disk',
    ...(unix ? { unixAttestor: unixAttestorConfig(unix.pluginData) } : {}),
  };
}

function unixAttestorConfig(data: Record<string, unknown>): UnixAttestorConfig {
  const discover = data.discover_workload_path;
  const sizeLimit = data.workload_size_limit;
  if (discover !== undefined && typeof discover !== 'boolean') throw configError(`WorkloadAttestor "unix": discover_workload_path = ${JSON.stringify(discover)} is not a boolean`, 'Set it to true or false.');
  if (sizeLimit !== undefined && typeof sizeLimit !== 'number') throw configError(`WorkloadAttestor "unix": workload_size_limit = ${JSON.stringify(sizeLimit)} is not a number`, 'Set it to a size in bytes.');
  return { discoverWorkloadPath: discover === true, workloadSizeLimit: sizeLimit ?? 0 };
}

function readLevel(level: string): LogLevel {
  const lower = level.toLowerCase() === 'warning' ? 'warn' : level.toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(lower)) return lower as LogLevel;
  throw configError(`log_level "${level}" is not one of DEBUG, INFO, WARN, ERROR`, 'Set log_level to one of those levels.');
}

function readAllowUnauthenticatedVerifiers(config: AgentConfig): boolean {
  const agent = config.raw.agent;
  const value = agent && typeof agent === 'object' && !Array.isArray(agent) ? (agent as Record<string, unknown>).allow_unauthenticated_verifiers : undefined;
  return value === true;
}

async function readTrustBundle(path: string | undefined): Promise<Buffer[] | undefined> {
  if (!path) return undefined;
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    throw configError(`could not read trust_bundle_path "${path}": ${(error as Error).message}`, 'Point trust_bundle_path at a PEM file with the server CA certificates.');
  }
  const certificates = [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((match) => Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64'));
  if (certificates.length === 0) throw configError(`trust_bundle_path "${path}" contains no PEM certificates`, 'Write the server bundle as PEM (`spiffe-doctor bundle show`).');
  return certificates;
}

function required<T>(value: T | undefined, key: string): T {
  if (value === undefined || value === '') throw configError(`${key} must be configured`, `Set ${key} in the agent block of agent.conf.`);
  return value;
}

function unsupportedPlugin(plugin: SpirePluginConfig, supported: string): AgentError {
  return configError(`${plugin.type} "${plugin.name}" is not supported by the embedded agent`, `Use ${supported}.`);
}

function configError(message: string, suggestion: string): AgentError {
  return new AgentError(`invalid agent configuration: ${message}`, { suggestions: [suggestion] });
}
