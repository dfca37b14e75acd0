/**
 * Agent state kept in `data_dir` between runs: its X509-SVID chain and the trust
 * bundle, and with the `disk` key manager its private key. A restarted agent whose SVID
 * is still valid reuses it, because a join token can be used only once. With the
 * `memory` key manager the key is lost on exit, so the agent attests again.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { splitDerSequence } from '../workload/der.js';

const SVID_FILE = 'agent-svid.der';
const KEY_FILE = 'agent-key.der';
const BUNDLE_FILE = 'bundle.der';

/** The agent's stored identity. */
export interface StoredAgentState {
  readonly certificates: Buffer[];
  /** PKCS#8 DER. */
  readonly privateKey: Buffer;
  readonly bundle: Buffer[];
}

/** Reads the stored state, or undefined when any part is missing. */
export async function readAgentState(dataDir: string): Promise<StoredAgentState | undefined> {
  try {
    const [svid, key, bundle] = await Promise.all([SVID_FILE, KEY_FILE, BUNDLE_FILE].map((file) => readFile(join(dataDir, file))));
    return { certificates: splitDerSequence(svid!), privateKey: key!, bundle: splitDerSequence(bundle!) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes the state; the key only when `keepKey` (the `disk` key manager). */
export async function writeAgentState(dataDir: string, state: StoredAgentState, keepKey: boolean): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(join(dataDir, SVID_FILE), Buffer.concat(state.certificates));
  await writeFile(join(dataDir, BUNDLE_FILE), Buffer.concat(state.bundle));
  if (keepKey) await writeFile(join(dataDir, KEY_FILE), state.privateKey, { mode: 0o600 });
}

/** Removes the stored SVID and key, for example after the server rejected them. */
export async function removeAgentState(dataDir: string): Promise<void> {
  await Promise.all([SVID_FILE, KEY_FILE].map((file) => rm(join(dataDir, file), { force: true })));
}
