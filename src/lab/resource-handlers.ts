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
  const labels = parseLabelSelector(query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(query.get('fieldSelector') ?? '', ['metadata.name', 'metadata.namespace', ...resource.extraFields]);
  return resource
    .items(scenario)
    .filter((item) => namespace === undefined || item.metadata.namespace === namespace)
    .filter((item) => matchesLabels(labels, item.metadata.labels))
    .filter((item) => matchesFields(fields, selectableFields(resource, item)));
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
 * from resource version "" or "0" or requests initial events, then the BOOKMARK that marks
 * the end of initial events when requested, and nothing else. The stream ends after `timeoutSeconds`, when
 * the client leaves or when `closed` resolves.
 */
export function serveWatch(resource: LabResource, items: readonly LabObject[], query: URLSearchParams, response: ServerResponse, closed: Promise<void>): void {
  response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  const startVersion = query.get('resourceVersion') ?? '';
  const initialEvents = query.get('sendInitialEvents') === 'true';
  if (initialEvents || startVersion === '' || startVersion === '0') {
    for (const item of items) response.write(`${JSON.stringify({ type: 'ADDED', object: withTypeMeta(resource, item) })}\n`);
  }
  if (initialEvents) {
    const bookmark = { kind: resource.kind, apiVersion: groupVersion(resource), metadata: { resourceVersion: LAB_RESOURCE_VERSION, annotations: { 'k8s.io/initial-events-end': 'true' } } };
    response.write(`${JSON.stringify({ type: 'BOOKMARK', object: bookmark })}\n`);
  }

  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');
  const timer = timeoutSeconds > 0 ? setTimeout(() => response.end(), timeoutSeconds * 1000) : undefined;
  const finish = () => {
    if (timer) clearTimeout(timer);
    if (!response.writableEnded) response.end();
  };
  response.on('close', finish);
  void closed.then(finish);
}
