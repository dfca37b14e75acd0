/**
 * The certificate the workload presents on its TLS ports is a current X509-SVID with
 * the expected SPIFFE ID. A workload can hold a fresh SVID from the agent and still
 * serve an old one it loaded once and never reloaded.
 */
import { X509Certificate } from 'node:crypto';
import { findExpectedSpiffeId } from '../support/entry-candidates.js';
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import type { ServedCertificate } from '../../evidence/types.js';
import type { Check, Finding } from '../types.js';

interface ServedLeaf {
  readonly port: number;
  readonly certificate: X509Certificate | undefined;
  readonly uri: string | undefined;
}

function readLeaf(served: ServedCertificate): ServedLeaf {
  const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(served.pem)?.[0];
  if (pem === undefined) {
    return { port: served.port, certificate: undefined, uri: undefined };
  }
  try {
    const certificate = new X509Certificate(pem);
    const uri = /URI:(spiffe:\/\/[^,\s]+)/.exec(certificate.subjectAltName ?? '')?.[1];
    return { port: served.port, certificate, uri };
  } catch {
    return { port: served.port, certificate: undefined, uri: undefined };
  }
}

function judgeLeaf(checkId: string, leaf: ServedLeaf, now: Date | undefined, expected: string | undefined): Finding | undefined {
  const certificate = leaf.certificate;
  if (certificate === undefined) {
    return undefined;
  }
  const notAfter = new Date(certificate.validTo);
  const notBefore = new Date(certificate.validFrom);
  if (now !== undefined && (notAfter <= now || notBefore > now)) {
    return failed(checkId, {
      cause: 'svid-expired',
      confidence: 'certain',
      summary: `Port ${leaf.port} serves a certificate${leaf.uri ? ` for ${leaf.uri}` : ''} valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}, which is not valid at ${now.toISOString()}.`,
      evidence: [`port ${leaf.port}: notBefore ${certificate.validFrom}, notAfter ${certificate.validTo}`],
      fix: ['Make the workload reload its SVID when the agent rotates it (watch the Workload API stream, or use spiffe-helper to rewrite files and signal the process).'],
    });
  }
  if (expected !== undefined && leaf.uri !== undefined && leaf.uri !== expected) {
    return failed(checkId, {
      cause: 'wrong-identity',
      confidence: 'certain',
      summary: `Port ${leaf.port} serves a certificate for ${leaf.uri}, but peers expect ${expected}.`,
      evidence: [`port ${leaf.port}: URI SAN ${leaf.uri}`],
      fix: [`Serve the SVID for ${expected}: fix the entry's SPIFFE ID or the SVID the workload selects.`],
    });
  }
  return undefined;
}

export const servedCertificateValidCheck = {
  id: 'served-certificate-valid',
  category: 'svid',
  title: 'The workload serves a current SVID with the expected ID',
  severity: 'error',
  requires: ['servedCertificates'],
  run({ evidence, now }) {
    const leaves = (evidence.servedCertificates ?? []).map(readLeaf);
    const unreadable = leaves.filter((leaf) => leaf.certificate === undefined);
    const trustDomain = leaves.find((leaf) => leaf.uri !== undefined)?.uri?.match(/^spiffe:\/\/([^/]+)/)?.[1];
    const expected = findExpectedSpiffeId(evidence, trustDomain);
    const problems = leaves.flatMap((leaf) => judgeLeaf(this.id, leaf, now, expected) ?? []);
    if (problems.length > 0) {
      return problems;
    }
    if (unreadable.length === leaves.length) {
      return [skippedFor(this.id, `No served certificate could be parsed (ports ${unreadable.map((leaf) => leaf.port).join(', ')}).`)];
    }
    return [passed(this.id, `The served certificates are valid${now === undefined ? ' (validity not judged: the evidence has no time)' : ''}${expected === undefined ? '' : ` and name ${expected}`}.`)];
  },
} satisfies Check;
