/**
 * Loads the `.proto` files under `proto/` at run time with `@grpc/proto-loader`.
 *
 * The protos are not compiled into TypeScript, so messages arrive as plain objects
 * with the proto field names (`keepCase`), 64-bit integers as decimal strings, enums
 * as their names and `bytes` as `Buffer`s.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Options shared by every caller so that all services see the same message shapes. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** SPIRE Server API files (spire-api-sdk layout) plus the gRPC health service. */
export const SERVER_API_PROTO_FILES: readonly string[] = [
  'spire/api/server/agent/v1/agent.proto',
  'spire/api/server/bundle/v1/bundle.proto',
  'spire/api/server/debug/v1/debug.proto',
  'spire/api/server/entry/v1/entry.proto',
  'spire/api/server/svid/v1/svid.proto',
  'spire/api/server/trustdomain/v1/trustdomain.proto',
  'grpc/health/v1/health.proto',
];

/** Service constructors of the SPIRE Server API, usable as clients or with `server.addService`. */
export interface ServerApi {
  readonly Agent: grpc.ServiceClientConstructor;
  readonly Bundle: grpc.ServiceClientConstructor;
  readonly Debug: grpc.ServiceClientConstructor;
  readonly Entry: grpc.ServiceClientConstructor;
  readonly SVID: grpc.ServiceClientConstructor;
  readonly TrustDomain: grpc.ServiceClientConstructor;
  readonly Health: grpc.ServiceClientConstructor;
}

let protoRootCache: string | undefined;
let serverApiCache: ServerApi | undefined;

/**
 * Finds the `proto/` directory of the installed package by walking up from this
 * module, so the same code works from `src/` (vitest), `dist/` and a clean clone.
 */
export function findProtoRoot(): string {
  if (protoRootCache !== undefined) {
    return protoRootCache;
  }

  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(directory, 'proto');
    if (existsSync(join(directory, 'package.json')) && existsSync(candidate)) {
      protoRootCache = candidate;
      return candidate;
    }
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error(
        `proto directory not found above ${fileURLToPath(import.meta.url)}: reinstall spiffe-doctor so that its proto/ folder is present`,
      );
    }
    directory = parent;
  }
}

/**
 * Loads the given proto files (paths relative to `proto/`) and returns the gRPC
 * object tree, keyed by package name segments.
 */
export function loadProtoFiles(files: readonly string[]): grpc.GrpcObject {
  const definition = protoLoader.loadSync([...files], {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [findProtoRoot()],
  });
  return grpc.loadPackageDefinition(definition);
}

/** Loads (once per process) the SPIRE Server API services and the health service. */
export function loadServerApi(): ServerApi {
  if (serverApiCache !== undefined) {
    return serverApiCache;
  }

  const root = loadProtoFiles(SERVER_API_PROTO_FILES);
  serverApiCache = {
    Agent: serviceAt(root, 'spire.api.server.agent.v1.Agent'),
    Bundle: serviceAt(root, 'spire.api.server.bundle.v1.Bundle'),
    Debug: serviceAt(root, 'spire.api.server.debug.v1.Debug'),
    Entry: serviceAt(root, 'spire.api.server.entry.v1.Entry'),
    SVID: serviceAt(root, 'spire.api.server.svid.v1.SVID'),
    TrustDomain: serviceAt(root, 'spire.api.server.trustdomain.v1.TrustDomain'),
    Health: serviceAt(root, 'grpc.health.v1.Health'),
  };
  return serverApiCache;
}

/** Returns the service constructor at a fully qualified name such as `grpc.health.v1.Health`. */
export function serviceAt(root: grpc.GrpcObject, fullName: string): grpc.ServiceClientConstructor {
  let node: unknown = root;
  for (const segment of fullName.split('.')) {
    node = (node as Record<string, unknown> | undefined)?.[segment];
  }
  if (typeof node !== 'function' || !('service' in node)) {
    throw new Error(`gRPC service ${fullName} is missing from the loaded protos`);
  }
  return node as grpc.ServiceClientConstructor;
}
