/**
 * Test helpers: a server configuration in a temporary directory, PKCS#10 requests
 * built with @peculiar/asn1-csr (independently of the server's DER code), and an
 * mTLS client for the agent API.
 */
import { generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as grpc from '@grpc/grpc-js';
import { Attributes, CertificationRequest, CertificationRequestInfo } from '@peculiar/asn1-csr';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  Attribute,
  AttributeTypeAndValue,
  AttributeValue,
  Extension,
  Extensions,
  GeneralName,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
  id_ce_subjectAltName,
} from '@peculiar/asn1-x509';

import type { EmbeddedServerConfig } from '../../../src/embedded/server/config.js';
import { loadServerApi } from '../../../src/embedded/proto-loader.js';

/** Creates a temporary directory and returns it with a cleanup function. */
export function makeTempDir(prefix = 'sd-server-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Returns a server configuration that keeps everything under `dir` and listens on a free loopback port. */
export function makeServerConfig(dir: string, overrides: Partial<EmbeddedServerConfig> = {}): EmbeddedServerConfig {
  return {
    trustDomain: 'example.org',
    bindAddress: '127.0.0.1',
    bindPort: 0,
    socketPath: join(dir, 'api.sock'),
    dataDir: join(dir, 'data'),
    logLevel: 'error',
    caKeyType: 'ec-p256',
    caTtlSeconds: 24 * 3600,
    defaultX509SvidTtlSeconds: 3600,
    defaultJwtSvidTtlSeconds: 300,
    agentTtlSeconds: 3600,
    databasePath: join(dir, 'data', 'datastore.sqlite3'),
    keyManager: { kind: 'disk', keysPath: join(dir, 'data', 'keys.json') },
    adminIds: [],
    ...overrides,
  };
}

/** Builds a DER PKCS#10 request for `key` (subject C=US, O=SPIRE), with optional URI and DNS SANs. */
export function makeCsr(key: { privateKey: KeyObject; publicKey: KeyObject }, sans: { uris?: string[]; dnsNames?: string[] } = {}): Buffer {
  const subject = new Name([
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type: '2.5.4.6', value: new AttributeValue({ printableString: 'US' }) })]),
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type: '2.5.4.10', value: new AttributeValue({ printableString: 'SPIRE' }) })]),
  ]);
  const names = [
    ...(sans.uris ?? []).map((uri) => new GeneralName({ uniformResourceIdentifier: uri })),
    ...(sans.dnsNames ?? []).map((dNSName) => new GeneralName({ dNSName })),
  ];
  const attributes = new Attributes();
  if (names.length > 0) {
    const extensions = new Extensions([
      new Extension({ extnID: id_ce_subjectAltName, critical: false, extnValue: new OctetString(AsnConvert.serialize(new SubjectAlternativeName(names))) }),
    ]);
    attributes.push(new Attribute({ type: '1.2.840.113549.1.9.14', values: [AsnConvert.serialize(extensions)] }));
  }

  const spki = key.publicKey.export({ format: 'der', type: 'spki' });
  const info = new CertificationRequestInfo({
    version: 0,
    subject,
    subjectPKInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
    attributes,
  });
  const infoDer = Buffer.from(AsnConvert.serialize(info));
  const signature = sign('sha256', infoDer, key.privateKey);
  const request = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.2' }),
    signature: new Uint8Array(signature).buffer,
  });
  return Buffer.from(AsnConvert.serialize(request));
}

export function makeP256Key() {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

export function toPem(ders: readonly Buffer[]): string {
  return ders.map((der) => new X509Certificate(der).toString()).join('');
}

/**
 * Creates agent API clients over TLS to `port`, verifying the server's chain against
 * `roots` and its URI SAN against `spiffe://<trust domain>/spire/server`, as SPIRE
 * agents do. With `identity`, the client presents that certificate chain and key.
 */
export function makeAgentClients(
  port: number,
  roots: readonly Buffer[],
  identity?: { chain: readonly Buffer[]; privateKey: KeyObject },
  trustDomain = 'example.org',
) {
  const api = loadServerApi();
  const credentials = grpc.credentials.createSsl(
    Buffer.from(toPem(roots)),
    identity === undefined ? null : Buffer.from(identity.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()),
    identity === undefined ? null : Buffer.from(toPem(identity.chain)),
    {
      checkServerIdentity: (_host, certificate) =>
        certificate.subjectaltname === `URI:spiffe://${trustDomain}/spire/server` ? undefined : new Error(`unexpected server ID ${certificate.subjectaltname}`),
    },
  );
  const target = `127.0.0.1:${port}`;
  const agent = new api.Agent(target, credentials);
  const channelOverride = { channelOverride: agent.getChannel() };
  return {
    agent,
    entry: new api.Entry(target, credentials, channelOverride),
    svid: new api.SVID(target, credentials, channelOverride),
    bundle: new api.Bundle(target, credentials, channelOverride),
    close: () => agent.close(),
  };
}

/** Runs AttestAgent with a join token and returns the first response (or rejects with the stream error). */
export function attestWithJoinToken(agentClient: grpc.Client, token: string, csr: Buffer): Promise<{ result: { svid: { cert_chain: Buffer[]; id: { path: string }; expires_at: string } } }> {
  return new Promise((resolve, reject) => {
    const stream = (agentClient as unknown as { AttestAgent(): grpc.ClientDuplexStream<unknown, unknown> }).AttestAgent();
    let response: unknown;
    stream.on('data', (data) => (response = data));
    stream.on('error', reject);
    stream.on('end', () => resolve(response as never));
    stream.write({ params: { data: { type: 'join_token', payload: Buffer.from(token) }, params: { csr } } });
    stream.end();
  });
}
