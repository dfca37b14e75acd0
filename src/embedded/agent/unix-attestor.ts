/**
 * The `unix` workload attestor. It emits the selectors SPIRE 1.15's unix attestor
 * emits (`pkg/agent/plugin/workloadattestor/unix/unix_posix.go`), in the same order:
 * `uid`, `user`, `gid`, `group`, then `supplementary_gid`/`supplementary_group` per
 * supplementary group, then with `discover_workload_path` the `path` of the
 * executable and its `sha256`. Names appear only when they resolve in this host's
 * `/etc/passwd` and `/etc/group`.
 *
 * The UID and GID are the effective ones that the kernel recorded for the socket
 * (SO_PEERCRED); the supplementary groups and the executable come from `/proc/<pid>`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SelectorJson } from '../../spire/types.js';
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
  return { name: 'unix', attest: (caller) => attestUnixProcess(caller, config) };
}

async function attestUnixProcess(caller: PeerCredentials, config: UnixAttestorConfig): Promise<SelectorJson[]> {
  const procDirectory = join(config.procRoot ?? process.env.HOST_PROC ?? '/proc', String(caller.pid));
  const users = await readNameDatabase(config.passwdPath ?? '/etc/passwd');
  const groups = await readNameDatabase(config.groupPath ?? '/etc/group');
  const supplementaryGids = await readSupplementaryGids(procDirectory);

  const selectors: SelectorJson[] = [];
  const add = (value: string) => selectors.push({ type: 'unix', value });
  add(`uid:${caller.uid}`);
  if (users.has(caller.uid)) add(`user:${users.get(caller.uid)}`);
  add(`gid:${caller.gid}`);
  if (groups.has(caller.gid)) add(`group:${groups.get(caller.gid)}`);
  for (const gid of supplementaryGids) {
    add(`supplementary_gid:${gid}`);
    if (groups.has(gid)) add(`supplementary_group:${groups.get(gid)}`);
  }

  if (config.discoverWorkloadPath) selectors.push(...(await workloadPathSelectors(procDirectory, config.workloadSizeLimit ?? 0)));
  return selectors;
}

/** Reads `name:…:id:…` lines (passwd or group format) into id → name. */
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

async function workloadPathSelectors(procDirectory: string, sizeLimit: number): Promise<SelectorJson[]> {
  const exePath = join(procDirectory, 'exe');
  let path: string;
  try {
    path = await readlink(exePath);
  } catch (error) {
    throw new Error(`path lookup: ${(error as Error).message}`, { cause: error });
  }

  const selectors: SelectorJson[] = [{ type: 'unix', value: `path:${path}` }];
  if (sizeLimit < 0) return selectors;

  const size = (await stat(exePath)).size;
  if (sizeLimit > 0 && size > sizeLimit) throw new Error(`workload ${path} exceeds size limit (${size} > ${sizeLimit})`);
  selectors.push({ type: 'unix', value: `sha256:${await sha256File(exePath)}` });
  return selectors;
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
