/**
 * Reconcile rule for ClusterStaticEntries.
 */
import { reconcilesClass, type ControllerManagerConfig } from './controller-manager-config.js';
import type { ClusterStaticEntry } from './controller-manager-resources.js';

/**
 * Reports whether the controller declares `entry`: static entries must be enabled in
 * `reconcile` and the entry's class must match, as for ClusterSPIFFEIDs.
 */
export function clusterStaticEntryReconciled(entry: ClusterStaticEntry, config: Pick<ControllerManagerConfig, 'className' | 'watchClassless' | 'reconcile'>): boolean {
  return config.reconcile.clusterStaticEntries && reconcilesClass(entry.className, config);
}
