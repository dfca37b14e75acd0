/**
 * A fixture procfs and /etc under a temp dir: one process with status, cgroup and an
 * `exe` link to a file with a known SHA-256.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURE_PID = 4242;
export const FIXTURE_BINARY = '#!/bin/sh\necho web\n';
export const FIXTURE_SHA256 = createHash('sha256').update(FIXTURE_BINARY).digest('hex');

/** `status` of a process running as uid 1000 (real) / 1001 (effective), gid 1000 / 1002, with two extra groups. */
export const FIXTURE_STATUS = [
  'Name:\tweb',
  'Umask:\t0022',
  'State:\tS (sleeping)',
  'Tgid:\t4242',
  'Pid:\t4242',
  'PPid:\t1',
  'Uid:\t1000\t1001\t1001\t1001',
  'Gid:\t1000\t1002\t1002\t1002',
  'FDSize:\t64',
  'Groups:\t27 1002 ',
  'VmPeak:\t  10000 kB',
  '',
].join('\n');

export const FIXTURE_CGROUP = '0::/system.slice/web.service\n';

export interface ProcFixture {
  readonly root: string;
  readonly procRoot: string;
  readonly etcRoot: string;
  readonly binaryPath: string;
}

export async function createProcFixture(): Promise<ProcFixture> {
  const root = await mkdtemp(join(tmpdir(), 'proc-fixture-'));
  const procRoot = join(root, 'proc');
  const etcRoot = join(root, 'etc');
  const processDir = join(procRoot, String(FIXTURE_PID));
  const binaryPath = join(root, 'usr', 'bin', 'web');

  await mkdir(processDir, { recursive: true });
  await mkdir(etcRoot);
  await mkdir(join(root, 'usr', 'bin'), { recursive: true });
  await writeFile(binaryPath, FIXTURE_BINARY, { mode: 0o755 });
  await symlink(binaryPath, join(processDir, 'exe'));
  await writeFile(join(processDir, 'status'), FIXTURE_STATUS);
  await writeFile(join(processDir, 'cgroup'), FIXTURE_CGROUP);
  await writeFile(join(etcRoot, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\nweb:x:1001:1002::/srv/web:/usr/sbin/nologin\n');
  await writeFile(join(etcRoot, 'group'), 'root:x:0:\nsudo:x:27:\nweb:x:1002:\n');
  return { root, procRoot, etcRoot, binaryPath };
}
