/**
 * SPIRE agent and server logs: parsing (text, JSON and terminal formats), classification
 * of the known messages into typed events, a per-PID summary of agent logs and a
 * summary of server logs. This module gathers the exports of the modules behind it.
 */
export { classifySpireLog } from './log-classify.js';
export {
  findErrorProblem,
  findFailedAttestor,
  findGrpcStatus,
  findKubeletFailure,
  type KubeletFailure,
  type LoggedErrorProblem,
  type LoggedGrpcStatus,
} from './log-error-text.js';
export type * from './log-events.js';
export { parseSpireLogLine, parseSpireLogLines, type SpireLogLevel, type SpireLogRecord } from './log-line.js';
export { parseLoggedSelectors } from './log-selectors.js';
export { summarizeServerLog, type FederationLogFacts, type ServerLogSummary } from './log-server-summary.js';
export { summarizeAgentLog, type AgentLogSummary, type LoggedEntry, type PidLogFacts } from './log-summary.js';
