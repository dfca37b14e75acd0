import { createHash } from 'node:crypto';
import { readFile, realpath, rm } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseIdNames } from '../../../src/probes/host/accounts.js';
import { hashExecutable, parseProcStatus, readCgroup, readExecutablePath, readProcStatus } from '../../../src/probes/host/proc.js';
import { createProcFixture, FIXTURE_CGROUP, FIXTURE_PID, FIXTURE_SHA256, FIXTURE_STATUS, type ProcFixture } from './proc-fixture.js';

describe('parseProcStatus', () => {
  it.each([
    { name: 'effective ids and groups', text: FIXTURE_STATUS, expected: { uid: 1001, gid: 1002, groups: [27, 1002] } },
    { name: 'empty groups line', text: 'Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n', expected: { uid: 0, gid: 0, groups: [] } },
    { name: 'no groups line', text: 'Uid:\t5\t6\t6\t6\nGid:\t7\t8\t8\t8\n', expected: { uid: 6, gid: 8, groups: undefined } },
    { name: 'no id lines', text: 'Name:\tx\n', expected: { uid: undefined, gid: undefined, groups: undefined } },
  ])('parses $name', ({ text, expected }) => {
    expect(parseProcStatus(text)).toEqual(expected);
  });
});

describe('parseIdNames', () => {
  it('maps ids to the first name', () => {
    const names = parseIdNames('# comment\nroot:x:0:0::/root:/bin/sh\nweb:x:1001:1002::/srv:/bin/false\ntoor:x:0:0::/root:/bin/sh\nbroken\n');

    expect([...names]).toEqual([
      [0, 'root'],
      [1001, 'web'],
    ]);
  });
});

describe('proc readers on a fixture tree', () => {
  let fixture: ProcFixture;

  beforeAll(async () => {
    fixture = await createProcFixture();
  });

  afterAll(async () => {
    await rm(fixture.root, { recursive: true, force: true });
  });

  it('reads status, exe, hash and cgroup', async () => {
    expect(await readProcStatus(fixture.procRoot, FIXTURE_PID)).toEqual({ uid: 1001, gid: 1002, groups: [27, 1002] });
    expect(await readExecutablePath(fixture.procRoot, FIXTURE_PID)).toBe(fixture.binaryPath);
    expect(await hashExecutable(fixture.procRoot, FIXTURE_PID)).toBe(FIXTURE_SHA256);
    expect(await readCgroup(fixture.procRoot, FIXTURE_PID)).toBe(FIXTURE_CGROUP);
  });
});

describe('proc readers on this process', () => {
  it('reads its own facts', async () => {
    const status = await readProcStatus('/proc', process.pid);
    const executable = await realpath(process.execPath);

    expect(status.uid).toBe(process.geteuid?.());
    expect(status.gid).toBe(process.getegid?.());
    expect(await readExecutablePath('/proc', process.pid)).toBe(executable);
    expect(await hashExecutable('/proc', process.pid)).toBe(createHash('sha256').update(await readFile(executable)).digest('hex'));
  });
});
