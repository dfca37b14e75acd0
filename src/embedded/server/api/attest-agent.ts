/**
 * Node attestation over the AttestAgent stream. Only join tokens are implemented,
 * with SPIRE 1.15's checks and messages. The token is deleted before its expiry is
 * checked, so a token can be used once, even when that attempt fails.
 */
import { status as Status } from '@grpc/grpc-js';

import { joinTokenAgentId } from '../../../spire/agent-ids.js';
import { isBanned } from '../records.js';
import { ApiError } from './api-error.js';
import { serialOf, signAgentSvid } from './agent-service.js';
import type { ServerContext } from './context.js';
import { toSpiffeIdMessage } from './convert.js';

interface AttestRequest {
  step?: string;
  params?: {
    data?: { type: string; payload: Buffer } | null;
    params?: { csr: Buffer } | null;
  } | null;
  challenge_response?: Buffer;
}

function malformed(problem: string): ApiError {
  return new ApiError(Status.INVALID_ARGUMENT, `malformed param: ${problem}`);
}

/** Attests an agent from the first AttestAgent request and returns the response carrying its SVID. */
export function attestAgent(context: ServerContext, request: AttestRequest) {
  const params = request.params;
  if (params === null || params === undefined) throw malformed('missing params');
  if (params.data === null || params.data === undefined) throw malformed('missing attestation data');
  if (params.params === null || params.params === undefined) throw malformed('missing X509-SVID parameters');
  if (params.params.csr.length === 0) throw malformed('missing CSR');
  if (params.data.type === '') throw malformed('missing attestation data type');
  if (params.data.payload.length === 0) throw malformed('missing attestation data payload');
  if (params.data.type !== 'join_token') {
    throw new ApiError(Status.FAILED_PRECONDITION, `error getting node attestor: could not find node attestor type "${params.data.type}"`);
  }

  const agentId = attestJoinToken(context, params.data.payload.toString('utf8'));
  const existing = context.datastore.findNode(agentId);
  if (existing !== undefined && isBanned(existing)) {
    throw new ApiError(Status.PERMISSION_DENIED, 'failed to attest: agent is banned');
  }

  const svid = signAgentSvid(context, agentId, params.params.csr);
  context.datastore.saveNode({
    spiffeId: agentId,
    attestationType: 'join_token',
    serialNumber: serialOf(svid.certChain[0]!),
    expiresAt: svid.expiresAt,
    newSerialNumber: '',
    newExpiresAt: 0,
    canReattest: false,
    agentVersion: existing?.agentVersion ?? '',
    selectors: [],
  });
  context.logger.info('Agent attestation request completed', { agent_id: agentId, node_attestor_type: 'join_token' });

  return {
    result: {
      svid: { cert_chain: svid.certChain, id: toSpiffeIdMessage(agentId), expires_at: String(svid.expiresAt), hint: '' },
      reattestable: false,
    },
  };
}

function attestJoinToken(context: ServerContext, token: string): string {
  const expiresAt = context.datastore.takeJoinToken(token);
  if (expiresAt === undefined) {
    throw new ApiError(Status.INVALID_ARGUMENT, 'failed to attest: join token does not exist or has already been used');
  }
  if (expiresAt * 1000 < context.now().getTime()) {
    throw new ApiError(Status.INVALID_ARGUMENT, 'join token expired');
  }
  return joinTokenAgentId(context.config.trustDomain, token);
}
