/**
 * X509-SVID checks from the SPIFFE X509-SVID standard (X509-SVID.md, sections 2
 * to 5): the leaf's single URI SAN, its CA flag and key usage, and its chain to an
 * X.509 authority of the trust domain's bundle.
 */
import { X509Certificate } from 'node:crypto';
import { decodeBasicConstraintsCa, decodeKeyUsage, decodeSubjectAltNameUris, readCertificateExtensions, type CertificateExtension } from './der.js';
import { SpiffeIdError } from './errors.js';
import { formatSpiffeId, parseSpiffeId } from './id.js';

const OID_KEY_USAGE = '2.5.29.15';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';

/** The SPIFFE-relevant facts of one certificate. */
export interface CertificateFacts {
  readonly uris: readonly string[];
  readonly isCa: boolean;
  /** Key usage bit names, or undefined when the extension is absent. */
  readonly keyUsage: readonly string[] | undefined;
  readonly keyUsageCritical: boolean;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Reads the URI SANs, CA flag, key usage and validity period of a certificate. */
export function readCertificateFacts(certificate: X509Certificate): CertificateFacts {
  const extensions = readCertificateExtensions(certificate.raw);
  const byOid = (oid: string): CertificateExtension | undefined => extensions.find((extension) => extension.oid === oid);
  const keyUsage = byOid(OID_KEY_USAGE);
  const subjectAltName = byOid(OID_SUBJECT_ALT_NAME);
  const basicConstraints = byOid(OID_BASIC_CONSTRAINTS);
  return {
    uris: subjectAltName === undefined ? [] : decodeSubjectAltNameUris(subjectAltName.value),
    isCa: basicConstraints !== undefined && decodeBasicConstraintsCa(basicConstraints.value),
    keyUsage: keyUsage === undefined ? undefined : decodeKeyUsage(keyUsage.value),
    keyUsageCritical: keyUsage?.critical ?? false,
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
  };
}

/** The X509-SVID rule a certificate chain breaks. */
export type X509SvidProblemCode =
  | 'empty-chain'
  | 'no-uri-san'
  | 'several-uri-sans'
  | 'invalid-spiffe-id'
  | 'leaf-id-without-path'
  | 'leaf-is-ca'
  | 'key-usage-missing'
  | 'key-usage-not-critical'
  | 'digital-signature-missing'
  | 'leaf-can-sign-certificates'
  | 'leaf-can-sign-crls'
  | 'not-yet-valid'
  | 'expired'
  | 'no-trusted-root'
  | 'intermediate-not-ca';

/** One broken rule, with a message that names the certificate involved. */
export interface X509SvidProblem {
  readonly code: X509SvidProblemCode;
  readonly message: string;
}

/** The outcome of {@link verifyX509Svid}. */
export interface X509SvidVerification {
  /** The leaf's SPIFFE ID, when it has exactly one valid one. */
  readonly spiffeId?: string;
  readonly problems: readonly X509SvidProblem[];
}

/**
 * Checks an X509-SVID leaf against the standard's leaf rules: exactly one URI SAN
 * that is a SPIFFE ID with a path, `cA` false, a critical key usage extension with
 * digitalSignature and without keyCertSign or cRLSign.
 */
export function validateX509SvidLeaf(leaf: X509Certificate): X509SvidVerification {
  const facts = readCertificateFacts(leaf);
  const problems: X509SvidProblem[] = [];
  const spiffeId = readLeafId(facts.uris, problems);

  if (facts.isCa) {
    problems.push({ code: 'leaf-is-ca', message: 'the leaf certificate has the CA flag set' });
  }
  problems.push(...keyUsageProblems(facts));
  return spiffeId === undefined ? { problems } : { spiffeId, problems };
}

function readLeafId(uris: readonly string[], problems: X509SvidProblem[]): string | undefined {
  if (uris.length === 0) {
    problems.push({ code: 'no-uri-san', message: 'the leaf certificate has no URI SAN' });
    return undefined;
  }
  if (uris.length > 1) {
    problems.push({ code: 'several-uri-sans', message: `the leaf certificate has ${uris.length} URI SANs (${uris.join(', ')}), but an X509-SVID has exactly one` });
    return undefined;
  }

  const uri = uris[0] as string;
  try {
    const id = parseSpiffeId(uri);
    if (id.path === '') {
      problems.push({ code: 'leaf-id-without-path', message: `the leaf's SPIFFE ID ${uri} has no path, which only signing certificates may have` });
    }
    return formatSpiffeId(id);
  } catch (error) {
    if (error instanceof SpiffeIdError) {
      problems.push({ code: 'invalid-spiffe-id', message: `the leaf's URI SAN ${JSON.stringify(uri)} is not a valid SPIFFE ID: ${error.reason}` });
      return undefined;
    }
    throw error;
  }
}

function keyUsageProblems(facts: CertificateFacts): X509SvidProblem[] {
  if (facts.keyUsage === undefined) {
    return [{ code: 'key-usage-missing', message: 'the leaf certificate has no key usage extension' }];
  }
  const problems: X509SvidProblem[] = [];
  if (!facts.keyUsageCritical) {
    problems.push({ code: 'key-usage-not-critical', message: 'the leaf certificate key usage extension is not marked critical' });
  }
  if (!facts.keyUsage.includes('digitalSignature')) {
    problems.push({ code: 'digital-signature-missing', message: 'the leaf certificate key usage lacks digitalSignature' });
  }
  if (facts.keyUsage.includes('keyCertSign')) {
    problems.push({ code: 'leaf-can-sign-certificates', message: 'the leaf certificate key usage includes keyCertSign' });
  }
  if (facts.keyUsage.includes('cRLSign')) {
    problems.push({ code: 'leaf-can-sign-crls', message: 'the leaf certificate key usage includes cRLSign' });
  }
  return problems;
}

/** Options of {@link verifyX509Svid}. */
export interface VerifyX509SvidOptions {
  /** The time to judge validity periods at. Default: the current time. */
  readonly now?: Date;
}

/**
 * Verifies an X509-SVID chain (leaf first, then intermediates) against the X.509
 * authorities of its trust domain's bundle: the leaf rules, every certificate's
 * validity period at `now`, and a chain of signatures from the leaf through CA
 * intermediates to an authority.
 *
 * NOTE: this is not full RFC 5280 path validation. Name constraints, policies and
 * path length limits are not checked.
 */
export function verifyX509Svid(chain: readonly X509Certificate[], authorities: readonly X509Certificate[], options: VerifyX509SvidOptions = {}): X509SvidVerification {
  const [leaf, ...intermediates] = chain;
  if (leaf === undefined) {
    return { problems: [{ code: 'empty-chain', message: 'the certificate chain is empty' }] };
  }
  const now = options.now ?? new Date();
  const leafResult = validateX509SvidLeaf(leaf);
  const problems = [...leafResult.problems, ...validityProblems(chain, now), ...chainProblems(leaf, intermediates, authorities)];
  return leafResult.spiffeId === undefined ? { problems } : { spiffeId: leafResult.spiffeId, problems };
}

function validityProblems(chain: readonly X509Certificate[], now: Date): X509SvidProblem[] {
  return chain.flatMap((certificate, index): X509SvidProblem[] => {
    const name = index === 0 ? 'the leaf certificate' : `intermediate ${index}`;
    const notBefore = new Date(certificate.validFrom);
    const notAfter = new Date(certificate.validTo);
    if (notBefore.getTime() > now.getTime()) {
      return [{ code: 'not-yet-valid', message: `${name} is not valid before ${notBefore.toISOString()}` }];
    }
    if (notAfter.getTime() <= now.getTime()) {
      return [{ code: 'expired', message: `${name} expired at ${notAfter.toISOString()}` }];
    }
    return [];
  });
}

/** Follows issuer signatures from the leaf through the given intermediates to an authority. */
function chainProblems(leaf: X509Certificate, intermediates: readonly X509Certificate[], authorities: readonly X509Certificate[]): X509SvidProblem[] {
  const problems: X509SvidProblem[] = [];
  intermediates.forEach((intermediate, index) => {
    if (!intermediate.ca) {
      problems.push({ code: 'intermediate-not-ca', message: `intermediate ${index + 1} (${intermediate.subject}) is not a CA certificate` });
    }
  });

  let current = leaf;
  const unused = [...intermediates];
  for (let depth = 0; depth <= intermediates.length; depth++) {
    if (authorities.some((authority) => isSignedBy(current, authority) || current.fingerprint256 === authority.fingerprint256)) {
      return problems;
    }
    const nextIndex = unused.findIndex((candidate) => isSignedBy(current, candidate));
    if (nextIndex < 0) {
      break;
    }
    current = unused.splice(nextIndex, 1)[0] as X509Certificate;
  }
  problems.push({
    code: 'no-trusted-root',
    message: `no X.509 authority in the bundle signed the chain (last certificate issued by ${current.issuer.replaceAll('\n', ', ')})`,
  });
  return problems;
}

function isSignedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
}

/** Reads every `CERTIFICATE` PEM block in `text`, in order. */
export function parsePemCertificates(text: string): X509Certificate[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}
