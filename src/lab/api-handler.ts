/**
 * The lab's HTTP request handler: bearer-token authentication, routing, RBAC and the
 * JSON or plain-text reply. Every error reply is a Kubernetes Status object. WebSocket
 * upgrades for exec are handled in `exec-upgrade.ts`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { badRequest, internalError, isApiStatusError, methodNotSupported, pathNotFound, unauthorized, type ApiStatusError } from './api-status.js';
import { resolveRoute, type LabRoute } from './api-routes.js';
import type { LabState } from './lab-state.js';
import { parseExecRequest, validateExecTarget } from './exec-request.js';
import { parsePodLogOptions, servePodLog } from './pod-logs.js';
import { authorize } from './rbac.js';
import { getObject, LAB_RESOURCE_VERSION, listBody, selectObjects, serveWatch } from './resource-handlers.js';
import type { LabResource } from './resources.js';
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
  const url = new URL(request.url ?? '/', 'http://lab.invalid');
  try {
    if (!isAuthenticated(request, context.token)) throw unauthorized();
    serveRoute(context, request, response, resolveRoute(url.pathname, context.serverAddress), url.searchParams);
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
    serveWatch(route.resource, items, query, response, context.closed);
    return;
  }
  writeObjects(request, response, route.resource, items, listBody(route.resource, items), context.state.now());
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
