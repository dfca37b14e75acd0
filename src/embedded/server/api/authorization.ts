/**
 * Authorization of API calls as in SPIRE 1.15: the policy of each method, and the
 * checks that make a TCP caller an agent in good standing.
 */
import { X509Certificate } from 'node:crypto';

import { status as Status, type Metadata } from '@grpc/grpc-js';

import type { AttestedNode } from '../records.js';
import { isBanned } from '../records.js';
import { ApiError } from './api-error.js';
import type { Caller, ServerContext } from './context.js';
import { encodePermissionDeniedStatus, type PermissionDeniedReason } from './status-details.js';

/** The callers a method admits. `admin` admits local callers and admin identities. */
export type MethodPolicy = 'any' | 'agent' | 'agent-or-admin' | 'admin' | 'local' | 'downstream';

/** Method policies by `<Service>/<Method>`; methods not listed need admin rights. */
const POLICIES: Readonly<Record<string, MethodPolicy>> = {
  'Bundle/GetBundle': 'any',
  'Agent/AttestAgent': 'any',
  'Agent/RenewAgent': 'agent',
  'Agent/PostStatus': 'agent',
  'Entry/GetAuthorizedEntries': 'agent',
  'Entry/SyncAuthorizedEntries': 'agent',
  'SVID/BatchNewX509SVID': 'agent',
  'SVID/NewJWTSVID': 'agent',
  'SVID/BatchNewWITSVID': 'agent',
  'Bundle/GetFederatedBundle': 'agent-or-admin',
  'SVID/NewDownstreamX509CA': 'downstream',
  'Bundle/PublishJWTAuthority': 'downstream',
  'Bundle/PublishWITAuthority': 'downstream',
  'Debug/GetInfo': 'local',
  'Health/Check': 'local',
  'Health/List': 'local',
  'Health/Watch': 'local',
};

export function policyFor(service: string, method: string): MethodPolicy {
  return POLICIES[`${service}/${method}`] ?? 'admin';
}

/** The result of authorizing a call: the attested node when the caller was admitted as an agent. */
export interface Authorization {
  readonly caller: Caller;
  readonly node?: AttestedNode;
}

/**
 * Admits or rejects a call. Rejections are PermissionDenied `authorization denied for
 * method <path>`; agent check failures also carry PermissionDeniedDetails.
 */
export function authorizeCall(context: ServerContext, caller: Caller, fullMethod: string, policy: MethodPolicy): Authorization {
  const denied = (reason?: PermissionDeniedReason, detail?: string) => {
    const message = `authorization denied for method ${fullMethod}`;
    if (detail !== undefined) context.logger.warn('Agent authorization failed', { method: fullMethod, error: detail });
    return new ApiError(
      Status.PERMISSION_DENIED,
      message,
      reason === undefined ? undefined : encodePermissionDeniedStatus(Status.PERMISSION_DENIED, message, reason),
    );
  };

  if (policy === 'any') return { caller };
  if (caller.kind === 'local') {
    if (policy === 'agent') throw denied();
    return { caller };
  }
  if (policy === 'local') throw denied();
  if (caller.kind === 'anonymous') {
    if (policy === 'agent' || policy === 'agent-or-admin') throw denied('UNKNOWN', 'caller does not have an X509-SVID');
    throw denied();
  }

  if ((policy === 'admin' || policy === 'agent-or-admin') && isAdmin(context, caller.id)) return { caller };
  if (policy === 'downstream' && isDownstream(context, caller.id)) return { caller };
  if (policy === 'agent' || policy === 'agent-or-admin') {
    const result = checkAgent(context, caller);
    if (result.node !== undefined) return { caller, node: result.node };
    throw denied(result.reason, result.detail);
  }
  throw denied();
}

function isAdmin(context: ServerContext, id: string): boolean {
  if (context.config.adminIds.includes(id)) return true;
  return context.datastore.listEntries().some((entry) => entry.admin && entry.spiffeId === id);
}

function isDownstream(context: ServerContext, id: string): boolean {
  return context.datastore.listEntries().some((entry) => entry.downstream && entry.spiffeId === id);
}

/**
 * Applies SPIRE's per-call agent checks in order: SVID expired, not attested, banned,
 * then the serial number, promoting a renewed SVID's serial on first use.
 */
function checkAgent(
  context: ServerContext,
  caller: Extract<Caller, { kind: 'x509' }>,
): { node?: AttestedNode; reason?: PermissionDeniedReason; detail?: string } {
  const id = caller.id;
  if (new Date(caller.certificate.validTo).getTime() < context.now().getTime()) {
    return { reason: 'AGENT_EXPIRED', detail: `agent "${id}" SVID is expired` };
  }
  const node = context.datastore.findNode(id);
  if (node === undefined) {
    return { reason: 'AGENT_NOT_ATTESTED', detail: `agent "${id}" is not attested` };
  }
  if (isBanned(node)) {
    return { reason: 'AGENT_BANNED', detail: `agent "${id}" is banned` };
  }

  const serial = BigInt(`0x${caller.certificate.serialNumber}`).toString(10);
  if (serial === node.serialNumber) {
    return { node };
  }
  if (serial === node.newSerialNumber) {
    const promoted: AttestedNode = { ...node, serialNumber: node.newSerialNumber, expiresAt: node.newExpiresAt, newSerialNumber: '', newExpiresAt: 0 };
    context.datastore.saveNode(promoted);
    return { node: promoted };
  }
  return { reason: 'AGENT_NOT_ACTIVE', detail: `agent "${id}" expected to have serial number "${node.serialNumber}"; has "${serial}"` };
}

/**
 * Identifies a TCP caller from its TLS client certificate. A certificate must chain
 * to a root of the server's bundle and carry exactly one URI SAN; otherwise the call
 * fails with Unauthenticated.
 */
export function identifyTlsCaller(context: ServerContext, peerCertificateDer: Buffer | undefined): Caller {
  if (peerCertificateDer === undefined || peerCertificateDer.length === 0) {
    return { kind: 'anonymous' };
  }

  const certificate = new X509Certificate(peerCertificateDer);
  const uris = (certificate.subjectAltName ?? '')
    .split(', ')
    .filter((name) => name.startsWith('URI:'))
    .map((name) => name.slice('URI:'.length));
  if (uris.length === 0) throw new ApiError(Status.UNAUTHENTICATED, 'client certificate has no URI SAN');
  if (uris.length > 1) throw new ApiError(Status.UNAUTHENTICATED, 'client certificate has more than one URI SAN');

  const roots = context.datastore.findBundle(context.config.trustDomain)?.x509Authorities ?? [];
  const trusted = roots.some((root) => {
    const rootCertificate = new X509Certificate(root.asn1);
    return certificate.checkIssued(rootCertificate) && certificate.verify(rootCertificate.publicKey);
  });
  if (!trusted) {
    throw new ApiError(Status.UNAUTHENTICATED, 'client certificate does not chain to the trust domain bundle');
  }
  return { kind: 'x509', id: uris[0]!, certificate };
}

/** Builds the trailing metadata that carries an ApiError's status details, if any. */
export function detailsMetadata(error: ApiError, metadataClass: new () => Metadata): Metadata | undefined {
  if (error.details === undefined) return undefined;
  const metadata = new metadataClass();
  metadata.set('grpc-status-details-bin', error.details);
  return metadata;
}
