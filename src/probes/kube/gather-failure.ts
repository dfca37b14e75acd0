/**
 * Gather-error text for a failed probe. A 403 names the RBAC permission to grant, since
 * missing permission is a finding the user can act on, not a crash.
 */
import { isProbeTimeoutError } from '../errors.js';
import { isKubeApiError, isKubeUnreachableError } from './errors.js';

/** The RBAC permission a probe needs: a verb on a resource (or subresource such as `pods/exec`). */
export interface Permission {
  readonly verb: string;
  readonly resource: string;
  /** Undefined for cluster-scoped resources. */
  readonly namespace?: string;
}

/** Describes why a probe failed, in one line for `gatherErrors`. */
export function describeGatherFailure(error: unknown, permission: Permission): string {
  if (isProbeTimeoutError(error)) return error.message;
  if (isKubeUnreachableError(error)) return error.message;
  if (!isKubeApiError(error)) return `failed: ${error instanceof Error ? error.message : String(error)}`;

  const serverMessage = error.status?.message;
  const suffix = serverMessage ? ` (${serverMessage})` : '';
  if (error.code === 403) return `forbidden: grant ${describePermission(permission)}${suffix}`;
  if (error.code === 404) return `not found${suffix}`;
  if (error.code === 401) return 'unauthorized: the API server rejected the credentials';
  return `failed with HTTP ${error.code}${suffix}`;
}

/** Formats a permission the way an operator writes it in a Role: `pods/exec in namespace shop`, `get on nodes (cluster-wide)`. */
export function describePermission(permission: Permission): string {
  const what = permission.resource.includes('/') ? permission.resource : `${permission.verb} on ${permission.resource}`;
  return permission.namespace === undefined ? `${what} (cluster-wide)` : `${what} in namespace ${permission.namespace}`;
}
