/**
 * Reads the agent and server configuration from evidence without throwing: a config
 * SPIRE would reject is itself evidence, so the error text is kept for the finding
 * instead of aborting the diagnosis.
 */
import { readAgentConfig, readServerConfig, type AgentConfig, type ServerConfig } from '../../spire/config.js';
import { isUserError } from '../../errors.js';

export type ConfigRead<T> = { readonly config: T; readonly error?: undefined } | { readonly config?: undefined; readonly error: string };

function readSafely<T>(text: string, read: (text: string) => T): ConfigRead<T> {
  try {
    return { config: read(text) };
  } catch (error) {
    if (isUserError(error)) {
      return { error: error.message };
    }
    throw error;
  }
}

/** Reads agent.conf text; an invalid file gives its error message instead. */
export function readAgentConfigSafely(text: string): ConfigRead<AgentConfig> {
  return readSafely(text, readAgentConfig);
}

/** Reads server.conf text; an invalid file gives its error message instead. */
export function readServerConfigSafely(text: string): ConfigRead<ServerConfig> {
  return readSafely(text, readServerConfig);
}

/** Tells whether `agent.socket_path` is set in the file, rather than taken from SPIRE's default. */
export function isSocketPathSet(config: AgentConfig): boolean {
  const agent = config.raw.agent;
  return typeof agent === 'object' && agent !== null && !Array.isArray(agent) && 'socket_path' in agent;
}
