/**
 * Facts about a process read from procfs, as SPIRE's unix workload attestor reads them
 * (SPIRE 1.15 `pkg/agent/plugin/workloadattestor/unix`): effective uid and gid from
 * `status`, supplementary groups, the executable path and its SHA-256, and the cgroup text.
 * The proc root is configurable, as SPIRE's `HOST_PROC`, so tests can use a fixture tree.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** The ids in `/proc/<pid>/status`: the effective uid and gid (second column) and the supplementary groups. */
export interface ProcStatusIds {
  readonly uid?: number;
  readonly gid?: number;
  readonly groups?: readonly number[];
}

/** Parses the `Uid:`, `Gid:` and `Groups:` lines of `/proc/<pid>/status`. */
export function parseProcStatus(text: string): ProcStatusIds {
  const field = (name: string) => text.split('\n').find((line) => line.startsWith(`${name}:`))?.slice(name.length + 1).trim();
  const numbers = (value: string | undefined) => (value === undefined || value === '' ? [] : value.split(/\s+/).map(Number));

  const uids = numbers(field('Uid'));
  const gids = numbers(field('Gid'));
  const groups = field('Groups');
  return {
    uid: uids[1],
    gid: gids[1],
    groups: groups === undefined ? undefined : numbers(groups),
  };
}

/** Returns the directory of a process under the proc root. */
export function processDirectory(procRoot: string, pid: number): string {
  return join(procRoot, String(pid));
}

export async function readProcStatus(procRoot: string, pid: number): Promise<ProcStatusIds> {
  return parseProcStatus(await readFile(join(processDirectory(procRoot, pid), 'status'), 'utf8'));
}

/** Reads the executable path from the `exe` link; a replaced binary reads as `<path> (deleted)`. */
export async function readExecutablePath(procRoot: string, pid: number): Promise<string> {
  return readlink(join(processDirectory(procRoot, pid), 'exe'));
}

/**
 * Hashes the executable through the `exe` link, which still opens the running binary
 * after its file was replaced or deleted. Returns lowercase hex.
 */
export async function hashExecutable(procRoot: string, pid: number): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(join(processDirectory(procRoot, pid), 'exe')), hash);
  return hash.digest('hex');
}

export async function readCgroup(procRoot: string, pid: number): Promise<string> {
  return readFile(join(processDirectory(procRoot, pid), 'cgroup'), 'utf8');
}
