/**
 * SPIRE agent and server configuration files as typed values. See the modules below
 * for each part; this module gathers their exports.
 */
export { AGENT_DEFAULTS, readAgentConfig, type AgentConfig, type RebootstrapMode } from './config-agent.js';
export type { SpireLogFormat } from './config-common.js';
export { formatGoDuration, parseGoDuration } from './config-duration.js';
export { SpireConfigError, isSpireConfigError } from './config-errors.js';
export {
  readK8sPsatAgentConfig,
  readK8sPsatServerConfig,
  readK8sWorkloadAttestorConfig,
  type K8sPsatAgentConfig,
  type K8sPsatClusterConfig,
  type K8sPsatServerConfig,
  type K8sWorkloadAttestorConfig,
} from './config-k8s.js';
export { findPlugin, readPlugins, type SpirePluginConfig } from './config-plugins.js';
export { SERVER_DEFAULTS, readServerConfig, type FederatesWithConfig, type ServerConfig } from './config-server.js';
