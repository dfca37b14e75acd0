/**
 * Maps a request path to what the lab serves there, following the API server's URL
 * layout: `/api/v1/...` for the core group, `/apis/<group>/<version>/...` for others,
 * and `namespaces/<ns>/<plural>[/<name>[/<subresource>]]` for namespaced resources.
 */
import { coreVersionsDocument, findGroupDocument, findResourceListDocument, groupListDocument, versionDocument } from './discovery.js';
import { findResource, type LabResource } from './resources.js';

/** The target of a request path. */
export type LabRoute =
  | { readonly kind: 'document'; readonly body: Record<string, unknown> }
  | { readonly kind: 'collection'; readonly resource: LabResource; readonly namespace?: string }
  | { readonly kind: 'object'; readonly resource: LabResource; readonly namespace?: string; readonly name: string }
  | { readonly kind: 'subresource'; readonly subresource: PodSubresource; readonly namespace: string; readonly name: string }
  | { readonly kind: 'unknown' };

/** Pod subresources the lab serves. */
export type PodSubresource = 'log' | 'exec' | 'ephemeralcontainers';

const POD_SUBRESOURCES: readonly string[] = ['log', 'exec', 'ephemeralcontainers'] satisfies readonly PodSubresource[];

const UNKNOWN: LabRoute = { kind: 'unknown' };

/** Resolves `pathname`; `serverAddress` (host:port) goes into the `/api` document. */
export function resolveRoute(pathname: string, serverAddress: string): LabRoute {
  const segments = pathname.split('/').filter((segment) => segment !== '').map(decodeURIComponent);
  const [root, ...rest] = segments;

  if (root === 'version' && rest.length === 0) return { kind: 'document', body: versionDocument() };
  if (root === 'api') return resolveCore(rest, serverAddress);
  if (root === 'apis') return resolveGroup(rest);
  return UNKNOWN;
}

function resolveCore(rest: readonly string[], serverAddress: string): LabRoute {
  if (rest.length === 0) return { kind: 'document', body: coreVersionsDocument(serverAddress) };
  const [version, ...resourcePath] = rest;
  if (version !== 'v1') return UNKNOWN;
  return resolveResourcePath('', 'v1', resourcePath);
}

function resolveGroup(rest: readonly string[]): LabRoute {
  if (rest.length === 0) return { kind: 'document', body: groupListDocument() };
  const [group = '', version, ...resourcePath] = rest;
  if (version === undefined) {
    const body = findGroupDocument(group);
    return body ? { kind: 'document', body } : UNKNOWN;
  }
  return resolveResourcePath(group, version, resourcePath);
}

function resolveResourcePath(group: string, version: string, path: readonly string[]): LabRoute {
  if (path.length === 0) {
    const body = findResourceListDocument(group, version);
    return body ? { kind: 'document', body } : UNKNOWN;
  }
  const [first = '', second, third, fourth, fifth, ...extra] = path;
  if (extra.length > 0) return UNKNOWN;

  if (first === 'namespaces' && second !== undefined && third !== undefined) {
    return resolveNamespaced(group, version, second, third, fourth, fifth);
  }
  if (third !== undefined) return UNKNOWN;

  const resource = findResource(group, version, first);
  if (!resource) return UNKNOWN;
  if (second === undefined) return { kind: 'collection', resource };
  return resource.namespaced ? UNKNOWN : { kind: 'object', resource, name: second };
}

function resolveNamespaced(group: string, version: string, namespace: string, plural: string, name?: string, subresource?: string): LabRoute {
  const resource = findResource(group, version, plural);
  if (!resource?.namespaced) return UNKNOWN;
  if (name === undefined) return { kind: 'collection', resource, namespace };
  if (subresource === undefined) return { kind: 'object', resource, namespace, name };
  if (plural === 'pods' && POD_SUBRESOURCES.includes(subresource)) return { kind: 'subresource', subresource: subresource as PodSubresource, namespace, name };
  return UNKNOWN;
}
