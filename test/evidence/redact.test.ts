import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { SignJWT, importPKCS8 } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadEvidenceFile, saveEvidenceFile } from '../../src/evidence/file.js';
import { redactEvidence, redactText } from '../../src/evidence/redact.js';
import type { Evidence } from '../../src/evidence/types.js';

const ecKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pkcs8Pem = ecKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const sec1Pem = ecKeys.privateKey.export({ type: 'sec1', format: 'pem' }).toString();
const pkcs8Base64 = ecKeys.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
const rsaPem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

let signingKey: Awaited<ReturnType<typeof importPKCS8>>;
let jwtSvid: string;

async function signJwtSvid(subject: string, audience: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'key-1', typ: 'JWT' })
    .setSubject(subject)
    .setAudience(audience)
    .setExpirationTime('5m')
    .sign(signingKey);
}

beforeAll(async () => {
  signingKey = await importPKCS8(pkcs8Pem, 'ES256');
  jwtSvid = await signJwtSvid('spiffe://example.org/web', 'spire-server');
});

/** The body lines of a PEM block: what must never survive redaction. */
function pemBody(pem: string): string {
  return pem.split('\n').slice(1, -2).join('\n');
}

describe('redactText', () => {
  it.each([
    {
      name: 'PKCS#8 PEM key in a log line',
      text: () => `level=debug msg="loaded key" key="${pkcs8Pem}"`,
      secret: () => pemBody(pkcs8Pem),
      marker: '[redacted: private key]',
    },
    {
      name: 'EC PEM key',
      text: () => sec1Pem,
      secret: () => pemBody(sec1Pem),
      marker: '[redacted: private key]',
    },
    {
      name: 'RSA PEM key',
      text: () => `before\n${rsaPem}after`,
      secret: () => pemBody(rsaPem),
      marker: '[redacted: private key]',
    },
    {
      name: 'truncated PEM key',
      text: () => pkcs8Pem.slice(0, 120),
      secret: () => pkcs8Pem.slice(40, 120),
      marker: '[redacted: private key]',
    },
    {
      name: 'x509_svid_key in fetch output',
      text: () =>
        JSON.stringify({ svids: [{ spiffe_id: 'spiffe://example.org/web', x509_svid: 'MIIB', x509_svid_key: pkcs8Base64, bundle: 'MIIC' }] }),
      secret: () => pkcs8Base64,
      marker: '"x509_svid_key":"[redacted: private key]"',
    },
    {
      name: 'x509_svid_key in escaped JSON',
      text: () => JSON.stringify(JSON.stringify({ x509_svid_key: pkcs8Base64 })),
      secret: () => pkcs8Base64,
      marker: '[redacted: private key]',
    },
    {
      name: 'JWT-SVID in fetch jwt output',
      text: () => JSON.stringify([{ svids: [{ spiffe_id: 'spiffe://example.org/web', svid: jwtSvid }] }, { bundles: {} }]),
      secret: () => jwtSvid,
      marker: '"svid":"[redacted: jwt]"',
    },
    {
      name: 'JWT glued to other text',
      text: () => `token=abc${jwtSvid}`,
      secret: () => jwtSvid.slice(jwtSvid.indexOf('.')),
      marker: 'token=abc[redacted: jwt]',
    },
    {
      name: 'join token in HCL',
      text: () => 'agent {\n  join_token = "3f8a2c1e-0b7d-4e6f-9a5c-1d2e3f4a5b6c"\n  trust_domain = "example.org"\n}',
      secret: () => '3f8a2c1e-0b7d-4e6f-9a5c-1d2e3f4a5b6c',
      marker: 'join_token = "[redacted: join token]"',
    },
    {
      name: 'join token in JSON config',
      text: () => '{"agent":{"join_token":"3f8a2c1e-0b7d","trust_domain":"example.org"}}',
      secret: () => '3f8a2c1e-0b7d',
      marker: '"join_token":"[redacted: join token]"',
    },
    {
      name: 'join token flag',
      text: () => 'spire-agent run -config /run/spire/config/agent.conf -joinToken 3f8a2c1e-0b7d',
      secret: () => '3f8a2c1e-0b7d',
      marker: '-joinToken [redacted: join token]',
    },
    {
      name: 'bearer token',
      text: () => 'Authorization: Bearer sha256~AbCdEf0123456789',
      secret: () => 'sha256~AbCdEf0123456789',
      marker: 'Authorization: Bearer [redacted: bearer token]',
    },
    {
      name: 'datastore password in HCL',
      text: () => 'connection_string = "dbname=spire user=spire password=s3cr3t host=db sslmode=require"',
      secret: () => 's3cr3t',
      marker: 'password=[redacted: secret] host=db',
    },
    {
      name: 'MySQL DSN password',
      text: () => 'connection_string = "spire:s3cr3t@tcp(db:3306)/spire?parseTime=true"',
      secret: () => 's3cr3t',
      marker: 'spire:[redacted: secret]@tcp(db:3306)',
    },
    {
      name: 'URL password',
      text: () => 'connection_string = "postgres://spire:s3cr3t@db:5432/spire"',
      secret: () => 's3cr3t',
      marker: 'postgres://spire:[redacted: secret]@db',
    },
    {
      name: 'secret access key setting',
      text: () => 'UpstreamAuthority "aws_pca" {\n  plugin_data {\n    secret_access_key = "wJalrXUtnFEMI"\n  }\n}',
      secret: () => 'wJalrXUtnFEMI',
      marker: 'secret_access_key = "[redacted: secret]"',
    },
    {
      name: 'Vault token setting in JSON',
      text: () => '{"plugin_data":{"token":"hvs.CAESIJ","vault_addr":"https://vault:8200"}}',
      secret: () => 'hvs.CAESIJ',
      marker: '"token":"[redacted: secret]","vault_addr"',
    },
  ])('redacts $name', ({ text, secret, marker }) => {
    const redacted = redactText(text());

    expect(redacted).not.toContain(secret());
    expect(redacted).toContain(marker);
  });

  it.each([
    { name: 'a logrus line', text: 'time="2024-05-14T09:59:00Z" level=info msg="Starting Workload and SDS APIs" address=/tmp/spire-agent/public/api.sock' },
    { name: 'a dotted host name', text: 'spire-server.spire-system.svc.cluster.local:8081' },
    { name: 'an image reference', text: 'ghcr.io/spiffe/spire-agent:1.15.3' },
    { name: 'a certificate', text: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' },
    { name: 'the word bearer alone', text: 'no bearer.' },
    { name: 'an image digest', text: 'ghcr.io/spiffe/spire-agent:1.15.3@sha256:0cfdaced91cb46dd7af48309799a3c351e4ca2d5e1ee9737ca0cbd932cb79898' },
    { name: 'a token path setting', text: 'token_path = "/var/run/secrets/tokens/spire-agent"' },
    { name: 'a SPIFFE ID', text: 'spiffe://example.org/ns/shop/sa/web' },
  ])('keeps $name unchanged', ({ text }) => {
    expect(redactText(text)).toBe(text);
  });
});

describe('redactEvidence', () => {
  it('redacts key fields, argument lists and nested strings', () => {
    const evidence: Evidence = {
      pod: {
        metadata: { name: 'spire-agent-x' },
        spec: { containers: [{ name: 'spire-agent', args: ['-config', '/run/spire/config/agent.conf', '-joinToken', 'tok-123'] }] },
      },
      workloadFetch: { exitCode: 0, stdout: JSON.stringify({ svids: [{ x509_svid_key: pkcs8Base64 }] }) },
      parsedFetch: { svids: [{ x509_svid_key: pkcs8Base64 }] },
      agentLogs: [`level=debug msg="token" token=${jwtSvid}`],
    };

    const redacted = redactEvidence(evidence);
    const text = JSON.stringify(redacted);

    expect(text).not.toContain('tok-123');
    expect(text).not.toContain(pkcs8Base64);
    expect(text).not.toContain(jwtSvid);
    expect(redacted.pod?.spec?.containers?.[0]?.args).toEqual(['-config', '/run/spire/config/agent.conf', '-joinToken', '[redacted: join token]']);
    expect(redacted.parsedFetch).toEqual({ svids: [{ x509_svid_key: '[redacted: private key]' }] });
  });

  it('redacts secret env values only', () => {
    const env = [
      { name: 'DB_PASSWORD', value: 'hunter2' },
      { name: 'GITHUB_TOKEN', value: 'ghp_x' },
      { name: 'SPIFFE_ENDPOINT_SOCKET', value: 'unix:///run/spire/sockets/agent.sock' },
      { name: 'TOKEN_PATH_HINT', value: '/var/run/secrets' },
    ];

    const redacted = redactEvidence({ pod: { spec: { containers: [{ name: 'web', env }] } } });

    expect(redacted.pod?.spec?.containers?.[0]?.env).toEqual([
      { name: 'DB_PASSWORD', value: '[redacted: secret]' },
      { name: 'GITHUB_TOKEN', value: '[redacted: secret]' },
      { name: 'SPIFFE_ENDPOINT_SOCKET', value: 'unix:///run/spire/sockets/agent.sock' },
      { name: 'TOKEN_PATH_HINT', value: '/var/run/secrets' },
    ]);
  });

  it('does not change its input', () => {
    const evidence: Evidence = { pod: {}, serverConfig: 'join_token = "abc"' };
    redactEvidence(evidence);
    expect(evidence.serverConfig).toBe('join_token = "abc"');
  });
});

/** Any text around the secrets; a separator follows it so each secret stays whole. */
const surroundingText = fc.string({ maxLength: 40 });
const separator = fc.constantFrom(' ', '\n', '"', '=', ': ', '\t');

describe('redaction properties', () => {
  it('no private key or JWT survives', async () => {
    await fc.assert(
      fc.asyncProperty(
        surroundingText,
        separator,
        fc.webPath(),
        fc.constantFrom('spire-server', 'spiffe://example.org/db', 'vault'),
        fc.constantFrom(pkcs8Pem, sec1Pem, rsaPem),
        surroundingText,
        async (before, gap, path, audience, pem, after) => {
          const token = await signJwtSvid(`spiffe://example.org${path}`, audience);
          const text = [before, gap, token, gap, pem, gap, JSON.stringify({ x509_svid_key: pkcs8Base64 }), gap, after].join('');

          const redacted = redactText(text);

          expect(redacted).not.toContain(token.split('.')[1]);
          expect(redacted).not.toContain(pemBody(pem));
          expect(redacted).not.toContain(pkcs8Base64);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('redaction is idempotent', () => {
    const secretText = fc.constantFrom(
      pkcs8Pem,
      pkcs8Pem.slice(0, 100),
      'join_token = "abc"',
      '"join_token":"abc"',
      '-joinToken abc',
      '-joinToken=abc',
      'Bearer abc.def',
      '"x509_svid_key":"QUJD"',
      'password=abc ',
      'secret = "abc"',
      'spire:pw@tcp(db)',
      'postgres://u:p@h/db',
    );
    const text = fc.array(fc.oneof(fc.string({ maxLength: 20 }), secretText, fc.constant('')), { maxLength: 8 }).map((parts) => parts.join(''));

    fc.assert(
      fc.property(text, (value) => {
        const once = redactText(value);
        expect(redactText(once)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });

  describe('saved evidence', () => {
    let directory: string;

    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'evidence-redact-'));
    });

    afterAll(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    it('loads back as the redacted evidence', async () => {
      const evidence = fc.record({
        pod: fc.record({ metadata: fc.record({ name: fc.string({ minLength: 1 }), labels: fc.dictionary(fc.string({ minLength: 1 }), fc.string()) }) }),
        agentLogs: fc.array(fc.oneof(fc.string(), fc.constant(`key=${pkcs8Pem}`), fc.constant(`jwt ${jwtSvid}`))),
        serverConfig: fc.oneof(fc.string(), fc.constant('server {\n  join_token = "x"\n}')),
        // JSON has no -0, so the generated value is taken through JSON once, as any evidence file is.
        futureField: fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown),
      });

      await fc.assert(
        fc.asyncProperty(evidence, async (value) => {
          const path = join(directory, `${randomUUID()}.json`);
          await saveEvidenceFile(path, value);

          const loaded = await loadEvidenceFile(path);

          expect(loaded).toEqual({ apiVersion: 'spiffe-doctor/v1', kind: 'Evidence', ...redactEvidence(value) });
          expect(redactEvidence(loaded)).toEqual(loaded);
        }),
        { numRuns: 40 },
      );
    });
  });
});
