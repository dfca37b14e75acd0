/**
 * SPIRE agent and server logs: parsing (text and JSON formats), classification of the
 * known messages into typed events, and a per-PID summary of agent logs. See the
 * modules below for each step; this module gathers their exports.
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
export { summarizeAgentLog, type AgentLogSummary, type LoggedEntry, type PidLogFacts } from './log-summary.js';
