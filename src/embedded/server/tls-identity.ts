/**
 * The server's own X509-SVID (`spiffe://<trust domain>/spire/server`) for the TLS
 * endpoint, handed to grpc-js through a certificate provider so it can be replaced
 * on rotation without restarting the listener.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';

import type { experimental } from '@grpc/grpc-js';

import { serverSpiffeId } from '../../spire/agent-ids.js';
import type { TrustDomainCa } from './ca.js';
import { issueX509Svid } from './svid-issuer.js';

type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/** Converts DER certificates to concatenated PEM. */
export function toPem(certificates: readonly Buffer[]): string {
  return certificates.map((der) => new X509Certificate(der).toString()).join('');
}

/** A certificate provider that serves both the server identity and the CA roots for client verification. */
export class ServerTlsIdentity implements experimental.CertificateProvider {
  private caListeners = new Set<CaListener>();
  private identityListeners = new Set<IdentityListener>();
  private ca: Buffer | undefined;
  private identity: { certificate: Buffer; privateKey: Buffer } | undefined;
  /** Unix milliseconds after which the SVID is past half its lifetime and is renewed. */
  private renewAt = 0;
  private chainDer: Buffer[] = [];

  constructor(
    private readonly trustDomain: string,
    private readonly ttlSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Returns the current server SVID chain as DER, leaf first. */
  chain(): Buffer[] {
    return this.chainDer;
  }

  /** Reissues the server SVID (and refreshes the roots) when forced or past half-life. */
  refresh(ca: TrustDomainCa, roots: readonly Buffer[], force = false): void {
    this.ca = Buffer.from(toPem(roots));
    for (const listener of this.caListeners) listener({ caCertificate: this.ca });
    if (!force && this.identity !== undefined && this.now().getTime() < this.renewAt) {
      return;
    }

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const svid = issueX509Svid(ca.current, {
      now: this.now(),
      spiffeId: serverSpiffeId(this.trustDomain),
      subjectPublicKeyInfo: publicKey.export({ format: 'der', type: 'spki' }),
      ttlSeconds: this.ttlSeconds,
    });
    this.chainDer = svid.certChain;
    const issuedAt = this.now().getTime();
    this.renewAt = issuedAt + ((svid.expiresAt * 1000 - issuedAt) / 2);
    this.identity = {
      certificate: Buffer.from(toPem(svid.certChain)),
      privateKey: Buffer.from(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()),
    };
    for (const listener of this.identityListeners) listener(this.identity);
  }

  // grpc-js registers its own watcher only after adding these listeners, so the
  // current values are replayed in a microtask; a synchronous call would be lost.
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    queueMicrotask(() => {
      if (this.ca !== undefined && this.caListeners.has(listener)) listener({ caCertificate: this.ca });
    });
  }

  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => {
      if (this.identity !== undefined && this.identityListeners.has(listener)) listener(this.identity);
    });
  }

  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }
}
