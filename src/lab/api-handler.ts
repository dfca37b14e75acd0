/**
 * The lab's HTTP request handler: bearer-token authentication, routing, RBAC and the
 * JSON or plain-text reply. Every error reply is a Kubernetes Status object. WebSocket
 * upgrades for exec are handled in `exec-upgrade.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { badRequest, internalError, isApiStatusError, methodNotSupported, pathNotFound, requestTooLarge, unauthorized, type ApiStatusError } from './api-status.js';
import { resolveRoute, type LabRoute } from './api-routes.js';
import type { LabState } from './lab-state.js';
import { parseExecRequest, validateExecTarget } from './exec-request.js';
import { parsePodLogOptions, servePodLog } from './pod-logs.js';
import { authorize } from './rbac.js';
import { addEphemeralContainers } from './ephemeral-containers.js';
import type { LabExecBackend } from './exec-backend.js';
import { getObject, LAB_RESOURCE_VERSION, listBody, objectMatcher, selectObjects, serveWatch, withTypeMeta, type ChangeSubscription } from './resource-handlers.js';
import { findResource, type LabResource } from './resources.js';
import type { LabObject } from './scenario-types.js';
import { acceptsTable, buildTable, TABLE_CONTENT_TYPE } from './table.js';

/** State, token and lifetime of the running lab, shared by the request handlers. */
export interface LabApiContext {
  readonly state: LabState;
  readonly token: string;
  /** `host:port` the server listens on, for the `/api` document. */
  readonly serverAddress: string;
  /** Resolves when the lab stops, so open streams end. */
  readonly closed: Promise<void>;
  readonly logger: Logger;
  /** Runs exec commands and the commands of ephemeral containers. */
  readonly backend: LabExecBackend;
}

/** Reports whether the request carries the lab's bearer token. */
export function isAuthenticated(request: IncomingMessage, token: string): boolean {
  return request.headers.authorization === `Bearer ${token}`;
}

/** Writes a Status error reply. */
export function writeStatus(response: ServerResponse, error: ApiStatusError): void {
  writeJson(response, error.status.code, error.status);
}

function writeJson(response: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  response.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

/** Writes `objects` as a Table when the client asks for one and the lab prints this resource, else writes `body`. */
function writeObjects(request: IncomingMessage, response: ServerResponse, resource: LabResource, objects: readonly LabObject[], body: unknown, now: Date): void {
  const table = acceptsTable(request.headers.accept) ? buildTable(resource, objects, LAB_RESOURCE_VERSION, now) : undefined;
  if (table) writeJson(response, 200, table, TABLE_CONTENT_TYPE);
  else writeJson(response, 200, body);
}

/** Handles one non-upgrade request. */
export function handleApiRequest(context: LabApiContext, request: IncomingMessage, response: ServerResponse): void {
  void serveRequest(context, request, response);
}

async function serveRequest(context: LabApiContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://lab.invalid');
  try {
    if (!isAuthenticated(request, context.token)) throw unauthorized();
    const route = resolveRoute(url.pathname, context.serverAddress);
    if (route.kind === 'subresource' && route.subresource === 'ephemeralcontainers') {
      await serveEphemeralContainers(context, request, response, route.namespace, route.name);
      return;
    }
    serveRoute(context, request, response, route, url.searchParams);
  } catch (error) {
    if (isApiStatusError(error)) {
      context.logger.debug('Request rejected', { method: request.method, path: url.pathname, code: error.status.code, reason: error.status.reason });
      writeStatus(response, error);
      return;
    }
    context.logger.error('Request failed', { method: request.method, path: url.pathname, error: (error as Error).message });
    writeStatus(response, internalError((error as Error).message));
  }
}

function serveRoute(context: LabApiContext, request: IncomingMessage, response: ServerResponse, route: LabRoute, query: URLSearchParams): void {
  const method = request.method ?? 'GET';
  if (route.kind === 'unknown') throw pathNotFound();
  if (route.kind === 'subresource' && route.subresource === 'exec') {
    serveExecWithoutUpgrade(context, route.namespace, route.name, query, method);
    return;
  }
  if (method !== 'GET') throw methodNotSupported(method);

  const { scenario } = context.state;
  const { rbac } = scenario;
  switch (route.kind) {
    case 'document':
      writeJson(response, 200, route.body);
      return;
    case 'subresource':
      // Exec and ephemeral containers are served before this switch, so only logs remain.
      authorize(rbac, { verb: 'get', resource: { plural: 'pods', group: '' }, subresource: 'log', namespace: route.namespace, name: route.name });
      servePodLog(context.state, route.namespace, route.name, parsePodLogOptions(query), response, context.closed);
      return;
    case 'object': {
      authorize(rbac, { verb: 'get', resource: route.resource, namespace: route.namespace, name: route.name });
      const object = getObject(scenario, route.resource, route.name, route.namespace);
      writeObjects(request, response, route.resource, [object], object, context.state.now());
      return;
    }
    case 'collection':
      serveCollection(context, request, response, route, query);
      return;
  }
}

function serveCollection(context: LabApiContext, request: IncomingMessage, response: ServerResponse, route: Extract<LabRoute, { kind: 'collection' }>, query: URLSearchParams): void {
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  authorize(context.state.scenario.rbac, { verb: watch ? 'watch' : 'list', resource: route.resource, namespace: route.namespace });
  const items = selectObjects(context.state.scenario, route.resource, query, route.namespace);
  if (watch) {
    const matches = objectMatcher(route.resource, query, route.namespace);
    serveWatch({ resource: route.resource, items, matches, subscribe: route.resource.plural === 'pods' ? subscribeToPods(context) : undefined }, query, response, context.closed);
    return;
  }
  writeObjects(request, response, route.resource, items, listBody(route.resource, items), context.state.now());
}

/** Builds the change subscription for pods, which change when ephemeral containers are added and run. */
function subscribeToPods(context: LabApiContext): ChangeSubscription {
  return (listener) => {
    context.state.podEvents.on('pod', listener);
    return () => context.state.podEvents.off('pod', listener);
  };
}

/**
 * Serves `pods/<name>/ephemeralcontainers`: GET returns the pod, PATCH adds ephemeral
 * containers and returns the updated pod.
 */
async function serveEphemeralContainers(context: LabApiContext, request: IncomingMessage, response: ServerResponse, namespace: string, name: string): Promise<void> {
  const method = request.method ?? 'GET';
  const target = { resource: { plural: 'pods', group: '' }, subresource: 'ephemeralcontainers', namespace, name };
  const pods = findResource('', 'v1', 'pods') as LabResource;
  if (method === 'GET') {
    authorize(context.state.scenario.rbac, { verb: 'get', ...target });
    writeJson(response, 200, getObject(context.state.scenario, pods, name, namespace));
    return;
  }
  if (method !== 'PATCH') throw methodNotSupported(method);

  authorize(context.state.scenario.rbac, { verb: 'patch', ...target });
  const body = await readBody(request);
  const pod = addEphemeralContainers(context.state, context.backend, context.logger, { namespace, pod: name, contentType: request.headers['content-type'] ?? '', body });
  context.logger.debug('Ephemeral containers patched', { namespace, pod: name });
  writeJson(response, 200, withTypeMeta(pods, pod));
}

/** Largest request body the lab reads: 1 MiB, far above any patch a client sends. */
const MAX_BODY_BYTES = 1 << 20;

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw requestTooLarge(MAX_BODY_BYTES);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Rejects an exec request that is not a WebSocket upgrade, such as kubectl's SPDY
 * fallback POST. It runs the same pre-upgrade checks as the WebSocket path, then returns
 * 400 and never 101, because the lab speaks only the WebSocket channel protocol.
 */
function serveExecWithoutUpgrade(context: LabApiContext, namespace: string, name: string, query: URLSearchParams, method: string): void {
  if (method !== 'GET' && method !== 'POST') throw methodNotSupported(method);
  const exec = parseExecRequest(namespace, name, query);
  validateExecTarget(context.state, exec);
  throw badRequest('Upgrade request required: the lab serves exec over WebSocket (v5.channel.k8s.io or v4.channel.k8s.io) only');
}
