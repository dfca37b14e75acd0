/**
 * X509-SVID issuance rate of the embedded server's issuing code path (certificate
 * template, DER encoding and the CA signature) against a raw P-256 signing loop run
 * in the same process, alternating rounds so both see the same machine load. The
 * target is issuance at no less than half the raw signing rate.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

import { TrustDomainCa, type CaJournal } from '../embedded/server/ca.js';
import { encodeName } from '../embedded/server/certificate-builder.js';
import { parseCsr } from '../embedded/server/csr.js';
import { encodeBitString, encodeOid, encodeSequence, encodeTlv, encodeUnsignedInteger } from '../embedded/server/der.js';
import { createMemoryKeyManager } from '../embedded/server/key-manager.js';
import { issueX509Svid } from '../embedded/server/svid-issuer.js';
import type { Benchmark, BenchResult } from './types.js';

const ROUNDS = 4;
const ROUND_MS = 400;
const WORKLOAD_KEYS = 64;
/** About the size of an X509-SVID's TBSCertificate, so the raw loop hashes a similar input. */
const RAW_MESSAGE_BYTES = 420;

function countFor(durationMs: number, operation: () => void): { operations: number; elapsedMs: number } {
  const start = performance.now();
  let operations = 0;
  while (performance.now() - start < durationMs) {
    operation();
    operations += 1;
  }
  return { operations, elapsedMs: performance.now() - start };
}

/** Builds a P-256 PKCS#10 request with subject C=US, O=SPIRE, like the ones agents send. */
function buildCsr(): Buffer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const info = encodeSequence(
    encodeUnsignedInteger(0),
    encodeName([
      { type: 'C', value: 'US' },
      { type: 'O', value: 'SPIRE' },
    ]),
    publicKey.export({ format: 'der', type: 'spki' }),
    encodeTlv(0xa0, Buffer.alloc(0)),
  );
  return encodeSequence(info, encodeSequence(encodeOid('1.2.840.10045.4.3.2')), encodeBitString(sign('sha256', info, privateKey)));
}

function openBenchmarkCa(): TrustDomainCa {
  let journal: CaJournal | undefined;
  return TrustDomainCa.open({
    trustDomain: 'example.org',
    keyType: 'ec-p256',
    caTtlSeconds: 24 * 3600,
    keyManager: createMemoryKeyManager(),
    journalStore: { readCaJournal: () => journal, writeCaJournal: (value) => (journal = value) },
  });
}

async function run(): Promise<BenchResult> {
  const ca = openBenchmarkCa();
  const workloadKeys = Array.from({ length: WORKLOAD_KEYS }, () =>
    generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' }),
  );
  const csrs = Array.from({ length: WORKLOAD_KEYS }, buildCsr);
  const rawKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const rawMessage = randomBytes(RAW_MESSAGE_BYTES);

  let issued = 0;
  const issue = () => {
    issueX509Svid(ca.current, { spiffeId: `spiffe://example.org/workload/${issued % 1000}`, subjectPublicKeyInfo: workloadKeys[issued % WORKLOAD_KEYS]!, ttlSeconds: 3600 });
    issued += 1;
  };
  let fromCsr = 0;
  const issueFromCsr = () => {
    const csr = parseCsr(csrs[fromCsr % WORKLOAD_KEYS]!);
    issueX509Svid(ca.current, { spiffeId: 'spiffe://example.org/workload', subjectPublicKeyInfo: csr.subjectPublicKeyInfo, ttlSeconds: 3600 });
    fromCsr += 1;
  };
  const rawSign = () => {
    sign('sha256', rawMessage, rawKey);
  };

  // Warm both paths up so the JIT has compiled them, as in a long-running server.
  countFor(500, issue);
  countFor(200, rawSign);
  countFor(200, issueFromCsr);

  const totals = { issueOps: 0, issueMs: 0, rawOps: 0, rawMs: 0, csrOps: 0, csrMs: 0 };
  for (let round = 0; round < ROUNDS; round += 1) {
    const raw = countFor(ROUND_MS, rawSign);
    totals.rawOps += raw.operations;
    totals.rawMs += raw.elapsedMs;
    const issuance = countFor(ROUND_MS, issue);
    totals.issueOps += issuance.operations;
    totals.issueMs += issuance.elapsedMs;
    const withCsr = countFor(ROUND_MS / 2, issueFromCsr);
    totals.csrOps += withCsr.operations;
    totals.csrMs += withCsr.elapsedMs;
  }

  const issuePerSecond = (totals.issueOps * 1000) / totals.issueMs;
  const rawPerSecond = (totals.rawOps * 1000) / totals.rawMs;
  const csrPerSecond = (totals.csrOps * 1000) / totals.csrMs;
  const ratio = issuePerSecond / rawPerSecond;
  return {
    name: 'svid-issuance',
    metrics: [
      { name: 'X509-SVID issuance (P-256 CA)', value: issuePerSecond, unit: 'SVIDs/s' },
      { name: 'raw P-256 ECDSA-SHA256 signatures', value: rawPerSecond, unit: 'signatures/s' },
      { name: 'X509-SVID issuance from a CSR (parse, verify, sign)', value: csrPerSecond, unit: 'SVIDs/s' },
    ],
    ratios: [
      { name: 'issuance / raw signing', value: ratio, target: '>= 0.5', met: ratio >= 0.5 },
      { name: 'issuance from CSR / raw signing (no target: adds one ECDSA verification)', value: csrPerSecond / rawPerSecond },
    ],
    notes: [
      `${ROUNDS} alternating rounds of ${ROUND_MS} ms each; single thread, Node ${process.version}.`,
      'The target ratio starts from the workload public key. The CSR metric adds what BatchNewX509SVID does per item before that: parsing the request and verifying its signature.',
    ],
  };
}

export const benchmark: Benchmark = { name: 'svid-issuance', run };
