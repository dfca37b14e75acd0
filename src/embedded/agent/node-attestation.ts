/**
 * The agent's first step: obtain an X509-SVID from the server. A still valid SVID
 * stored in `data_dir` by an earlier run is reused. Otherwise the agent attests with
 * its join token, which the server accepts once (SPIRE 1.15 `pkg/agent/attestor/node`).
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../logger.js';
import { goCodeName } from '../workload/errors.js';
import { readAgentState, writeAgentState } from './agent-store.js';
import type { EmbeddedAgentConfig } from './config.js';
import { generateKeyAndCsr } from './csr.js';
import { AgentError } from './errors.js';
import { isServiceError, type AgentIdentity, type ServerClient } from './server-client.js';
import { diagnoseUnavailableServer, unreachableServer, verifyServerIdentityWithoutBundle } from './server-tls.js';

/** The agent's identity after attestation, with the bundle it trusts. */
export interface AttestedAgent {
  readonly spiffeId: string;
  readonly identity: AgentIdentity;
  readonly privateKeyDer: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER CA certificates of the trust domain, as fetched from the server. */
  readonly bundle: Buffer[];
}

/** Returns the SPIFFE ID and validity of an X509-SVID leaf. */
export function describeSvid(leaf: Buffer): { spiffeId: string; notBefore: Date; notAfter: Date } {
  const certificate = new X509Certificate(leaf);
  const uri = (certificate.subjectAltName ?? '').split(', ').find((name) => name.startsWith('URI:'));
  return { spiffeId: uri?.slice('URI:'.length) ?? '', notBefore: new Date(certificate.validFrom), notAfter: new Date(certificate.validTo) };
}

/** Returns an attested identity from `data_dir` or from a new join-token attestation. */
export async function attestNode(config: EmbeddedAgentConfig, server: ServerClient, logger: Logger, now: Date = new Date()): Promise<AttestedAgent> {
  const stored = config.keyManager === 'disk' ? await readAgentState(config.dataDir) : undefined;
  if (stored?.certificates[0]) {
    const svid = describeSvid(stored.certificates[0]);
    if (svid.notAfter > now) {
      logger.info('Reusing the agent SVID stored in the data directory', { expiration: svid.notAfter.toISOString(), spiffe_id: svid.spiffeId });
      return attestedFrom(stored.certificates, stored.privateKey, stored.bundle);
    }
    logger.warn('Stored agent SVID has expired; attesting again', { expiration: svid.notAfter.toISOString() });
  }
  return attestWithJoinToken(config, server, logger);
}

async function attestWithJoinToken(config: EmbeddedAgentConfig, server: ServerClient, logger: Logger): Promise<AttestedAgent> {
  if (!config.joinToken) {
    throw new AgentError('join_token is not set and data_dir has no valid agent SVID', {
      suggestions: ['Create a token with `spiffe-doctor token generate` and set join_token in agent.conf.'],
    });
  }
  if (config.insecureBootstrap) {
    logger.warn('Insecure bootstrap enabled; skipping server certificate verification');
    await verifyServerIdentityWithoutBundle(config.serverAddress, config.serverPort, config.trustDomain);
  }

  const { csr, privateKeyDer } = generateKeyAndCsr();
  const bootstrapBundle = config.trustBundle ? [...config.trustBundle] : undefined;
  let certificates: Buffer[];
  try {
    certificates = await server.attestWithJoinToken(config.joinToken, csr, bootstrapBundle);
  } catch (error) {
    if (isServiceError(error) && error.code === grpc.status.UNAVAILABLE) {
      const diagnosed = await diagnoseUnavailableServer(config.serverAddress, config.serverPort, config.trustDomain, bootstrapBundle);
      if (diagnosed) throw diagnosed;
    }
    throw attestationError(config, error);
  }

  // As SPIRE's agent does, fetch the bundle without a client certificate, on a channel
  // that is closed afterwards: with insecure_bootstrap it skipped chain verification,
  // and no later call may reuse it.
  const bundle = await server.fetchBundle(undefined, bootstrapBundle);
  const attested = attestedFrom(certificates, privateKeyDer, [...bundle.x509Authorities]);
  await writeAgentState(config.dataDir, { certificates, privateKey: privateKeyDer, bundle: attested.bundle }, config.keyManager === 'disk');
  logger.info('Node attestation was successful', { spiffe_id: attested.spiffeId });
  return attested;
}

/** Builds an `AttestedAgent` from an SVID chain, its PKCS#8 key and a bundle. */
export function attestedFrom(certificates: Buffer[], privateKeyDer: Buffer, bundle: Buffer[]): AttestedAgent {
  const svid = describeSvid(certificates[0]!);
  const privateKeyPem = createPrivateKey({ key: privateKeyDer, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
  return { spiffeId: svid.spiffeId, identity: { certificates, privateKeyPem }, privateKeyDer, notBefore: svid.notBefore, notAfter: svid.notAfter, bundle };
}

/** Turns a failed `AttestAgent` call into an error that names the fix. */
function attestationError(config: EmbeddedAgentConfig, error: unknown): AgentError {
  const address = `${config.serverAddress}:${config.serverPort}`;
  if (!isServiceError(error)) return unreachableServer(address, error);
  if (error.code === grpc.status.UNAVAILABLE) return unreachableServer(address, new Error(error.details));

  const message = `failed to receive attestation response: rpc error: code = ${goCodeName(error.code)} desc = ${error.details}`;
  const suggestions =
    error.code === grpc.status.INVALID_ARGUMENT
      ? ['Join tokens work once and expire: create a new one with `spiffe-doctor token generate` and set it as join_token.']
      : ['Check the server log for the reason, then fix the agent or server configuration.'];
  return new AgentError(message, { cause: error, suggestions });
}
