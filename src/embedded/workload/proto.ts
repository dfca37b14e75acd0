/**
 * The SPIFFE Workload API definition (`proto/workload/workload.proto`), loaded at run
 * time for both the agent's server side and the client, and the message shapes that
 * `@grpc/proto-loader` decodes it to.
 */
import type * as grpc from '@grpc/grpc-js';
import { loadProtoFiles, serviceAt } from '../proto-loader.js';

/** The gRPC metadata key that every Workload API call must carry with the value `true`. */
export const WORKLOAD_API_HEADER = 'workload.spiffe.io';

let cachedConstructor: grpc.ServiceClientConstructor | undefined;

/** Loads (once per process) `proto/workload/workload.proto` and returns the `SpiffeWorkloadAPI` client constructor. */
export function workloadClientConstructor(): grpc.ServiceClientConstructor {
  cachedConstructor ??= serviceAt(loadProtoFiles(['workload/workload.proto']), 'SpiffeWorkloadAPI');
  return cachedConstructor;
}

/** Returns the `SpiffeWorkloadAPI` service definition, for `server.addService`. */
export function loadWorkloadService(): grpc.ServiceDefinition {
  return workloadClientConstructor().service;
}

/** Wire shapes of the Workload API messages as proto-loader decodes them. */
export interface X509SvidMessage {
  spiffe_id: string;
  x509_svid: Buffer;
  x509_svid_key: Buffer;
  bundle: Buffer;
  hint: string;
}

export interface X509SvidResponseMessage {
  svids: X509SvidMessage[];
  crl: Buffer[];
  federated_bundles: Record<string, Buffer>;
}

export interface X509BundlesResponseMessage {
  crl: Buffer[];
  bundles: Record<string, Buffer>;
}

export interface JwtSvidRequestMessage {
  audience: string[];
  spiffe_id: string;
}

export interface JwtSvidMessage {
  spiffe_id: string;
  svid: string;
  hint: string;
}

export interface JwtSvidResponseMessage {
  svids: JwtSvidMessage[];
}

export interface JwtBundlesResponseMessage {
  bundles: Record<string, Buffer>;
}

export interface ValidateJwtSvidRequestMessage {
  audience: string;
  svid: string;
}

/** `google.protobuf.Struct` as proto-loader represents it. */
export interface StructMessage {
  fields: Record<string, ValueMessage>;
}

export interface ListValueMessage {
  values: ValueMessage[];
}

export interface ValueMessage {
  kind?: 'nullValue' | 'numberValue' | 'stringValue' | 'boolValue' | 'structValue' | 'listValue';
  nullValue?: string | number;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: StructMessage;
  listValue?: ListValueMessage;
}

export interface ValidateJwtSvidResponseMessage {
  spiffe_id: string;
  claims: StructMessage | null;
}
