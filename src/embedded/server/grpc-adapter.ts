/**
 * Turns the API handlers into grpc-js service implementations: it identifies the
 * caller from the transport, applies the method policy, and maps thrown errors to
 * gRPC statuses (logging the ones that are not API errors).
 */
import * as grpc from '@grpc/grpc-js';

import { ApiError, isApiError } from './api/api-error.js';
import { authorizeCall, detailsMetadata, identifyTlsCaller, policyFor, type Authorization } from './api/authorization.js';
import type { Caller, ServerContext } from './api/context.js';

/** `admin` is the Unix socket (every caller is local); `agent` is the TLS endpoint. */
export type Transport = 'admin' | 'agent';

export type UnaryHandler = (request: never, authorization: Authorization) => unknown;

function toServiceError(context: ServerContext, error: unknown, method: string): Partial<grpc.StatusObject> {
  if (isApiError(error)) {
    const metadata = detailsMetadata(error, grpc.Metadata);
    return { code: error.code, details: error.message, ...(metadata === undefined ? {} : { metadata }) };
  }
  context.logger.error('API handler failed', { method, error: (error as Error).message });
  return { code: grpc.status.INTERNAL, details: (error as Error).message };
}

function identifyCaller(context: ServerContext, transport: Transport, call: { getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } } }): Caller {
  if (transport === 'admin') {
    return { kind: 'local' };
  }
  const raw = call.getAuthContext().sslPeerCertificate?.raw;
  return identifyTlsCaller(context, raw);
}

/** Resolves and authorizes the caller of `fullMethod`; throws ApiError when denied. */
export function authorize(
  context: ServerContext,
  transport: Transport,
  call: { getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } } },
  service: string,
  method: string,
): Authorization {
  const fullMethod = `/${serviceName(service)}/${method}`;
  return authorizeCall(context, identifyCaller(context, transport, call), fullMethod, policyFor(service, method));
}

const PACKAGES: Readonly<Record<string, string>> = {
  Agent: 'spire.api.server.agent.v1.Agent',
  Bundle: 'spire.api.server.bundle.v1.Bundle',
  Debug: 'spire.api.server.debug.v1.Debug',
  Entry: 'spire.api.server.entry.v1.Entry',
  SVID: 'spire.api.server.svid.v1.SVID',
  TrustDomain: 'spire.api.server.trustdomain.v1.TrustDomain',
  Health: 'grpc.health.v1.Health',
};

function serviceName(service: string): string {
  return PACKAGES[service] ?? service;
}

/** Wraps unary handlers of one service into a grpc-js implementation for `transport`. */
export function adaptUnary(
  context: ServerContext,
  transport: Transport,
  service: string,
  handlers: Readonly<Record<string, UnaryHandler>>,
): grpc.UntypedServiceImplementation {
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [method, handler] of Object.entries(handlers)) {
    implementation[method] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      Promise.resolve()
        .then(() => handler(call.request as never, authorize(context, transport, call, service, method)))
        .then(
          (response) => callback(null, response),
          (error: unknown) => callback(toServiceError(context, error, method)),
        );
    };
  }
  return implementation;
}

/** Ends a server stream with an error status built like the unary ones. */
export function failStream(context: ServerContext, call: grpc.ServerDuplexStream<unknown, unknown>, error: unknown, method: string): void {
  call.emit('error', toServiceError(context, error, method));
}

export { ApiError };
