/**
 * The `spire.api.server.svid.v1.SVID` service: X509-SVIDs and JWT-SVIDs for the
 * entries an agent is authorized for, and minting for administrators.
 */
import { status as Status } from '@grpc/grpc-js';

import { isCsrError, parseCsr } from '../csr.js';
import type { RegistrationEntry } from '../records.js';
import { issueJwtSvid, issueX509Svid } from '../svid-issuer.js';
import { ApiError, OK_STATUS } from './api-error.js';
import type { Authorization } from './authorization.js';
import type { ServerContext } from './context.js';
import { toSpiffeIdMessage } from './convert.js';
import { entriesAuthorizedFor } from './entry-service.js';
import { idFromMessage } from './entry-validation.js';
import type { SpiffeIdJson } from '../../../spire/types.js';

function authorizedEntryById(context: ServerContext, authorization: Authorization): Map<string, RegistrationEntry> {
  return new Map(entriesAuthorizedFor(context, authorization.node!).map((entry) => [entry.id, entry]));
}

function signForEntry(context: ServerContext, entry: RegistrationEntry | undefined, params: { entry_id: string; csr: Buffer }) {
  if (params.entry_id === '') return { status: { code: Status.INVALID_ARGUMENT, message: 'missing entry ID' }, svid: null };
  if (params.csr.length === 0) return { status: { code: Status.INVALID_ARGUMENT, message: 'missing CSR' }, svid: null };
  if (entry === undefined) return { status: { code: Status.NOT_FOUND, message: 'entry not found or not authorized' }, svid: null };

  let csr;
  try {
    csr = parseCsr(params.csr);
  } catch (error) {
    if (!isCsrError(error)) throw error;
    const prefix = error.kind === 'malformed' ? 'malformed CSR' : 'invalid CSR signature';
    return { status: { code: Status.INVALID_ARGUMENT, message: `${prefix}: ${error.message}` }, svid: null };
  }

  const svid = issueX509Svid(context.ca.current, {
    now: context.now(),
    spiffeId: entry.spiffeId,
    subjectPublicKeyInfo: csr.subjectPublicKeyInfo,
    ttlSeconds: entry.x509SvidTtl > 0 ? entry.x509SvidTtl : context.config.defaultX509SvidTtlSeconds,
    dnsNames: entry.dnsNames,
  });
  return {
    status: OK_STATUS,
    svid: { cert_chain: svid.certChain, id: toSpiffeIdMessage(entry.spiffeId), expires_at: String(svid.expiresAt), hint: '' },
  };
}

function requireAudience(audience: readonly string[]): void {
  if (audience.filter((value) => value !== '').length === 0) {
    throw new ApiError(Status.INVALID_ARGUMENT, 'at least one audience is required');
  }
}

/** Handlers of the SVID service; the agent-only ones take the caller's authorization. */
export function createSvidHandlers(context: ServerContext) {
  return {
    BatchNewX509SVID(request: { params: { entry_id: string; csr: Buffer }[] }, authorization: Authorization) {
      if (request.params.length === 0) throw new ApiError(Status.INVALID_ARGUMENT, 'missing parameters');
      const entries = authorizedEntryById(context, authorization);
      return { results: request.params.map((params) => signForEntry(context, entries.get(params.entry_id), params)) };
    },

    async NewJWTSVID(request: { entry_id: string; audience: string[] }, authorization: Authorization) {
      if (request.entry_id === '') throw new ApiError(Status.INVALID_ARGUMENT, 'missing entry ID');
      requireAudience(request.audience);
      const entry = authorizedEntryById(context, authorization).get(request.entry_id);
      if (entry === undefined) throw new ApiError(Status.NOT_FOUND, 'entry not found or not authorized');

      const svid = await issueJwtSvid(context.ca.current, {
        now: context.now(),
        spiffeId: entry.spiffeId,
        audience: request.audience,
        ttlSeconds: entry.jwtSvidTtl > 0 ? entry.jwtSvidTtl : context.config.defaultJwtSvidTtlSeconds,
        includeJti: entry.additionalAttributes?.jwtSvidIncludeJti === true,
      });
      return { svid: { token: svid.token, id: toSpiffeIdMessage(entry.spiffeId), expires_at: String(svid.expiresAt), issued_at: String(svid.issuedAt), hint: entry.hint } };
    },

    MintX509SVID(request: { csr: Buffer; ttl: number }) {
      if (request.csr.length === 0) throw new ApiError(Status.INVALID_ARGUMENT, 'missing CSR');
      let csr;
      try {
        csr = parseCsr(request.csr);
      } catch (error) {
        if (isCsrError(error)) throw new ApiError(Status.INVALID_ARGUMENT, `malformed CSR: ${error.message}`);
        throw error;
      }
      if (csr.uriSans.length !== 1) throw new ApiError(Status.INVALID_ARGUMENT, 'CSR must have exactly one URI SAN');
      const spiffeId = csr.uriSans[0]!;
      if (!spiffeId.startsWith(`spiffe://${context.config.trustDomain}/`)) {
        throw new ApiError(Status.INVALID_ARGUMENT, `CSR URI SAN is invalid: "${spiffeId}" is not a member of trust domain "${context.config.trustDomain}"`);
      }
      const svid = issueX509Svid(context.ca.current, {
        now: context.now(),
        spiffeId,
        subjectPublicKeyInfo: csr.subjectPublicKeyInfo,
        ttlSeconds: request.ttl > 0 ? request.ttl : context.config.defaultX509SvidTtlSeconds,
        dnsNames: csr.dnsSans,
      });
      return { svid: { cert_chain: svid.certChain, id: toSpiffeIdMessage(spiffeId), expires_at: String(svid.expiresAt), hint: '' } };
    },

    async MintJWTSVID(request: { id?: SpiffeIdJson | null; audience: string[]; ttl: number }) {
      if (!request.id) throw new ApiError(Status.INVALID_ARGUMENT, 'invalid SPIFFE ID: request must specify SPIFFE ID');
      const parsed = idFromMessage(request.id);
      if (parsed.id === undefined) throw new ApiError(Status.INVALID_ARGUMENT, `invalid SPIFFE ID: ${parsed.error}`);
      requireAudience(request.audience);
      const svid = await issueJwtSvid(context.ca.current, {
        now: context.now(),
        spiffeId: parsed.id,
        audience: request.audience,
        ttlSeconds: request.ttl > 0 ? request.ttl : context.config.defaultJwtSvidTtlSeconds,
      });
      return { svid: { token: svid.token, id: request.id, expires_at: String(svid.expiresAt), issued_at: String(svid.issuedAt), hint: '' } };
    },
  };
}
