/**
 * The scenario's RBAC rules: requests that match a `forbidden` rule get the API
 * server's 403 Forbidden Status instead of a result.
 */
import { forbidden, type ResourceName } from './api-status.js';
import type { LabRbac } from './scenario-types.js';

/** The verb, resource and scope of one request, as RBAC checks them. */
export interface AccessRequest {
  readonly verb: string;
  readonly resource: ResourceName;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** Reports whether a scenario rule forbids `request`. */
export function isForbidden(rbac: LabRbac, request: AccessRequest): boolean {
  const resource = request.subresource ? `${request.resource.plural}/${request.subresource}` : request.resource.plural;
  return rbac.forbidden.some(
    (rule) => rule.verb === request.verb && rule.resource === resource && (rule.namespace === undefined || rule.namespace === request.namespace),
  );
}

/**
 * Raises the Forbidden Status when a scenario rule forbids `request`.
 * @throws ApiStatusError 403 Forbidden.
 */
export function authorize(rbac: LabRbac, request: AccessRequest): void {
  if (isForbidden(rbac, request)) throw forbidden({ user: rbac.user, ...request });
}
