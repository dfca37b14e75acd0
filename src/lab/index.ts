/**
 * The lab: a simulated Kubernetes cluster with SPIRE on loopback, for running
 * spiffe-doctor with no cluster and for end-to-end tests.
 */
export { startLab, type LabHandle, type StartLabOptions } from './start-lab.js';
export { serveLab, type ServeLabOptions } from './serve-lab.js';
export { loadLabScenario, parseLabScenario, BUNDLED_SCENARIO_DIR, type LoadScenarioOptions } from './load-scenario.js';
export { listBundledScenarios, type BundledScenario } from './bundled-scenarios.js';
export type { LabExecBackend, LabExecRequest, LabExecResult } from './exec-backend.js';
export { createSimulatedExecBackend } from './simulated-exec-backend.js';
export { LabState, type LogLine } from './lab-state.js';
export type { LabScenario, LabSpire, LabAgent, LabRbac, LabForbiddenRule, LabObject } from './scenario-types.js';
