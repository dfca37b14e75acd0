/**
 * One synchronisation round with the server, run every `sync_interval`: refresh the
 * bundle, fetch the authorised entries, fetch federated bundles the entries name, and
 * mint X509-SVIDs for entries that have none or whose SVID is past half-life.
 */
import type { Logger } from '../../logger.js';
import { entrySpiffeId } from '../../spire/entries.js';
import type { EntryJson } from '../../spire/types.js';
import { generateKeyAndCsr, type KeyAndCsr } from './csr.js';
import { entryId, type IdentityCache, type TrustBundle } from './identity-cache.js';
import { describeSvid } from './node-attestation.js';
import { isPastHalfLife } from './rotation.js';
import type { AgentIdentity, ServerClient } from './server-client.js';

/** `BatchNewX509SVID` accepts at most 500 requests per call (SPIRE 1.15 server limit). */
const MAX_CSRS_PER_BATCH = 500;

export interface SyncContext {
  readonly server: ServerClient;
  readonly cache: IdentityCache;
  readonly logger: Logger;
  readonly identity: () => AgentIdentity;
  /** DER CA certificates the agent trusts the server with; updated when the bundle changes. */
  readonly trustedCertificates: () => Buffer[];
  readonly setTrustedCertificates: (certificates: Buffer[]) => void;
  readonly now: () => Date;
}

/** Runs one sync round; throws when the server cannot be reached or rejects the agent. */
export async function synchronize(context: SyncContext): Promise<void> {
  await refreshBundle(context);

  const entries = await context.server.syncAuthorizedEntries(context.cache.entries, context.identity(), context.trustedCertificates());
  context.cache.setEntries(entries);

  await refreshFederatedBundles(context, entries);
  await mintDueSvids(context, entries);
}

async function refreshBundle(context: SyncContext): Promise<void> {
  const bundle = await context.server.fetchBundle(context.identity(), context.trustedCertificates());
  if (!sameBundle(context.cache.bundle, bundle)) context.cache.setBundle(bundle);

  const certificates = [...bundle.x509Authorities];
  if (!sameCertificates(certificates, context.trustedCertificates())) {
    context.setTrustedCertificates(certificates);
    context.server.resetChannels();
  }
}

async function refreshFederatedBundles(context: SyncContext, entries: readonly EntryJson[]): Promise<void> {
  const trustDomains = new Set(entries.flatMap((entry) => entry.federates_with ?? []).map((name) => name.replace(/^spiffe:\/\//, '')));
  const bundles: TrustBundle[] = [];
  for (const trustDomain of trustDomains) {
    const bundle = await context.server.fetchFederatedBundle(trustDomain, context.identity(), context.trustedCertificates());
    if (bundle) bundles.push(bundle);
    else context.logger.warn('Federated bundle not found', { trust_domain: trustDomain });
  }

  const current = context.cache.federatedBundles;
  const changed = bundles.length !== current.size || bundles.some((bundle) => !sameBundle(current.get(bundle.trustDomainId), bundle));
  if (changed) context.cache.setFederatedBundles(bundles);
}

async function mintDueSvids(context: SyncContext, entries: readonly EntryJson[]): Promise<void> {
  const due = entries.filter((entry) => {
    const svid = context.cache.findSvid(entryId(entry));
    return !svid || svid.spiffeId !== entrySpiffeId(entry) || isPastHalfLife(svid.notBefore, svid.notAfter, context.now());
  });

  for (let start = 0; start < due.length; start += MAX_CSRS_PER_BATCH) {
    await mintBatch(context, due.slice(start, start + MAX_CSRS_PER_BATCH));
  }
}

async function mintBatch(context: SyncContext, entries: readonly EntryJson[]): Promise<void> {
  const requests: { entry: EntryJson; key: KeyAndCsr }[] = entries.map((entry) => ({ entry, key: generateKeyAndCsr(entrySpiffeId(entry)) }));
  const results = await context.server.batchNewX509Svid(
    requests.map(({ entry, key }) => ({ entry_id: entryId(entry), csr: key.csr })),
    context.identity(),
    context.trustedCertificates(),
  );

  results.forEach((result, index) => {
    const request = requests[index]!;
    if (!result.ok) {
      context.logger.error('Failed to mint X509-SVID', { entry_id: entryId(request.entry), error: result.status.message, spiffe_id: entrySpiffeId(request.entry) });
      return;
    }
    const validity = describeSvid(result.certificates[0]!);
    context.cache.setX509Svid({
      entryId: entryId(request.entry),
      spiffeId: entrySpiffeId(request.entry),
      certificates: result.certificates,
      privateKey: request.key.privateKeyDer,
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
    });
    context.logger.debug('Minted X509-SVID', { entry_id: entryId(request.entry), expiration: validity.notAfter.toISOString(), spiffe_id: entrySpiffeId(request.entry) });
  });
}

function sameCertificates(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  return a.length === b.length && a.every((certificate, index) => certificate.equals(b[index]!));
}

function sameBundle(a: TrustBundle | undefined, b: TrustBundle): boolean {
  if (!a) return false;
  return (
    sameCertificates(a.x509Authorities, b.x509Authorities) &&
    a.jwtAuthorities.length === b.jwtAuthorities.length &&
    a.jwtAuthorities.every((authority, index) => authority.keyId === b.jwtAuthorities[index]?.keyId && authority.publicKey.equals(b.jwtAuthorities[index]!.publicKey))
  );
}
