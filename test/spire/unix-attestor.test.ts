import { describe, expect, it } from 'vitest';
import { isUnixAttestationError, unixWorkloadSelectors, type UnixProcessFacts } from '../../src/spire/unix-attestor.js';

const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const facts: UnixProcessFacts = {
  pid: 4242,
  uid: 1000,
  user: 'app',
  gid: 1000,
  group: 'app',
  supplementaryGids: [27, 999],
  supplementaryGroupNames: { 27: 'sudo' },
  path: '/usr/local/bin/checkout',
  sha256: SHA,
  exeSize: 12_000_000,
};

describe('unixWorkloadSelectors', () => {
  it.each([
    {
      name: 'default options',
      facts,
      options: {},
      expected: ['unix:uid:1000', 'unix:user:app', 'unix:gid:1000', 'unix:group:app', 'unix:supplementary_gid:27', 'unix:supplementary_group:sudo', 'unix:supplementary_gid:999'],
    },
    {
      name: 'unresolved names',
      facts: { uid: 65532, gid: 65532 },
      options: {},
      expected: ['unix:uid:65532', 'unix:gid:65532'],
    },
    {
      name: 'workload path discovery',
      facts: { uid: 0, gid: 0, path: '/bin/app', sha256: SHA },
      options: { discoverWorkloadPath: true },
      expected: ['unix:uid:0', 'unix:gid:0', 'unix:path:/bin/app', `unix:sha256:${SHA}`],
    },
    {
      name: 'negative size limit',
      facts: { uid: 0, gid: 0, path: '/bin/app' },
      options: { discoverWorkloadPath: true, workloadSizeLimit: -1 },
      expected: ['unix:uid:0', 'unix:gid:0', 'unix:path:/bin/app'],
    },
  ])('emits selectors with $name', ({ facts: processFacts, options, expected }) => {
    expect(unixWorkloadSelectors(processFacts, options)).toEqual(expected);
  });

  it.each([
    { name: 'unknown UID', facts: { gid: 0 }, options: {}, message: 'UIDs lookup: no UIDs for process' },
    { name: 'unknown GID', facts: { uid: 0 }, options: {}, message: 'GIDs lookup: no GIDs for process' },
    {
      name: 'oversized executable',
      facts,
      options: { discoverWorkloadPath: true, workloadSizeLimit: 1_000_000 },
      message: 'workload /usr/local/bin/checkout exceeds size limit (12000000 > 1000000)',
    },
  ])('fails for $name', ({ facts: processFacts, options, message }) => {
    let caught: unknown;
    try {
      unixWorkloadSelectors(processFacts, options);
    } catch (error) {
      caught = error;
    }
    expect(isUnixAttestationError(caught)).toBe(true);
    expect((caught as Error).message).toBe(message);
  });
});
