/**
 * PKCS#10 certificate signing requests (RFC 2986) that the agent sends the server.
 * As in SPIRE 1.15's agent, each has subject `C=US, O=SPIRE` and an EC P-256 key, and
 * a workload SVID request also has one URI SAN with the entry's SPIFFE ID. The DER is
 * built with the server's encoders, so both halves share one ASN.1 layer.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { encodeName, signatureAlgorithmFor } from '../server/certificate-builder.js';
import { encodeBitString, encodeExplicit, encodeOctetString, encodeOid, encodeSequence, encodeSet, encodeTlv, encodeUnsignedInteger } from '../server/der.js';

const EXTENSION_REQUEST_OID = '1.2.840.113549.1.9.14';
const SUBJECT_ALT_NAME_OID = '2.5.29.17';
/** Context-specific primitive tag 6: `uniformResourceIdentifier` in GeneralName. */
const URI_NAME_TAG = 0x86;

/** A fresh key pair and a CSR for it. */
export interface KeyAndCsr {
  readonly privateKey: KeyObject;
  /** PKCS#8 DER of `privateKey`. */
  readonly privateKeyDer: Buffer;
  readonly csr: Buffer;
}

/** Generates an EC P-256 key and a CSR for it, with `spiffeId` as URI SAN when given. */
export function generateKeyAndCsr(spiffeId?: string): KeyAndCsr {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subjectPublicKeyInfo = publicKey.export({ format: 'der', type: 'spki' });
  const attributes = spiffeId ? [extensionRequest(spiffeId)] : [];

  const requestInfo = encodeSequence(
    encodeUnsignedInteger(0),
    encodeName([
      { type: 'C', value: 'US' },
      { type: 'O', value: 'SPIRE' },
    ]),
    subjectPublicKeyInfo,
    encodeExplicit(0, Buffer.concat(attributes)),
  );
  const algorithm = signatureAlgorithmFor(privateKey);
  const signature = sign(algorithm.hash, requestInfo, privateKey);
  const csr = encodeSequence(requestInfo, algorithm.identifier, encodeBitString(signature));

  return { privateKey, privateKeyDer: privateKey.export({ format: 'der', type: 'pkcs8' }), csr };
}

function extensionRequest(spiffeId: string): Buffer {
  const subjectAltName = encodeSequence(encodeOid(SUBJECT_ALT_NAME_OID), encodeOctetString(encodeSequence(encodeTlv(URI_NAME_TAG, Buffer.from(spiffeId, 'utf8')))));
  return encodeSequence(encodeOid(EXTENSION_REQUEST_OID), encodeSet(encodeSequence(subjectAltName)));
}
