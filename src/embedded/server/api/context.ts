/**
 * The state every API handler receives (settings, datastore, CA and logger) and the
 * caller of the RPC.
 */
import type { X509Certificate } from 'node:crypto';

import type { Logger } from '../../../logger.js';
import type { TrustDomainCa } from '../ca.js';
import type { EmbeddedServerConfig } from '../config.js';
import type { Datastore } from '../datastore.js';

export interface ServerContext {
  readonly config: EmbeddedServerConfig;
  readonly datastore: Datastore;
  readonly ca: TrustDomainCa;
  readonly logger: Logger;
  readonly startedAt: Date;
  /** The server's clock: CA rotation, SVID validity, token and agent expiry all read it. */
  now(): Date;
  /** Writes the CA's current authorities into the server's own bundle. */
  publishAuthorities(): void;
  /** Returns the server's own X509-SVID chain (DER, leaf first) that the TLS endpoint presents. */
  serverSvidChain(): Buffer[];
}

/**
 * The caller of an RPC. `local` is a client on the Unix socket, which SPIRE treats as
 * an administrator with no identity. `x509` is a TCP client whose certificate chains
 * to the trust domain's bundle.
 */
export type Caller =
  | { readonly kind: 'local' }
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'x509'; readonly id: string; readonly certificate: X509Certificate };
