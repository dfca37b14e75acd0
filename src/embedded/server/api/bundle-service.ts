/**
 * The `spire.api.server.bundle.v1.Bundle` service: the server's own bundle and the
 * bundles of federated trust domains, with SPIRE 1.15's messages.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';

import { status as Status } from '@grpc/grpc-js';

import { isSpiffeIdError } from '../../../spiffe/errors.js';
import { parseTrustDomain } from '../../../spiffe/trust-domain.js';
import type { TrustBundle } from '../records.js';
import { ApiError, OK_STATUS, toItemStatus } from './api-error.js';
import type { ServerContext } from './context.js';
import { applyBundleMask, bundleToMessage } from './convert.js';
import { paginate } from './entry-service.js';

type Mask = Record<string, boolean> | null | undefined;

interface BundleInput {
  trust_domain: string;
  x509_authorities: { asn1: Buffer; tainted: boolean }[];
  jwt_authorities: { public_key: Buffer; key_id: string; expires_at: string; tainted: boolean }[];
  refresh_hint: string;
  sequence_number: string;
}

function parseBundleTrustDomain(text: string): string {
  try {
    return parseTrustDomain(text);
  } catch (error) {
    if (isSpiffeIdError(error)) throw new ApiError(Status.INVALID_ARGUMENT, `failed to convert bundle: trust domain argument is not valid: ${error.reason}`);
    throw error;
  }
}

/** Converts a Bundle message, checking that every authority decodes. */
export function bundleFromMessage(message: BundleInput): TrustBundle {
  const trustDomain = parseBundleTrustDomain(message.trust_domain);
  const x509Authorities = message.x509_authorities.map((authority) => {
    try {
      new X509Certificate(authority.asn1);
    } catch (error) {
      throw new ApiError(Status.INVALID_ARGUMENT, `failed to convert bundle: unable to parse X.509 authority: ${(error as Error).message}`);
    }
    return { asn1: Buffer.from(authority.asn1), tainted: authority.tainted };
  });
  const jwtAuthorities = message.jwt_authorities.map((authority) => {
    if (authority.key_id === '') throw new ApiError(Status.INVALID_ARGUMENT, 'failed to convert bundle: missing key ID');
    try {
      createPublicKey({ key: authority.public_key, format: 'der', type: 'spki' });
    } catch (error) {
      throw new ApiError(Status.INVALID_ARGUMENT, `failed to convert bundle: unable to parse public key: ${(error as Error).message}`);
    }
    return { publicKey: Buffer.from(authority.public_key), keyId: authority.key_id, expiresAt: Number(authority.expires_at), tainted: authority.tainted };
  });
  return { trustDomain, x509Authorities, jwtAuthorities, refreshHint: Number(message.refresh_hint), sequenceNumber: Number(message.sequence_number) };
}

function ownBundle(context: ServerContext): TrustBundle {
  const bundle = context.datastore.findBundle(context.config.trustDomain);
  if (bundle === undefined) throw new ApiError(Status.NOT_FOUND, 'bundle not found');
  return bundle;
}

function deleteFederatedBundle(context: ServerContext, name: string, mode: string): { status: typeof OK_STATUS; trust_domain: string } {
  const trustDomain = parseBundleTrustDomain(name);
  if (trustDomain === context.config.trustDomain) {
    throw new ApiError(Status.INVALID_ARGUMENT, 'removing the bundle for the server trust domain is not allowed');
  }
  if (context.datastore.findBundle(trustDomain) === undefined) throw new ApiError(Status.NOT_FOUND, 'bundle not found');

  const federated = context.datastore.listEntries().filter((entry) => entry.federatesWith.includes(trustDomain));
  if (mode === 'RESTRICT' && federated.length > 0) {
    throw new ApiError(Status.FAILED_PRECONDITION, `failed to delete bundle: datastore-sql: cannot delete bundle; federated with ${federated.length} registration entries`);
  }
  for (const entry of federated) {
    if (mode === 'DELETE') {
      context.datastore.deleteEntry(entry.id);
    } else {
      context.datastore.updateEntry({ ...entry, federatesWith: entry.federatesWith.filter((name) => name !== trustDomain) });
    }
  }
  context.datastore.deleteBundle(trustDomain);
  return { status: OK_STATUS, trust_domain: trustDomain };
}

/** Handlers of the Bundle service. */
export function createBundleHandlers(context: ServerContext) {
  const federatedResult = (action: () => TrustBundle, mask: Mask) => {
    try {
      return { status: OK_STATUS, bundle: applyBundleMask(bundleToMessage(action()), mask) };
    } catch (error) {
      return { status: toItemStatus(error), bundle: null };
    }
  };
  const requireFederated = (bundle: TrustBundle) => {
    if (bundle.trustDomain === context.config.trustDomain) {
      throw new ApiError(Status.INVALID_ARGUMENT, `creating a federated bundle for the server's own trust domain is not allowed`);
    }
    return bundle;
  };

  return {
    CountBundles() {
      return { count: context.datastore.listBundles().length };
    },

    GetBundle(request: { output_mask?: Mask }) {
      return applyBundleMask(bundleToMessage(ownBundle(context)), request.output_mask);
    },

    AppendBundle(request: { x509_authorities: BundleInput['x509_authorities']; jwt_authorities: BundleInput['jwt_authorities']; output_mask?: Mask }) {
      const current = ownBundle(context);
      const added = bundleFromMessage({ ...request, trust_domain: current.trustDomain, refresh_hint: '0', sequence_number: '0' });
      const bundle: TrustBundle = {
        ...current,
        x509Authorities: [...current.x509Authorities, ...added.x509Authorities.filter((item) => !current.x509Authorities.some((old) => old.asn1.equals(item.asn1)))],
        jwtAuthorities: [...current.jwtAuthorities, ...added.jwtAuthorities.filter((item) => !current.jwtAuthorities.some((old) => old.keyId === item.keyId))],
        sequenceNumber: current.sequenceNumber + 1,
      };
      context.datastore.saveBundle(bundle);
      return applyBundleMask(bundleToMessage(bundle), request.output_mask);
    },

    ListFederatedBundles(request: { output_mask?: Mask; page_size: number; page_token: string }) {
      const bundles = context.datastore.listBundles().filter((bundle) => bundle.trustDomain !== context.config.trustDomain);
      const { page, nextPageToken } = paginate(bundles, request.page_size, request.page_token);
      return { bundles: page.map((bundle) => applyBundleMask(bundleToMessage(bundle), request.output_mask)), next_page_token: nextPageToken };
    },

    GetFederatedBundle(request: { trust_domain: string; output_mask?: Mask }) {
      let trustDomain: string;
      try {
        trustDomain = parseTrustDomain(request.trust_domain);
      } catch (error) {
        if (isSpiffeIdError(error)) throw new ApiError(Status.INVALID_ARGUMENT, `trust domain argument is not valid: ${error.reason}`);
        throw error;
      }
      if (trustDomain === context.config.trustDomain) {
        throw new ApiError(Status.INVALID_ARGUMENT, "getting a federated bundle for the server's own trust domain is not allowed");
      }
      const bundle = context.datastore.findBundle(trustDomain);
      if (bundle === undefined) throw new ApiError(Status.NOT_FOUND, 'bundle not found');
      return applyBundleMask(bundleToMessage(bundle), request.output_mask);
    },

    BatchCreateFederatedBundle(request: { bundle: BundleInput[]; output_mask?: Mask }) {
      const results = request.bundle.map((message) =>
        federatedResult(() => {
          const bundle = requireFederated(bundleFromMessage(message));
          if (context.datastore.findBundle(bundle.trustDomain) !== undefined) throw new ApiError(Status.ALREADY_EXISTS, 'bundle already exists');
          context.datastore.saveBundle(bundle);
          return bundle;
        }, request.output_mask),
      );
      return { results };
    },

    BatchUpdateFederatedBundle(request: { bundle: BundleInput[]; input_mask?: Mask; output_mask?: Mask }) {
      const results = request.bundle.map((message) =>
        federatedResult(() => {
          const update = requireFederated(bundleFromMessage(message));
          const existing = context.datastore.findBundle(update.trustDomain);
          if (existing === undefined) throw new ApiError(Status.NOT_FOUND, 'bundle not found');
          const mask = request.input_mask;
          const take = (field: string) => mask === null || mask === undefined || mask[field] === true;
          const bundle: TrustBundle = {
            trustDomain: existing.trustDomain,
            x509Authorities: take('x509_authorities') ? update.x509Authorities : existing.x509Authorities,
            jwtAuthorities: take('jwt_authorities') ? update.jwtAuthorities : existing.jwtAuthorities,
            refreshHint: take('refresh_hint') ? update.refreshHint : existing.refreshHint,
            sequenceNumber: take('sequence_number') ? update.sequenceNumber : existing.sequenceNumber,
          };
          context.datastore.saveBundle(bundle);
          return bundle;
        }, request.output_mask),
      );
      return { results };
    },

    BatchSetFederatedBundle(request: { bundle: BundleInput[]; output_mask?: Mask }) {
      const results = request.bundle.map((message) =>
        federatedResult(() => {
          const bundle = requireFederated(bundleFromMessage(message));
          context.datastore.saveBundle(bundle);
          return bundle;
        }, request.output_mask),
      );
      return { results };
    },

    BatchDeleteFederatedBundle(request: { trust_domains: string[]; mode: string }) {
      const results = request.trust_domains.map((name) => {
        try {
          return deleteFederatedBundle(context, name, request.mode);
        } catch (error) {
          return { status: toItemStatus(error), trust_domain: name };
        }
      });
      return { results };
    },
  };
}
