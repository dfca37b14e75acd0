import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUnixAttestor } from '../../../src/embedded/agent/unix-attestor.js';
import { formatSelector } from '../../../src/spire/selectors.js';

const PID = 4321;
const EXECUTABLE = Buffer.from('#!/bin/sh\necho workload\n');

describe('unix attestor', () => {
  let root: string;

  beforeEach(async () => {
    // Given a proc tree for one process, and passwd and group files
    root = await mkdtemp(join(tmpdir(), 'unix-attestor-'));
    await mkdir(join(root, 'proc', String(PID)), { recursive: true });
    await writeFile(join(root, 'proc', String(PID), 'status'), 'Name:\tworkload\nUid:\t1000\t1001\t1001\t1001\nGroups:\t20 30 \n');
    await writeFile(join(root, 'workload'), EXECUTABLE);
    await symlink(join(root, 'workload'), join(root, 'proc', String(PID), 'exe'));
    await writeFile(join(root, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1001:1001::/home/app:/bin/sh\n');
    await writeFile(join(root, 'group'), 'root:x:0:\napp:x:1001:\naudio:x:20:\n');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const sha256 = createHash('sha256').update(EXECUTABLE).digest('hex');

  it.each([
    {
      name: 'names resolved where known',
      uid: 1001,
      options: {},
      expected: ['unix:uid:1001', 'unix:user:app', 'unix:gid:1001', 'unix:group:app', 'unix:supplementary_gid:20', 'unix:supplementary_group:audio', 'unix:supplementary_gid:30'],
    },
    {
      name: 'unknown uid has no user',
      uid: 5000,
      options: {},
      expected: ['unix:uid:5000', 'unix:gid:1001', 'unix:group:app', 'unix:supplementary_gid:20', 'unix:supplementary_group:audio', 'unix:supplementary_gid:30'],
    },
    {
      name: 'workload path and digest',
      uid: 1001,
      options: { discoverWorkloadPath: true },
      expected: [
        'unix:uid:1001',
        'unix:user:app',
        'unix:gid:1001',
        'unix:group:app',
        'unix:supplementary_gid:20',
        'unix:supplementary_group:audio',
        'unix:supplementary_gid:30',
        `unix:path:${'<root>'}/workload`,
        `unix:sha256:${sha256}`,
      ],
    },
  ])('emits selectors: $name', async ({ uid, options, expected }) => {
    const attestor = createUnixAttestor({ ...options, procRoot: join(root, 'proc'), passwdPath: join(root, 'passwd'), groupPath: join(root, 'group') });

    const selectors = await attestor.attest({ pid: PID, uid, gid: 1001 });

    expect(selectors.map(formatSelector)).toEqual(expected.map((selector) => selector.replace('<root>', root)));
  });

  it('executable over the size limit fails', async () => {
    const attestor = createUnixAttestor({ discoverWorkloadPath: true, workloadSizeLimit: 4, procRoot: join(root, 'proc'), passwdPath: join(root, 'passwd'), groupPath: join(root, 'group') });

    const failure = await attestor.attest({ pid: PID, uid: 1001, gid: 1001 }).catch((error: unknown) => error);

    expect((failure as Error).message).toBe(`workload ${join(root, 'workload')} exceeds size limit (${EXECUTABLE.length} > 4)`);
  });

  it('missing process fails', async () => {
    const attestor = createUnixAttestor({ procRoot: join(root, 'proc') });

    const failure = await attestor.attest({ pid: 999999, uid: 0, gid: 0 }).catch((error: unknown) => error);

    expect((failure as Error).message).toMatch(/^GIDs lookup: ENOENT/);
  });
});
