/**
 * The SVID checks and the fetch output parser: the fetch result in the pretty and
 * JSON forms `spire-agent api fetch` prints, identity against expectations, validity
 * against the evidence time, served certificates, federated bundles and JWT audiences.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFetchOutput, parseGoTime } from '../../src/checks/support/fetch-output.js';
import { federatedBundlePresentCheck } from '../../src/checks/svid/federated-bundle-present.js';
import { jwtAudienceMatchesCheck } from '../../src/checks/svid/jwt-audience-matches.js';
import { servedCertificateValidCheck } from '../../src/checks/svid/served-certificate-valid.js';
import { svidIdentityExpectedCheck } from '../../src/checks/svid/svid-identity-expected.js';
import { svidValidNowCheck } from '../../src/checks/svid/svid-valid-now.js';
import { workloadFetchSucceedsCheck } from '../../src/checks/svid/workload-fetch-succeeds.js';
import type { Finding } from '../../src/checks/types.js';
import type { Evidence } from '../../src/evidence/types.js';
import { logLine, makeEvidence, makePod } from './fixtures.js';
import { runCheck } from './run-check.js';

async function makeSvidCertificate(spiffeId: string, notBefore: Date, notAfter: Date) {
  return issueLeaf(await createRootCa('example.org'), { uris: [spiffeId], notBefore, notAfter });
}
import { createRootCa, issueLeaf } from '../spiffe/test-certificates.js';

const PRETTY_X509 = [
  'Received 1 svid after 12.402ms',
  '',
  'SPIFFE ID:\t\tspiffe://example.org/ns/shop/sa/web',
  'SVID Valid After:\t2024-05-14 09:19:39 +0000 UTC',
  'SVID Valid Until:\t2024-05-14 10:19:49 +0000 UTC',
  'CA #1 Valid After:\t2024-05-13 14:00:12 +0000 UTC',
  'CA #1 Valid Until:\t2024-05-14 14:00:22 +0000 UTC',
  '[east.example] CA #1 Valid After:\t2024-05-13 14:00:12 +0000 UTC',
  '',
].join('\n');

function jwtToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'ES256', typ: 'JWT' })}.${encode(claims)}.c2lnbmF0dXJl`;
}

describe('parseFetchOutput', () => {
  it('reads pretty X.509 output', () => {
    const output = parseFetchOutput(PRETTY_X509);

    expect(output?.svids).toHaveLength(1);
    expect(output?.svids[0]?.spiffeId).toBe('spiffe://example.org/ns/shop/sa/web');
    expect(output?.svids[0]?.validUntil?.toISOString()).toBe('2024-05-14T10:19:49.000Z');
    expect(output?.federatedTrustDomains).toEqual(['east.example']);
  });

  it('reads pretty JWT output', () => {
    const token = jwtToken({ sub: 'spiffe://example.org/ns/shop/sa/web', aud: ['billing'], exp: 1715684400 });
    const output = parseFetchOutput(`token(spiffe://example.org/ns/shop/sa/web):\n\t${token}\nbundle(spiffe://example.org):\n\t{"keys":[]}\n`);

    expect(output?.svids[0]?.kind).toBe('jwt');
    expect(output?.svids[0]?.audience).toEqual(['billing']);
    expect(output?.svids[0]?.validUntil?.toISOString()).toBe('2024-05-14T11:00:00.000Z');
  });

  it('reads JSON X.509 output with real DER', async () => {
    const certificate = await makeSvidCertificate('spiffe://example.org/ns/shop/sa/web', new Date('2024-05-14T09:00:00Z'), new Date('2024-05-14T10:00:00Z'));
    const chain = certificate.raw.toString('base64');
    const output = parseFetchOutput(JSON.stringify({ crl: [], federated_bundles: { 'spiffe://east.example': 'AA==' }, svids: [{ spiffe_id: 'spiffe://example.org/ns/shop/sa/web', x509_svid: chain, bundle: '', hint: '' }] }));

    expect(output?.svids[0]?.validAfter?.toISOString()).toBe('2024-05-14T09:00:00.000Z');
    expect(output?.svids[0]?.validUntil?.toISOString()).toBe('2024-05-14T10:00:00.000Z');
    expect(output?.federatedTrustDomains).toEqual(['east.example']);
  });

  it('reads JSON JWT output', () => {
    const token = jwtToken({ sub: 'spiffe://example.org/ns/shop/sa/web', aud: 'billing' });
    const output = parseFetchOutput(JSON.stringify([{ svids: [{ spiffe_id: 'spiffe://example.org/ns/shop/sa/web', svid: token }] }, { bundles: {} }]));

    expect(output?.svids[0]?.audience).toEqual(['billing']);
  });

  it.each(['', 'rpc error: code = PermissionDenied desc = no identity issued', '{not json'])('rejects %j', (text) => {
    expect(parseFetchOutput(text)).toBeUndefined();
  });

  it('parses Go time text', () => {
    expect(parseGoTime('2023-01-19 09:19:39 +0000 UTC')?.toISOString()).toBe('2023-01-19T09:19:39.000Z');
    expect(parseGoTime('yesterday')).toBeUndefined();
  });
});

interface SvidCase {
  readonly name: string;
  readonly evidence: Evidence;
  readonly status: Finding['status'];
  readonly cause?: Finding['cause'];
  readonly summary?: string;
}

function expectCase(finding: Finding, expected: SvidCase): void {
  expect(finding.status).toBe(expected.status);
  if (expected.cause !== undefined) {
    expect(finding.cause).toBe(expected.cause);
  }
  if (expected.summary !== undefined) {
    expect(finding.summary).toContain(expected.summary);
  }
}

describe('workload-fetch-succeeds', () => {
  const cases: readonly SvidCase[] = [
    { name: 'printed SVID passes', evidence: makeEvidence({ workloadFetch: { exitCode: 0, stdout: PRETTY_X509 } }), status: 'pass' },
    { name: 'no identity issued', evidence: makeEvidence({ workloadFetch: { exitCode: 1, stderr: 'rpc error: code = PermissionDenied desc = no identity issued' } }), status: 'fail', summary: 'has no identity for it' },
    {
      name: 'missing socket',
      evidence: makeEvidence({ workloadFetch: { exitCode: 1, stderr: 'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /run/spire/sockets/agent.sock: connect: no such file or directory"' } }),
      status: 'fail',
      summary: 'no socket exists at /run/spire/sockets/agent.sock',
    },
    { name: 'foreign server on socket', evidence: makeEvidence({ workloadFetch: { exitCode: 1, stderr: 'rpc error: code = Unimplemented desc = unknown service SpiffeWorkloadAPI' } }), status: 'fail', summary: 'not a SPIFFE Workload API server' },
  ];

  it.each(cases)('$name', (testCase) => {
    const finding = runCheck(workloadFetchSucceedsCheck, testCase.evidence);

    expectCase(finding, testCase);
    expect(finding.cause).toBeNull();
  });
});

describe('svid-identity-expected', () => {
  const istioPod = { ...makePod(), spec: { ...makePod().spec, containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.19.0' }] } };
  const cases: readonly SvidCase[] = [
    { name: 'expected ID passes', evidence: makeEvidence({ expectedSpiffeId: 'spiffe://example.org/ns/shop/sa/web' }), status: 'pass' },
    { name: 'other ID fails', evidence: makeEvidence({ expectedSpiffeId: 'spiffe://example.org/ns/shop/sa/api' }), status: 'fail', cause: 'wrong-identity', summary: 'it is expected to be spiffe://example.org/ns/shop/sa/api' },
    {
      name: 'Istio convention applies',
      evidence: makeEvidence({ pod: istioPod, agentLogs: [], workloadFetch: { exitCode: 0, stdout: PRETTY_X509.replace('/ns/shop/sa/web', '/workload/web') } }),
      status: 'fail',
      cause: 'wrong-identity',
      summary: "Istio's naming convention expects spiffe://example.org/ns/shop/sa/web",
    },
    { name: 'nothing expected', evidence: makeEvidence(), status: 'skipped' },
    {
      name: 'expected SVID is not first',
      evidence: makeEvidence({
        expectedSpiffeId: 'spiffe://example.org/ns/shop/sa/web',
        agentLogs: [],
        workloadFetch: { exitCode: 0, stdout: `Received 2 svids after 9ms\n\nSPIFFE ID:\t\tspiffe://example.org/ns/shop/sa/admin\n\nSPIFFE ID:\t\tspiffe://example.org/ns/shop/sa/web\n` },
      }),
      status: 'fail',
      cause: 'wrong-identity',
      summary: 'a client takes the first, spiffe://example.org/ns/shop/sa/admin',
    },
  ];

  it.each(cases)('$name', (testCase) => {
    expectCase(runCheck(svidIdentityExpectedCheck, testCase.evidence), testCase);
  });
});

describe('svid-valid-now', () => {
  const cases: readonly SvidCase[] = [
    { name: 'valid SVID passes', evidence: makeEvidence({ gatheredAt: '2024-05-14T10:00:00Z', workloadFetch: { exitCode: 0, stdout: PRETTY_X509 } }), status: 'pass' },
    { name: 'expired SVID fails', evidence: makeEvidence({ gatheredAt: '2024-05-14T11:00:00Z', workloadFetch: { exitCode: 0, stdout: PRETTY_X509 } }), status: 'fail', cause: 'svid-expired', summary: 'expired at 2024-05-14T10:19:49.000Z' },
    { name: 'future SVID fails', evidence: makeEvidence({ gatheredAt: '2024-05-14T08:00:00Z', workloadFetch: { exitCode: 0, stdout: PRETTY_X509 } }), status: 'fail', cause: 'svid-expired', summary: 'is not valid before' },
  ];

  it.each(cases)('$name', (testCase) => {
    expectCase(runCheck(svidValidNowCheck, testCase.evidence), testCase);
  });
});

describe('served-certificate-valid', () => {
  let currentPem = '';
  let expiredPem = '';

  beforeAll(async () => {
    currentPem = (await makeSvidCertificate('spiffe://example.org/ns/shop/sa/web', new Date('2024-05-14T09:00:00Z'), new Date('2024-05-14T11:00:00Z'))).toString();
    expiredPem = (await makeSvidCertificate('spiffe://example.org/ns/shop/sa/web', new Date('2024-05-13T09:00:00Z'), new Date('2024-05-13T10:00:00Z'))).toString();
  });

  it('passes a current certificate', () => {
    const finding = runCheck(servedCertificateValidCheck, makeEvidence({ servedCertificates: [{ port: 8443, pem: currentPem }] }));

    expect(finding.status).toBe('pass');
  });

  it('fails an expired certificate', () => {
    const finding = runCheck(servedCertificateValidCheck, makeEvidence({ servedCertificates: [{ port: 8443, pem: expiredPem }] }));

    expect(finding.status).toBe('fail');
    expect(finding.cause).toBe('svid-expired');
    expect(finding.summary).toContain('Port 8443');
  });

  it('fails an unexpected identity', () => {
    const finding = runCheck(servedCertificateValidCheck, makeEvidence({ servedCertificates: [{ port: 8443, pem: currentPem }], expectedSpiffeId: 'spiffe://example.org/ns/shop/sa/api' }));

    expect(finding.cause).toBe('wrong-identity');
  });

  it('skips unparseable PEM', () => {
    const finding = runCheck(servedCertificateValidCheck, makeEvidence({ servedCertificates: [{ port: 8443, pem: 'garbage' }] }));

    expect(finding.status).toBe('skipped');
  });
});

describe('federated-bundle-present', () => {
  const cases: readonly SvidCase[] = [
    { name: 'no sign passes', evidence: makeEvidence(), status: 'pass' },
    {
      name: 'validator has no keys',
      evidence: makeEvidence({
        agentLogs: [logLine('2024-05-14T09:53:55Z', 'warning', 'Failed to validate JWT', { audience: 'accounts', error: 'no keys found for trust domain "east.example"', method: 'ValidateJWTSVID' })],
        serverLogs: [logLine('2024-05-14T09:50:04Z', 'error', 'Error updating bundle', { error: "can't perform SPIFFE Authentication: local copy of bundle not found", subsystem_name: 'bundle_client', trust_domain: 'east.example' })],
      }),
      status: 'fail',
      cause: 'federation-bundle-missing',
      summary: 'local copy of bundle not found',
    },
    {
      name: 'fetch reports missing keys',
      evidence: makeEvidence({ workloadFetch: { exitCode: 1, stderr: 'rpc error: code = InvalidArgument desc = no keys found for trust domain "east.example"' } }),
      status: 'fail',
      cause: 'federation-bundle-missing',
      summary: 'east.example',
    },
  ];

  it.each(cases)('$name', (testCase) => {
    expectCase(runCheck(federatedBundlePresentCheck, testCase.evidence), testCase);
  });
});

describe('jwt-audience-matches', () => {
  const cases: readonly SvidCase[] = [
    { name: 'no rejection passes', evidence: makeEvidence(), status: 'pass' },
    {
      name: 'wrong audience fails',
      evidence: makeEvidence({ agentLogs: [logLine('2024-05-14T09:53:55Z', 'warning', 'Failed to validate JWT', { audience: 'billing', error: 'expected audience in ["billing"] (audience=["payments"])', method: 'ValidateJWTSVID' })] }),
      status: 'fail',
      cause: 'jwt-audience-mismatch',
      summary: 'the token carries ["payments"]',
    },
  ];

  it.each(cases)('$name', (testCase) => {
    expectCase(runCheck(jwtAudienceMatchesCheck, testCase.evidence), testCase);
  });
});
