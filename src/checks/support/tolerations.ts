/**
 * Taint and toleration matching by the Kubernetes rules. A toleration matches a taint
 * when the effects agree (an empty effect matches all). With operator Exists the key
 * must be empty or equal, and with Equal (the default) key and value must be equal.
 * Only NoSchedule and NoExecute taints keep a DaemonSet pod off a node.
 */
import type { Taint, Toleration } from '../../evidence/kube-types.js';

function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect !== undefined && toleration.effect !== '' && toleration.effect !== taint.effect) {
    return false;
  }
  if (toleration.operator === 'Exists') {
    return toleration.key === undefined || toleration.key === '' || toleration.key === taint.key;
  }
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

/** Returns the node's scheduling taints that none of `tolerations` matches. */
export function findUntoleratedTaints(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined): Taint[] {
  const blocking = (taints ?? []).filter((taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute');
  return blocking.filter((taint) => !(tolerations ?? []).some((toleration) => tolerates(toleration, taint)));
}

/** Formats a taint as kubectl prints it: `key=value:Effect`. */
export function formatTaint(taint: Taint): string {
  return `${taint.key ?? ''}${taint.value ? `=${taint.value}` : ''}:${taint.effect ?? ''}`;
}
