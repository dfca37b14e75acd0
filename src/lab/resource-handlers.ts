/**
 * Read requests on resources: get one object, list a collection with label and field
 * selectors, and watch a collection. The lab's objects never change, so a watch only
 * replays existing objects when the client asks for them and then stays open.
 */
import type { ServerResponse } from 'node:http';
import { notFound } from './api-status.js';
import { matchesFields, parseFieldSelector } from './field-selector.js';
import { matchesLabels, parseLabelSelector } from './label-selector.js';
import { groupVersion, selectableFields, type LabResource } from './resources.js';
import type { LabObject, LabScenario } from './scenario-types.js';

/** Resource version of every list; the lab's objects never change. */
export const LAB_RESOURCE_VERSION = '1000';

/** Returns `object` with `kind` and `apiVersion` set, as a get returns it. */
export function withTypeMeta(resource: LabResource, object: LabObject): LabObject {
  return { ...object, kind: resource.kind, apiVersion: groupVersion(resource) };
}

/**
 * Returns one object.
 * @throws ApiStatusError 404 NotFound.
 */
export function getObject(scenario: LabScenario, resource: LabResource, name: string, namespace?: string): LabObject {
  const object = resource.items(scenario).find((item) => item.metadata.name === name && (namespace === undefined || item.metadata.namespace === namespace));
  if (!object) throw notFound({ plural: resource.plural, group: resource.group }, name);
  return withTypeMeta(resource, object);
}

/**
 * Returns the objects in `namespace` (every namespace when absent) that match the
 * `labelSelector` and `fieldSelector` query parameters.
 * @throws ApiStatusError 400 BadRequest for a malformed selector or an unknown field.
 */
export function selectObjects(scenario: LabScenario, resource: LabResource, query: URLSearchParams, namespace?: string): LabObject[] {
  return resource.items(scenario).filter(objectMatcher(resource, query, namespace));
}

/**
 * Builds the test a list or watch applies to each object: in `namespace` (any when
 * absent) and matching the `labelSelector` and `fieldSelector` query parameters.
 * @throws ApiStatusError 400 BadRequest for a malformed selector or an unknown field.
 */
export function objectMatcher(resource: LabResource, query: URLSearchParams, namespace?: string): (object: LabObject) => boolean {
  const labels = parseLabelSelector(query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(query.get('fieldSelector') ?? '', ['metadata.name', 'metadata.namespace', ...resource.extraFields]);
  return (object) =>
    (namespace === undefined || object.metadata.namespace === namespace) &&
    matchesLabels(labels, object.metadata.labels) &&
    matchesFields(fields, selectableFields(resource, object));
}

/** Registers a listener for changed objects and returns the function that removes it. */
export type ChangeSubscription = (listener: (object: LabObject) => void) => () => void;

/** Input of a watch: the resource, its current matching objects and a source of later changes. */
export interface WatchSource {
  readonly resource: LabResource;
  readonly items: readonly LabObject[];
  /** Tests whether a changed object belongs to this watch. */
  readonly matches: (object: LabObject) => boolean;
  /** Subscribes to changes; absent for resources that never change. */
  readonly subscribe?: ChangeSubscription;
}

/** Builds the list body: `<Kind>List` with `metadata.resourceVersion`. */
export function listBody(resource: LabResource, items: readonly LabObject[]): Record<string, unknown> {
  return {
    kind: `${resource.kind}List`,
    apiVersion: groupVersion(resource),
    metadata: { resourceVersion: LAB_RESOURCE_VERSION },
    items: items.map((item) => (resource.itemsCarryKind ? withTypeMeta(resource, item) : stripTypeMeta(item))),
  };
}

function stripTypeMeta(object: LabObject): LabObject {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
  return rest as LabObject;
}

/**
 * Streams a watch. It sends ADDED events for existing objects when the client starts
 * from resource version "" or "0" or requests initial events, then the BOOKMARK that
 * marks the end of initial events when requested. After that it sends a MODIFIED event
 * for each matching object that changes. The stream ends after `timeoutSeconds`, when the
 * client leaves or when `closed` resolves.
 */
export function serveWatch(source: WatchSource, query: URLSearchParams, response: ServerResponse, closed: Promise<void>): void {
  const { resource } = source;
  const send = (type: string, object: unknown) => response.write(`${JSON.stringify({ type, object })}\n`);
  response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  // Clients wait for the headers before they read events, and an idle watch may send none for a long time.
  response.flushHeaders();
  const startVersion = query.get('resourceVersion') ?? '';
  const initialEvents = query.get('sendInitialEvents') === 'true';
  if (initialEvents || startVersion === '' || startVersion === '0') {
    for (const item of source.items) send('ADDED', withTypeMeta(resource, item));
  }
  if (initialEvents) {
    send('BOOKMARK', { kind: resource.kind, apiVersion: groupVersion(resource), metadata: { resourceVersion: LAB_RESOURCE_VERSION, annotations: { 'k8s.io/initial-events-end': 'true' } } });
  }
  const unsubscribe = source.subscribe?.((object) => {
    if (source.matches(object)) send('MODIFIED', withTypeMeta(resource, object));
  });

  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');
  const timer = timeoutSeconds > 0 ? setTimeout(() => response.end(), timeoutSeconds * 1000) : undefined;
  const finish = () => {
    if (timer) clearTimeout(timer);
    unsubscribe?.();
    if (!response.writableEnded) response.end();
  };
  response.on('close', finish);
  void closed.then(finish);
}
