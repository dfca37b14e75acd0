/**
 * Builds Workload API response messages from the agent's cache.
 */
import { entrySpiffeId } from '../../spire/entries.js';
import type { X509BundlesResponseMessage, X509SvidResponseMessage, JwtBundlesResponseMessage } from '../workload/proto.js';
import { concatenatedX509Authorities, jwksFromBundle } from './bundle-encoding.js';
import type { IdentityCache, TrustBundle, WorkloadIdentity } from './identity-cache.js';

/** Identities whose SVIDs are all minted, ready to send. */
export interface ReadyIdentity {
  readonly identity: WorkloadIdentity;
  readonly svid: NonNullable<WorkloadIdentity['svid']>;
}

/** Returns the identities when every one has an SVID, or undefined while some are still being minted. */
export function readyIdentities(identities: readonly WorkloadIdentity[]): ReadyIdentity[] | undefined {
  const ready: ReadyIdentity[] = [];
  for (const identity of identities) {
    if (!identity.svid) return undefined;
    ready.push({ identity, svid: identity.svid });
  }
  return ready;
}

/** Builds an `X509SVIDResponse` for ready identities. */
export function buildX509SvidResponse(cache: IdentityCache, ready: readonly ReadyIdentity[], bundle: TrustBundle): X509SvidResponseMessage {
  const federated = cache.federatedBundlesFor(ready.map(({ identity }) => identity.entry));
  return {
    svids: ready.map(({ identity, svid }) => ({
      spiffe_id: entrySpiffeId(identity.entry),
      x509_svid: Buffer.concat(svid.certificates.map((certificate) => Buffer.from(certificate))),
      x509_svid_key: svid.privateKey,
      bundle: concatenatedX509Authorities(bundle),
      hint: identity.entry.hint ?? '',
    })),
    crl: [],
    federated_bundles: Object.fromEntries(federated.map((federatedBundle) => [federatedBundle.trustDomainId, concatenatedX509Authorities(federatedBundle)])),
  };
}

/** Returns the agent's bundle plus the federated bundles the identities' entries federate with. */
export function bundlesForIdentities(cache: IdentityCache, identities: readonly WorkloadIdentity[], bundle: TrustBundle): TrustBundle[] {
  return [bundle, ...cache.federatedBundlesFor(identities.map((identity) => identity.entry))];
}

export function buildX509BundlesResponse(bundles: readonly TrustBundle[]): X509BundlesResponseMessage {
  return { crl: [], bundles: Object.fromEntries(bundles.map((bundle) => [bundle.trustDomainId, concatenatedX509Authorities(bundle)])) };
}

export function buildJwtBundlesResponse(bundles: readonly TrustBundle[]): JwtBundlesResponseMessage {
  return { bundles: Object.fromEntries(bundles.map((bundle) => [bundle.trustDomainId, jwksFromBundle(bundle)])) };
}
