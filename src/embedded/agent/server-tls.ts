/**
 * TLS to the SPIRE server as SPIRE 1.15's agent does it. The server presents an
 * X509-SVID with no DNS name, so instead of a host name check the agent requires the
 * leaf's only URI SAN to be `spiffe://<trust domain>/spire/server`. It verifies the
 * chain against the trust bundle it has.
 */
import { connect, type PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { serverSpiffeId } from '../../spire/agent-ids.js';
import { AgentError } from './errors.js';

/** PEM-encodes DER certificates. */
export function pemFromDer(certificates: readonly Buffer[]): string {
  return certificates
    .map((der) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`)
    .join('');
}

/** Returns the URI SANs of a certificate as Node reports them (`URI:spiffe://…`). */
function uriSans(certificate: PeerCertificate): string[] {
  return (certificate.subjectaltname ?? '')
    .split(', ')
    .filter((name) => name.startsWith('URI:'))
    .map((name) => name.slice('URI:'.length));
}

/** Returns an error when the certificate is not the server's X509-SVID, else undefined. */
export function checkServerSpiffeId(trustDomain: string, certificate: PeerCertificate): Error | undefined {
  const expected = serverSpiffeId(trustDomain);
  const found = uriSans(certificate);
  if (found.length === 1 && found[0] === expected) return undefined;
  return new Error(`expected server SPIFFE ID "${expected}"; got [${found.join(' ')}]`);
}

export interface ServerCredentialsOptions {
  readonly trustDomain: string;
  /** DER CA certificates to verify the server with; undefined skips chain verification (insecure bootstrap). */
  readonly bundle: readonly Buffer[] | undefined;
  /** The agent's X509-SVID chain and key for mutual TLS; undefined during attestation. */
  readonly identity?: { readonly certificates: readonly Buffer[]; readonly privateKeyPem: string };
}

/** Builds grpc-js channel credentials for the SPIRE server. */
export function serverChannelCredentials(options: ServerCredentialsOptions): grpc.ChannelCredentials {
  const rootCerts = options.bundle ? Buffer.from(pemFromDer(options.bundle)) : null;
  const privateKey = options.identity ? Buffer.from(options.identity.privateKeyPem) : null;
  const certChain = options.identity ? Buffer.from(pemFromDer(options.identity.certificates)) : null;

  return grpc.credentials.createSsl(rootCerts, privateKey, certChain, {
    checkServerIdentity: (_host, certificate) => checkServerSpiffeId(options.trustDomain, certificate),
    rejectUnauthorized: options.bundle !== undefined,
  });
}

/**
 * Connects once without chain verification and checks the server's SPIFFE ID. With
 * `insecure_bootstrap` this is the only check before the agent trusts the bundle the
 * server sends, because Node skips `checkServerIdentity` when the chain is unverified.
 */
export function verifyServerIdentityWithoutBundle(host: string, port: number, trustDomain: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['h2'] });
    socket.once('secureConnect', () => {
      const problem = checkServerSpiffeId(trustDomain, socket.getPeerCertificate());
      socket.destroy();
      if (problem) reject(new AgentError(`could not bootstrap with the server at ${host}:${port}: ${problem.message}`));
      else resolve();
    });
    socket.once('error', (error) => reject(unreachableServer(`${host}:${port}`, error)));
  });
}

/**
 * Connects once with the agent's trust settings to find out why a gRPC call found the
 * server unavailable, and returns the matching `AgentError`: nothing listening, or a
 * certificate the agent does not trust. Returns undefined when the handshake succeeds.
 */
export function diagnoseUnavailableServer(host: string, port: number, trustDomain: string, bundle: readonly Buffer[] | undefined): Promise<AgentError | undefined> {
  const address = `${host}:${port}`;
  return new Promise((resolve) => {
    let connected = false;
    const socket = connect({
      host,
      port,
      ALPNProtocols: ['h2'],
      rejectUnauthorized: bundle !== undefined,
      ...(bundle ? { ca: pemFromDer(bundle) } : {}),
      checkServerIdentity: (_host, certificate) => checkServerSpiffeId(trustDomain, certificate),
    });
    socket.once('connect', () => (connected = true));
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error) => {
      socket.destroy();
      resolve(connected ? untrustedServer(address, error) : unreachableServer(address, error));
    });
  });
}

function untrustedServer(address: string, cause: Error): AgentError {
  return new AgentError(`could not verify the SPIRE server at ${address}: ${cause.message}`, {
    cause,
    suggestions: [
      'Check that trust_bundle_path contains the current bundle of this server (`spiffe-doctor bundle show`).',
      'Check that trust_domain matches the server trust domain.',
    ],
  });
}

/** Creates the `AgentError` for a server that cannot be reached. */
export function unreachableServer(address: string, cause: unknown): AgentError {
  return new AgentError(`could not connect to the SPIRE server at ${address}: ${(cause as Error).message}`, {
    cause,
    suggestions: [
      'Check that the server is running (`spiffe-doctor server healthcheck`).',
      'Check server_address and server_port in agent.conf.',
    ],
  });
}
