/**
 * The trust-domain certificate authority: a self-signed X.509 root and a JWT signing
 * key, both rotated before they expire, with SPIRE 1.15's schedule. The next
 * generation is prepared at half of the current one's lifetime and published in the
 * bundle at once. It becomes active when a sixth of the lifetime remains, so agents
 * hold both roots during the overlap.
 */
import { createPublicKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { X509Certificate } from 'node:crypto';

import {
  buildCertificate,
  computeSubjectKeyIdentifier,
  generateSerialNumber,
  type CertificateSigner,
  type NameAttribute,
} from './certificate-builder.js';
import type { KeyManager, KeyType } from './key-manager.js';

/** One generation of the CA: the X.509 root and the JWT key minted with it. */
export interface CaSlot {
  readonly x509KeyId: string;
  /** DER of the self-signed root, base64. */
  readonly certificate: string;
  readonly jwtKeyId: string;
  readonly jwtKid: string;
  /** Unix seconds. */
  readonly jwtNotAfter: number;
}

/** The CA generations in use, persisted so a restart with the disk key manager keeps them. */
export interface CaJournal {
  readonly current?: CaSlot;
  readonly next?: CaSlot;
}

/** Storage of the CA journal, implemented by the datastore. */
export interface CaJournalStore {
  readCaJournal(): CaJournal | undefined;
  writeCaJournal(journal: CaJournal): void;
}

export interface CaOptions {
  readonly trustDomain: string;
  readonly keyType: KeyType;
  /** Defaults to `keyType`, as in SPIRE. */
  readonly jwtKeyType?: KeyType;
  readonly caTtlSeconds: number;
  readonly keyManager: KeyManager;
  readonly journalStore: CaJournalStore;
  /** Country and organization of the root subject; SPIRE's default is C=US, O=SPIFFE. */
  readonly subject?: { readonly country?: string; readonly organization?: string; readonly commonName?: string };
  readonly now?: () => Date;
}

/** A JWT signing authority as published in the bundle. */
export interface JwtAuthority {
  readonly publicKey: KeyObject;
  readonly keyId: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

/** A loaded CA generation with its keys. */
export interface ActiveAuthority {
  readonly certificate: X509Certificate;
  /** The root's NotAfter in Unix milliseconds. */
  readonly notAfterMs: number;
  readonly certificateDer: Buffer;
  readonly signer: CertificateSigner;
  readonly jwtKey: KeyObject;
  readonly jwt: JwtAuthority;
}

/** SPIRE's rotation thresholds: prepare at half the lifetime but at most 30 days before expiry, activate at a sixth left but at most 7 days before. */
const PREPARE_CAP_SECONDS = 30 * 24 * 3600;
const ACTIVATE_CAP_SECONDS = 7 * 24 * 3600;
const NOT_BEFORE_CUSHION_MS = 10_000;
const KID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The trust domain's X.509 and JWT authority with its rotation state. */
export class TrustDomainCa {
  private journal: CaJournal;
  private currentAuthority: ActiveAuthority;
  private nextAuthority: ActiveAuthority | undefined;
  private readonly now: () => Date;

  private constructor(
    private readonly options: CaOptions,
    journal: CaJournal,
  ) {
    this.now = options.now ?? (() => new Date());
    this.journal = journal;
    this.currentAuthority = this.loadSlot(journal.current!)!;
    this.nextAuthority = journal.next === undefined ? undefined : this.loadSlot(journal.next);
  }

  /**
   * Loads the CA from the journal when its keys are still in the key manager and the
   * root has not expired, and otherwise creates a new root and JWT key.
   */
  static open(options: CaOptions): TrustDomainCa {
    const now = (options.now ?? (() => new Date()))();
    const stored = options.journalStore.readCaJournal();
    const probe = { options, now } as const;
    const current = stored?.current !== undefined && isUsable(probe, stored.current) ? stored.current : undefined;
    const next = stored?.next !== undefined && isUsable(probe, stored.next) ? stored.next : undefined;

    let journal: CaJournal;
    if (current !== undefined) {
      journal = { current, next };
    } else if (next !== undefined) {
      journal = { current: next };
    } else {
      journal = { current: createSlot(options, now) };
    }
    options.journalStore.writeCaJournal(journal);
    return new TrustDomainCa(options, journal);
  }

  get current(): ActiveAuthority {
    return this.currentAuthority;
  }

  get next(): ActiveAuthority | undefined {
    return this.nextAuthority;
  }

  /** Returns every root to publish in the bundle: the current one and a prepared next one. */
  x509Authorities(): Buffer[] {
    return [this.currentAuthority, this.nextAuthority].filter(isDefined).map((authority) => authority.certificateDer);
  }

  jwtAuthorities(): JwtAuthority[] {
    return [this.currentAuthority, this.nextAuthority].filter(isDefined).map((authority) => authority.jwt);
  }

  /**
   * Prepares or activates the next CA generation when its time has come, and returns
   * what changed so the caller can update the bundle and the server's TLS identity.
   */
  rotateIfDue(): 'prepared' | 'activated' | 'none' {
    const now = this.now();
    const certificate = this.currentAuthority.certificate;
    const notBefore = new Date(certificate.validFrom).getTime();
    const notAfter = new Date(certificate.validTo).getTime();
    const lifetimeSeconds = (notAfter - notBefore) / 1000;

    if (this.nextAuthority === undefined) {
      const prepareAt = notAfter - 1000 * Math.min(lifetimeSeconds / 2, PREPARE_CAP_SECONDS);
      if (now.getTime() < prepareAt) {
        return 'none';
      }
      const next = createSlot(this.options, now);
      this.journal = { current: this.journal.current, next };
      this.options.journalStore.writeCaJournal(this.journal);
      this.nextAuthority = this.loadSlot(next);
      return 'prepared';
    }

    const activateAt = notAfter - 1000 * Math.min(lifetimeSeconds / 6, ACTIVATE_CAP_SECONDS);
    if (now.getTime() < activateAt) {
      return 'none';
    }
    this.journal = { current: this.journal.next };
    this.options.journalStore.writeCaJournal(this.journal);
    this.currentAuthority = this.nextAuthority;
    this.nextAuthority = undefined;
    return 'activated';
  }

  private loadSlot(slot: CaSlot): ActiveAuthority | undefined {
    return loadAuthority(this.options, slot);
  }
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

function isUsable(probe: { readonly options: CaOptions; readonly now: Date }, slot: CaSlot): boolean {
  const authority = loadAuthority(probe.options, slot);
  if (authority === undefined) {
    return false;
  }
  return new Date(authority.certificate.validTo).getTime() > probe.now.getTime();
}

function loadAuthority(options: CaOptions, slot: CaSlot): ActiveAuthority | undefined {
  const x509Key = options.keyManager.findKey(slot.x509KeyId);
  const jwtKey = options.keyManager.findKey(slot.jwtKeyId);
  if (x509Key === undefined || jwtKey === undefined) {
    return undefined;
  }

  const certificateDer = Buffer.from(slot.certificate, 'base64');
  const certificate = new X509Certificate(certificateDer);
  const subjectPublicKeyInfo = certificate.publicKey.export({ format: 'der', type: 'spki' });
  return {
    certificate,
    notAfterMs: new Date(certificate.validTo).getTime(),
    certificateDer,
    signer: {
      privateKey: x509Key,
      subject: rootSubject(options, certificate.serialNumber),
      subjectKeyIdentifier: computeSubjectKeyIdentifier(subjectPublicKeyInfo),
    },
    jwtKey,
    jwt: { publicKey: createPublicKey(jwtKey), keyId: slot.jwtKid, expiresAt: slot.jwtNotAfter },
  };
}

function rootSubject(options: CaOptions, serialHex: string): NameAttribute[] {
  const subject: NameAttribute[] = [
    { type: 'C', value: options.subject?.country ?? 'US' },
    { type: 'O', value: options.subject?.organization ?? 'SPIFFE' },
  ];
  if (options.subject?.commonName !== undefined) {
    subject.push({ type: 'CN', value: options.subject.commonName });
  }
  // SPIRE 1.15 adds the decimal serial number to the root subject so every root's subject is unique.
  subject.push({ type: 'serialNumber', value: BigInt(`0x${serialHex}`).toString(10) });
  return subject;
}

function createSlot(options: CaOptions, now: Date): CaSlot {
  const generation = randomUUID();
  const x509KeyId = `x509-ca-${generation}`;
  const jwtKeyId = `jwt-signer-${generation}`;
  const x509Key = options.keyManager.generateKey(x509KeyId, options.keyType);
  options.keyManager.generateKey(jwtKeyId, options.jwtKeyType ?? options.keyType);

  const serialNumber = generateSerialNumber();
  const subjectPublicKeyInfo = createPublicKey(x509Key).export({ format: 'der', type: 'spki' });
  const subject = rootSubject(options, serialNumber.toString('hex'));
  const subjectKeyIdentifier = computeSubjectKeyIdentifier(subjectPublicKeyInfo);
  const notAfter = new Date(now.getTime() + options.caTtlSeconds * 1000);
  const certificate = buildCertificate(
    {
      subject,
      subjectPublicKeyInfo,
      serialNumber,
      notBefore: new Date(now.getTime() - NOT_BEFORE_CUSHION_MS),
      notAfter,
      isCa: true,
      uriSans: [`spiffe://${options.trustDomain}`],
      dnsSans: [],
    },
    { privateKey: x509Key, subject, subjectKeyIdentifier },
  );

  return {
    x509KeyId,
    certificate: certificate.toString('base64'),
    jwtKeyId,
    jwtKid: generateKid(),
    jwtNotAfter: Math.floor(notAfter.getTime() / 1000),
  };
}

/** Returns a 32-character key ID from `[a-zA-Z0-9]`, the form SPIRE 1.15 gives JWT keys. */
export function generateKid(): string {
  const bytes = randomBytes(32);
  return [...bytes].map((byte) => KID_ALPHABET[byte % KID_ALPHABET.length]).join('');
}
