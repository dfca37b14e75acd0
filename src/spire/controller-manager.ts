/**
 * The SPIRE Controller Manager: its config file, its ClusterSPIFFEID and
 * ClusterStaticEntry resources, which pods a ClusterSPIFFEID selects and the entry it
 * declares for each. This module gathers the exports of the modules behind it.
 */
export {
  DEFAULT_IGNORE_NAMESPACES,
  compileGoPattern,
  namespaceIgnoredBy,
  readControllerManagerConfig,
  reconcilesClass,
  type ControllerManagerConfig,
} from './controller-manager-config.js';
export { DEFAULT_PARENT_ID_TEMPLATE, expectedEntryForPod, renderSpiffeIdTemplate, type EntryRenderFailure, type ExpectedPodEntry } from './controller-manager-entry.js';
export { ControllerManagerConfigError, isControllerManagerConfigError } from './controller-manager-errors.js';
export {
  readClusterSpiffeId,
  readClusterStaticEntry,
  toClusterSpiffeId,
  type ClusterSpiffeId,
  type ClusterSpiffeIdSpec,
  type ClusterSpiffeIdStats,
  type ClusterStaticEntry,
} from './controller-manager-resources.js';
export { clusterSpiffeIdSelectsPod, describeMismatches, type SelectionOptions, type SelectionResult } from './controller-manager-selection.js';
export { clusterStaticEntryReconciled } from './controller-manager-static.js';
export {
  findLabelMismatches,
  formatLabelSelector,
  labelSelectorMatches,
  validateLabelSelector,
  type LabelMismatch,
  type LabelSelector,
  type LabelSelectorRequirement,
} from './label-selector.js';
