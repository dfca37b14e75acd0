/**
 * A checker for the SPIFFE X509-SVID specification (X509-SVID.md, sections 2 to 5),
 * written from the specification text and used on every certificate the tests get
 * from the server. It parses with @peculiar/asn1-x509 (the ASN.1 layer of
 * @peculiar/x509, which itself needs a reflect-metadata polyfill), independently of the server's
 * own DER code, and verifies chains with Node's `crypto.X509Certificate`.
 */
import { X509Certificate as NodeX509Certificate } from 'node:crypto';

import { AsnConvert } from '@peculiar/asn1-schema';
import {
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_kp_clientAuth,
  id_kp_serverAuth,
  type Extension,
} from '@peculiar/asn1-x509';

interface ParsedCertificate {
  readonly subjectIsEmpty: boolean;
  readonly extensions: readonly Extension[];
}

function parseCertificate(der: Buffer): ParsedCertificate {
  const certificate = AsnConvert.parse(der, Certificate);
  return {
    subjectIsEmpty: certificate.tbsCertificate.subject.length === 0,
    extensions: certificate.tbsCertificate.extensions ?? [],
  };
}

function findExtension(certificate: ParsedCertificate, oid: string): Extension | undefined {
  return certificate.extensions.find((extension) => extension.extnID === oid);
}

function readUris(certificate: ParsedCertificate): string[] {
  const extension = findExtension(certificate, id_ce_subjectAltName);
  if (extension === undefined) return [];
  const names = AsnConvert.parse(extension.extnValue, SubjectAlternativeName);
  return names.filter((name) => name.uniformResourceIdentifier !== undefined).map((name) => name.uniformResourceIdentifier!);
}

function readKeyUsage(certificate: ParsedCertificate): { readonly critical: boolean; readonly flags: number } | undefined {
  const extension = findExtension(certificate, id_ce_keyUsage);
  if (extension === undefined) return undefined;
  return { critical: extension.critical, flags: AsnConvert.parse(extension.extnValue, KeyUsage).toNumber() };
}

/** Returns every rule the leaf and its chain to `roots` break; empty when it conforms. */
export function findX509SvidViolations(chain: readonly Buffer[], roots: readonly Buffer[], now = new Date()): string[] {
  const problems: string[] = [];
  const leafDer = chain[0];
  if (leafDer === undefined) {
    return ['chain is empty'];
  }

  const leaf = parseCertificate(leafDer);
  const uris = readUris(leaf);
  if (uris.length !== 1) problems.push(`expected exactly one URI SAN, got ${uris.length}`);
  const id = uris[0] ?? '';
  if (!/^spiffe:\/\/[a-z0-9._-]+\/.+/.test(id)) problems.push(`leaf URI SAN ${id} is not a SPIFFE ID with a path`);
  if (leaf.subjectIsEmpty && findExtension(leaf, id_ce_subjectAltName)?.critical !== true) {
    problems.push('SAN must be critical when the subject is empty');
  }

  const basic = findExtension(leaf, id_ce_basicConstraints);
  if (basic !== undefined && AsnConvert.parse(basic.extnValue, BasicConstraints).cA) problems.push('leaf has cA=true');

  const keyUsage = readKeyUsage(leaf);
  if (keyUsage === undefined) problems.push('keyUsage is missing');
  if (keyUsage !== undefined && !keyUsage.critical) problems.push('keyUsage is not critical');
  const usages = keyUsage?.flags ?? 0;
  if ((usages & KeyUsageFlags.digitalSignature) === 0) problems.push('leaf lacks digitalSignature');
  if ((usages & KeyUsageFlags.keyCertSign) !== 0) problems.push('leaf has keyCertSign');
  if ((usages & KeyUsageFlags.cRLSign) !== 0) problems.push('leaf has cRLSign');

  const extendedKeyUsage = findExtension(leaf, id_ce_extKeyUsage);
  if (extendedKeyUsage !== undefined) {
    const ekus = [...AsnConvert.parse(extendedKeyUsage.extnValue, ExtendedKeyUsage)];
    if (!ekus.includes(id_kp_serverAuth)) problems.push('EKU lacks serverAuth');
    if (!ekus.includes(id_kp_clientAuth)) problems.push('EKU lacks clientAuth');
  }

  problems.push(...findChainViolations(chain, roots, now));
  return problems;
}

function findChainViolations(chain: readonly Buffer[], roots: readonly Buffer[], now: Date): string[] {
  const nodeChain = chain.map((der) => new NodeX509Certificate(der));
  const nodeRoots = roots.map((der) => new NodeX509Certificate(der));
  const problems: string[] = [];

  for (const certificate of nodeChain) {
    if (new Date(certificate.validFrom) > now || new Date(certificate.validTo) < now) {
      problems.push(`certificate ${certificate.serialNumber} is not valid at ${now.toISOString()}`);
    }
  }
  for (let index = 0; index + 1 < nodeChain.length; index += 1) {
    if (!nodeChain[index]!.checkIssued(nodeChain[index + 1]!) || !nodeChain[index]!.verify(nodeChain[index + 1]!.publicKey)) {
      problems.push(`certificate ${index} is not signed by certificate ${index + 1}`);
    }
  }

  const last = nodeChain[nodeChain.length - 1]!;
  const root = nodeRoots.find((candidate) => last.checkIssued(candidate) && last.verify(candidate.publicKey));
  if (root === undefined) {
    problems.push('chain does not verify to any bundle root');
    return problems;
  }
  if (!root.ca) problems.push('signing root is not a CA');
  const rootParsed = parseCertificate(root.raw);
  const rootUsage = readKeyUsage(rootParsed)?.flags ?? 0;
  if ((rootUsage & KeyUsageFlags.keyCertSign) === 0) problems.push('signing root lacks keyCertSign');
  const rootUris = readUris(rootParsed);
  if (rootUris.length !== 1 || !/^spiffe:\/\/[a-z0-9._-]+$/.test(rootUris[0]!)) problems.push('signing root SPIFFE ID must have no path');
  return problems;
}
