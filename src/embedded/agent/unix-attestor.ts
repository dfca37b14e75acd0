/**
 * The `unix` workload attestor: it reads the facts SPIRE 1.15's unix attestor reads
 * about the calling process and turns them into selectors with the shared SPIRE
 * semantics (`unixWorkloadSelectors`). The UID and GID are the effective ones the
 * kernel recorded for the socket (SO_PEERCRED). The supplementary groups and the
 * executable come from `/proc/<pid>`, and names from this host's `/etc/passwd` and
 * `/etc/group`, so a UID the host cannot resolve gets no `user` selector, as in SPIRE.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSelector } from '../../spire/selectors.js';
import type { SelectorJson } from '../../spire/types.js';
import { unixWorkloadSelectors, type UnixProcessFacts } from '../../spire/unix-attestor.js';
import type { PeerCredentials } from './peer-credentials.js';
import type { WorkloadAttestor } from './workload-attestor.js';

export interface UnixAttestorConfig {
  /** Adds `path` and `sha256` selectors; default false. */
  readonly discoverWorkloadPath?: boolean;
  /** Largest executable to hash in bytes; 0 means no limit, negative skips `sha256`. Default 0. */
  readonly workloadSizeLimit?: number;
  /** Root of the proc file system; default `HOST_PROC` or `/proc`. */
  readonly procRoot?: string;
  /** Files to resolve user and group names; default `/etc/passwd` and `/etc/group`. */
  readonly passwdPath?: string;
  readonly groupPath?: string;
}

/** Creates the `unix` workload attestor. */
export function createUnixAttestor(config: UnixAttestorConfig = {}): WorkloadAttestor {
  return {
    name: 'unix',
    async attest(caller) {
      const facts = await readUnixProcessFacts(caller, config);
      return unixWorkloadSelectors(facts, config).map(parseSelector);
    },
  };
}

/** Reads what the unix attestor needs to know about the calling process. */
export async function readUnixProcessFacts(caller: PeerCredentials, config: UnixAttestorConfig = {}): Promise<UnixProcessFacts> {
  const procDirectory = join(config.procRoot ?? process.env.HOST_PROC ?? '/proc', String(caller.pid));
  const users = await readNameDatabase(config.passwdPath ?? '/etc/passwd');
  const groups = await readNameDatabase(config.groupPath ?? '/etc/group');
  const supplementaryGids = await readSupplementaryGids(procDirectory);
  const supplementaryGroupNames = Object.fromEntries(supplementaryGids.filter((gid) => groups.has(gid)).map((gid) => [gid, groups.get(gid)!]));

  return {
    pid: caller.pid,
    uid: caller.uid,
    gid: caller.gid,
    ...(users.has(caller.uid) ? { user: users.get(caller.uid)! } : {}),
    ...(groups.has(caller.gid) ? { group: groups.get(caller.gid)! } : {}),
    supplementaryGids,
    supplementaryGroupNames,
    ...(config.discoverWorkloadPath ? await readExecutableFacts(procDirectory, config.workloadSizeLimit ?? 0) : {}),
  };
}

/** Reads `name:…:id:…` lines (passwd or group format) into id → name; the first name per id wins. */
async function readNameDatabase(path: string): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return names;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    const id = Number(fields[2]);
    if (fields[0] && fields[2] !== undefined && Number.isInteger(id) && !names.has(id)) names.set(id, fields[0]);
  }
  return names;
}

async function readSupplementaryGids(procDirectory: string): Promise<number[]> {
  let status: string;
  try {
    status = await readFile(join(procDirectory, 'status'), 'utf8');
  } catch (error) {
    throw new Error(`GIDs lookup: ${(error as Error).message}`, { cause: error });
  }
  const line = status.split('\n').find((candidate) => candidate.startsWith('Groups:'));
  if (!line) return [];
  return line
    .slice('Groups:'.length)
    .trim()
    .split(/\s+/)
    .filter((field) => field !== '')
    .map(Number);
}

/** Reads the executable path, its size and its SHA-256, unless the size limit skips the digest. */
async function readExecutableFacts(procDirectory: string, sizeLimit: number): Promise<Pick<UnixProcessFacts, 'path' | 'exeSize' | 'sha256'>> {
  const exePath = join(procDirectory, 'exe');
  let path: string;
  try {
    path = await readlink(exePath);
  } catch (error) {
    throw new Error(`path lookup: ${(error as Error).message}`, { cause: error });
  }

  const exeSize = (await stat(exePath)).size;
  const skipDigest = sizeLimit < 0 || (sizeLimit > 0 && exeSize > sizeLimit);
  return { path, exeSize, ...(skipDigest ? {} : { sha256: await sha256File(exePath) }) };
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', (error) => reject(new Error(`SHA256 digest: ${error.message}`, { cause: error })))
      .on('end', () => resolve(hash.digest('hex')));
  });
}
