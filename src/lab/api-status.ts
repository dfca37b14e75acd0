/**
 * Kubernetes `Status` objects for the lab's error replies, with the reasons, codes and
 * message formats the real API server uses (apimachinery `pkg/api/errors` and apiserver
 * `responsewriters` in Kubernetes 1.30).
 */

/** A meta/v1 Status as the API server sends it. */
export interface KubeStatus {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message: string;
  readonly reason: string;
  readonly details?: {
    readonly name?: string;
    readonly group?: string;
    readonly kind?: string;
    readonly causes?: readonly { readonly reason: string; readonly message: string; readonly field: string }[];
  };
  readonly code: number;
}

/** An error the lab returns as a Status body with its HTTP code. */
export class ApiStatusError extends Error {
  override readonly name: string = 'ApiStatusError';
  readonly status: KubeStatus;

  constructor(status: KubeStatus) {
    super(status.message);
    this.status = status;
  }
}

/** Tells whether `value` is an {@link ApiStatusError}. */
export function isApiStatusError(value: unknown): value is ApiStatusError {
  return value instanceof ApiStatusError;
}

/** A resource as Status messages name it: plural and API group (empty for core). */
export interface ResourceName {
  readonly plural: string;
  readonly group: string;
}

function failure(code: number, reason: string, message: string, details?: KubeStatus['details']): ApiStatusError {
  return new ApiStatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

function qualified(resource: ResourceName): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}

/** Builds 404 NotFound: `pods "web-0" not found`, with the plural in `details.kind` as the real server sends it. */
export function notFound(resource: ResourceName, name: string): ApiStatusError {
  return failure(404, 'NotFound', `${qualified(resource)} "${name}" not found`, { name, group: resource.group, kind: resource.plural });
}

/** 404 NotFound for a path the lab does not serve. */
export function pathNotFound(): ApiStatusError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** The request a Forbidden message describes. */
export interface ForbiddenRequest {
  readonly user: string;
  readonly verb: string;
  readonly resource: ResourceName;
  /** Subresource such as `log` or `exec`. */
  readonly subresource?: string;
  readonly name?: string;
  readonly namespace?: string;
}

/**
 * 403 Forbidden with the apiserver's message: `pods "web" is forbidden: User "u" cannot
 * create resource "pods/exec" in API group "" in the namespace "shop"`. The name part is
 * dropped for lists and the scope reads `at the cluster scope` without a namespace.
 */
export function forbidden(request: ForbiddenRequest): ApiStatusError {
  const subject = request.name ? `${qualified(request.resource)} "${request.name}"` : qualified(request.resource);
  const resource = request.subresource ? `${request.resource.plural}/${request.subresource}` : request.resource.plural;
  const scope = request.namespace ? `in the namespace "${request.namespace}"` : 'at the cluster scope';
  const message = `${subject} is forbidden: User "${request.user}" cannot ${request.verb} resource "${resource}" in API group "${request.resource.group}" ${scope}`;
  return failure(403, 'Forbidden', message, { ...(request.name ? { name: request.name } : {}), group: request.resource.group, kind: request.resource.plural });
}

/** 401 Unauthorized, sent when the bearer token is missing or wrong. */
export function unauthorized(): ApiStatusError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

/** 400 BadRequest with `message`. */
export function badRequest(message: string): ApiStatusError {
  return failure(400, 'BadRequest', message);
}

/** 405 MethodNotAllowed for write requests against the read-only lab. */
export function methodNotSupported(method: string): ApiStatusError {
  return failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);
}

/** 500 InternalError with the apiserver's `Internal error occurred:` prefix. */
export function internalError(message: string): ApiStatusError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`);
}

/** One invalid field of an object, for {@link invalid}. */
export interface FieldProblem {
  /** Path such as `spec.ephemeralContainers[0].image`. */
  readonly field: string;
  /** Cause reason such as `FieldValueRequired`. */
  readonly reason: string;
  /** Text such as `Required value`. */
  readonly message: string;
}

/**
 * Builds 422 Invalid: `Pod "web-0" is invalid: <field>: <message>`. Unlike NotFound, the
 * real server puts the Kind, not the plural, in `details.kind`.
 */
export function invalid(kind: string, name: string, problems: readonly FieldProblem[]): ApiStatusError {
  const summary = problems.map((problem) => `${problem.field}: ${problem.message}`).join(', ');
  const message = problems.length === 1 ? `${kind} "${name}" is invalid: ${summary}` : `${kind} "${name}" is invalid: [${summary}]`;
  return failure(422, 'Invalid', message, { name, kind, causes: problems.map((problem) => ({ reason: problem.reason, message: problem.message, field: problem.field })) });
}

/** Builds 415 UnsupportedMediaType for a patch body type the lab does not read. */
export function unsupportedPatchType(contentType: string): ApiStatusError {
  return failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format (${contentType}) - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json`,
  );
}

/** Builds 413 RequestEntityTooLarge for a body over `limit` bytes. */
export function requestTooLarge(limit: number): ApiStatusError {
  return failure(413, 'RequestEntityTooLarge', `the request body is larger than the lab's limit of ${limit} bytes`);
}
