import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  locateContainer,
  parseCgroupContainerInfo,
  parseCgroupContainerInfoLegacy,
  parseCgroupFile,
  parseCgroupPathsLegacy,
  parseLegacyCgroupPath,
  parseMountInfoContainerInfo,
} from '../../src/spire/k8s-cgroup.js';

const CONTAINER = '3c1d3fa3d6e8c0e5b2bf4b1c8f1f2b2c7a0a4c3e5d6f7a8b9c0d1e2f3a4b5c6d';
const OTHER_CONTAINER = 'aa1d3fa3d6e8c0e5b2bf4b1c8f1f2b2c7a0a4c3e5d6f7a8b9c0d1e2f3a4b5c6d';
const POD = '7b2f0a4e-5c1d-4e8f-9a0b-1c2d3e4f5a6b';
const OTHER_POD = '11111111-2222-4333-8444-555555555555';

describe('parseCgroupContainerInfo', () => {
  it.each([
    {
      name: 'cgroup v2 containerd with systemd',
      text: `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD.replaceAll('-', '_')}.slice/cri-containerd-${CONTAINER}.scope\n`,
      podUid: POD,
      containerId: CONTAINER,
    },
    {
      name: 'cgroup v1 cgroupfs',
      text: `12:memory:/kubepods/besteffort/pod${POD}/${CONTAINER}\n11:cpu:/kubepods/besteffort/pod${POD}/${CONTAINER}\n`,
      podUid: POD,
      containerId: CONTAINER,
    },
    { name: 'host process', text: '0::/system.slice/sshd.service\n', podUid: '', containerId: '' },
    { name: 'cri-o without pod UID', text: `0::/../crio-${CONTAINER}.scope\n`, podUid: '', containerId: CONTAINER },
    {
      name: 'pod UID line wins over docker host line',
      text: `1:cpuset:/docker/${OTHER_CONTAINER}/kubepods/besteffort/pod${POD}/${CONTAINER}\n0::/docker/${OTHER_CONTAINER}/system.slice/containerd.service\n`,
      podUid: POD,
      containerId: CONTAINER,
    },
    { name: 'empty file', text: '', podUid: '', containerId: '' },
  ])('reads $name', ({ text, podUid, containerId }) => {
    expect(parseCgroupContainerInfo(text)).toEqual({ ok: true, podUid, containerId });
  });

  it.each([
    {
      name: 'two pod UIDs',
      text: `2:cpu:/kubepods/pod${POD}/${CONTAINER}\n1:mem:/kubepods/pod${OTHER_POD}/${CONTAINER}\n`,
      message: `multiple pod UIDs found ("${POD}", "${OTHER_POD}")`,
    },
    {
      name: 'two container IDs',
      text: `2:cpu:/kubepods/pod${POD}/${CONTAINER}\n1:mem:/kubepods/pod${POD}/${OTHER_CONTAINER}\n`,
      message: `multiple container IDs found ("${CONTAINER}", "${OTHER_CONTAINER}")`,
    },
    {
      name: 'line without ID after cri-o line',
      text: `1:cpu:/../crio-${CONTAINER}.scope\n0::/\n`,
      message: `multiple container IDs found ("${CONTAINER}", "")`,
    },
  ])('reports conflict for $name', ({ text, message }) => {
    expect(parseCgroupContainerInfo(text)).toEqual({ ok: false, grpcCode: 'FailedPrecondition', message });
  });

  it('rejects a line with one colon', () => {
    expect(parseCgroupContainerInfo('0:/bad\n')).toEqual({
      ok: false,
      grpcCode: 'Internal',
      message: 'unable to obtain cgroups: invalid cgroup entry, contains 2 colon separated fields but expected at least 3: "0:/bad"',
    });
  });

  it('stops the walk at an empty segment', () => {
    expect(parseCgroupContainerInfo(`0::/pod${POD}//${CONTAINER}\n`)).toEqual({ ok: true, podUid: '', containerId: CONTAINER });
  });

  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const result = parseCgroupContainerInfo(text);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });

  it('finds generated pod UIDs and container IDs', () => {
    const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: length, maxLength: length });
    const uid = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join('-'));
    fc.assert(
      fc.property(uid, hex(64), fc.constantFrom('burstable', 'besteffort', 'guaranteed'), (podUid, containerId, qos) => {
        const text = `0::/kubepods/${qos}/pod${podUid}/${containerId}\n`;
        expect(parseCgroupContainerInfo(text)).toEqual({ ok: true, podUid, containerId });
      }),
    );
  });
});

describe('parseCgroupFile', () => {
  it('keeps colons inside the path', () => {
    const parsed = parseCgroupFile(`0::/kubepods-pod.slice:cri-containerd:${CONTAINER}\n`);

    expect(parsed).toEqual({ lines: [{ hierarchyId: '0', controllers: '', path: `/kubepods-pod.slice:cri-containerd:${CONTAINER}` }] });
  });
});

describe('mountinfo fallback', () => {
  const mountinfo = [
    '1290 1289 0:27 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw',
    `1291 1289 0:27 /kubepods/besteffort/pod${POD}/${CONTAINER} /sys/fs/cgroup ro - cgroup2 cgroup2 rw`,
    '1300 1289 0:70 / /tmp rw,relatime - tmpfs  rw,size=8192k',
  ].join('\n');

  it('reads cgroup mount roots', () => {
    expect(parseMountInfoContainerInfo(mountinfo)).toEqual({ ok: true, podUid: POD, containerId: CONTAINER });
  });

  it('prefers the cgroup file', () => {
    const cgroup = `0::/kubepods/besteffort/pod${OTHER_POD}/${OTHER_CONTAINER}\n`;

    expect(locateContainer({ cgroup, mountinfo })).toEqual({ ok: true, podUid: OTHER_POD, containerId: OTHER_CONTAINER });
  });

  it('falls back when the cgroup names no container', () => {
    expect(locateContainer({ cgroup: '0::/\n', mountinfo })).toEqual({ ok: true, podUid: POD, containerId: CONTAINER });
  });

  it('rejects a line without separator', () => {
    const result = parseMountInfoContainerInfo('1 2 0:1 / /x rw cgroup2');

    expect(result).toMatchObject({ ok: false, grpcCode: 'Internal' });
    expect(result).toHaveProperty('message', 'failed to parse mount info at "/proc/<pid>/mountinfo": missing separator in mountinfo line: 1 2 0:1 / /x rw cgroup2');
  });
});

describe('legacy locator', () => {
  it('reads a whole cgroup file', () => {
    const text = `2:cpu:/kubepods/burstable/pod${POD}/${CONTAINER}\n1:name=systemd:/\n`;

    expect(parseCgroupContainerInfoLegacy(text)).toEqual({ ok: true, podUid: POD, containerId: CONTAINER });
  });

  it('reports two container IDs', () => {
    const text = `2:cpu:/kubepods/pod${POD}/${CONTAINER}\n1:mem:/kubepods/pod${POD}/${OTHER_CONTAINER}\n`;

    expect(parseCgroupContainerInfoLegacy(text)).toEqual({
      ok: false,
      grpcCode: 'FailedPrecondition',
      message: `multiple container IDs found in cgroups (${CONTAINER}, ${OTHER_CONTAINER})`,
    });
  });

  it('rejects a short container ID', () => {
    expect(parseLegacyCgroupPath(`/kubepods/pod${POD}/abc123`)).toBeUndefined();
  });

  it('reads cri-o paths that name a pod', () => {
    expect(parseLegacyCgroupPath(`/kubepods/pod${POD}.slice/crio-${CONTAINER}.scope`)).toEqual({ podUid: POD, containerId: CONTAINER });
  });

  it('stays fast on long paths without a match', () => {
    // A nested repetition would make a backtracking engine take exponential time here.
    const path = `/${'a'.repeat(5000)}-`;

    expect(parseLegacyCgroupPath(path)).toBeUndefined();
  });
});

describe('locator properties', () => {
  it('legacy locator never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (path) => {
        const found = parseLegacyCgroupPath(path);
        if (found !== undefined) {
          expect(found.containerId).toMatch(/^[0-9a-fA-F]{64}$/);
        }
      }),
    );
  });

  it('legacy locator reads generated paths', () => {
    const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: length, maxLength: length });
    const uid = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join('-'));
    fc.assert(
      fc.property(uid, hex(64), fc.constantFrom('docker-', 'cri-containerd-', ''), (podUid, containerId, prefix) => {
        const path = `/kubepods.slice/kubepods-besteffort-pod${podUid.replaceAll('-', '_')}.slice/${prefix}${containerId}.scope`;
        expect(parseLegacyCgroupPath(path)).toEqual({ podUid, containerId });
      }),
    );
  });

  it('mountinfo parser never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const result = parseMountInfoContainerInfo(text);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });
});

describe('parseCgroupPathsLegacy', () => {
  it.each([
    { name: 'no paths', paths: [], expected: { ok: true, podUid: '', containerId: '' } },
    { name: 'host path then pod path', paths: ['/user.slice', `/kubepods/pod${POD}/${CONTAINER}`], expected: { ok: true, podUid: POD, containerId: CONTAINER } },
    {
      name: 'underscored pod UID',
      paths: [`/kubepods/pod${POD.replaceAll('-', '_')}/${CONTAINER}`],
      expected: { ok: true, podUid: POD, containerId: CONTAINER },
    },
    {
      name: 'two pod UIDs',
      paths: [`/kubepods/pod${POD}/${CONTAINER}`, `/kubepods/pod${OTHER_POD}/${CONTAINER}`],
      expected: { ok: false, grpcCode: 'FailedPrecondition', message: `multiple pod UIDs found in cgroups (${POD}, ${OTHER_POD})` },
    },
  ])('merges $name', ({ paths, expected }) => {
    expect(parseCgroupPathsLegacy(paths)).toEqual(expected);
  });
});
