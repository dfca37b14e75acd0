/**
 * Key managers for the CA and JWT signing keys, after SPIRE's `KeyManager "disk"`
 * (keys kept in one file across restarts) and `KeyManager "memory"` (keys lost on
 * exit, so a restarted server starts a new CA).
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { UserError } from '../../errors.js';

/** Key types accepted by `ca_key_type` and `jwt_key_type` (SPIRE 1.15 also has rsa-4096). */
export const KEY_TYPES = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-4096'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** Stores private keys by id. */
export interface KeyManager {
  readonly kind: 'disk' | 'memory';
  findKey(id: string): KeyObject | undefined;
  /** Generates a key of `type`, stores it under `id` (replacing any old one) and returns it. */
  generateKey(id: string, type: KeyType): KeyObject;
}

/** Tells whether `value` is a key type the server can generate. */
export function isKeyType(value: string): value is KeyType {
  return (KEY_TYPES as readonly string[]).includes(value);
}

/** Generates a private key of the given type. */
export function generatePrivateKey(type: KeyType): KeyObject {
  switch (type) {
    case 'ec-p256':
      return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    case 'ec-p384':
      return generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    case 'rsa-2048':
      return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    case 'rsa-4096':
      return generateKeyPairSync('rsa', { modulusLength: 4096 }).privateKey;
  }
}

/** Creates a key manager that keeps keys in process memory only. */
export function createMemoryKeyManager(): KeyManager {
  const keys = new Map<string, KeyObject>();
  return {
    kind: 'memory',
    findKey: (id) => keys.get(id),
    generateKey(id, type) {
      const key = generatePrivateKey(type);
      keys.set(id, key);
      return key;
    },
  };
}

/**
 * Creates a key manager that keeps keys as PKCS#8 PEM in one JSON file with mode
 * 0600. Every change rewrites the file through a temporary file and a rename, so a
 * crash leaves either the old or the new file, never a partial one.
 */
export function createDiskKeyManager(keysPath: string): KeyManager {
  const pems = readKeysFile(keysPath);
  const keys = new Map<string, KeyObject>();
  for (const [id, pem] of Object.entries(pems)) {
    keys.set(id, createPrivateKey(pem));
  }

  return {
    kind: 'disk',
    findKey: (id) => keys.get(id),
    generateKey(id, type) {
      const key = generatePrivateKey(type);
      pems[id] = key.export({ format: 'pem', type: 'pkcs8' }).toString();
      writeKeysFile(keysPath, pems);
      keys.set(id, key);
      return key;
    },
  };
}

function readKeysFile(keysPath: string): Record<string, string> {
  if (!existsSync(keysPath)) {
    return {};
  }

  let parsed: { keys?: Record<string, string> };
  try {
    parsed = JSON.parse(readFileSync(keysPath, 'utf8')) as { keys?: Record<string, string> };
  } catch (error) {
    throw new UserError(`failed to read key file ${keysPath}: ${(error as Error).message}`, {
      suggestions: ['Restore the key file from a backup, or move it away so the server creates a new CA.'],
    });
  }
  if (typeof parsed.keys !== 'object' || parsed.keys === null) {
    throw new UserError(`invalid key file ${keysPath}: missing "keys" object`, {
      suggestions: ['Restore the key file from a backup, or move it away so the server creates a new CA.'],
    });
  }
  return { ...parsed.keys };
}

function writeKeysFile(keysPath: string, pems: Record<string, string>): void {
  const temporaryPath = `${keysPath}.tmp`;
  try {
    mkdirSync(dirname(keysPath), { recursive: true, mode: 0o700 });
    writeFileSync(temporaryPath, `${JSON.stringify({ keys: pems }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporaryPath, 0o600);
    renameSync(temporaryPath, keysPath);
  } catch (error) {
    throw new UserError(`failed to write key file ${keysPath}: ${(error as Error).message}`, {
      suggestions: ['Set keys_path of KeyManager "disk" to a file in a directory the server can write.'],
    });
  }
}
