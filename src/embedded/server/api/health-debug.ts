/**
 * The gRPC health service and the Debug service, both served on the Unix socket only.
 * Health follows SPIRE 1.15: SERVING while the server's own bundle is in the
 * datastore, and only the overall service ("") can be asked about.
 */
import { X509Certificate } from 'node:crypto';

import { status as Status } from '@grpc/grpc-js';

import { ApiError } from './api-error.js';
import type { ServerContext } from './context.js';
import { toSpiffeIdMessage } from './convert.js';

export function createHealthHandlers(context: ServerContext) {
  return {
    Check(request: { service: string }) {
      if (request.service !== '') throw new ApiError(Status.INVALID_ARGUMENT, 'per-service health is not supported');
      if (context.datastore.findBundle(context.config.trustDomain) === undefined) {
        context.logger.warn('Health check failed', { reason: 'trust domain bundle not found' });
        return { status: 'NOT_SERVING' };
      }
      return { status: 'SERVING' };
    },
  };
}

export function createDebugHandlers(context: ServerContext) {
  return {
    GetInfo() {
      const chain = [...context.serverSvidChain(), context.ca.current.certificateDer].map((der) => new X509Certificate(der));
      return {
        svid_chain: chain.map((certificate) => ({
          id: toSpiffeIdMessage(uriSanOf(certificate)),
          expires_at: String(Math.floor(new Date(certificate.validTo).getTime() / 1000)),
          subject: certificate.subject.split('\n').reverse().join(','),
        })),
        uptime: Math.floor((context.now().getTime() - context.startedAt.getTime()) / 1000),
        agents_count: context.datastore.listNodes().length,
        federated_bundles_count: context.datastore.listBundles().length - 1,
        entries_count: context.datastore.countEntries(),
      };
    },
  };
}

function uriSanOf(certificate: X509Certificate): string {
  const uri = (certificate.subjectAltName ?? '').split(', ').find((name) => name.startsWith('URI:'));
  return uri === undefined ? '' : uri.slice('URI:'.length);
}
