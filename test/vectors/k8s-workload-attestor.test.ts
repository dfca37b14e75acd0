import { describe, expect, it } from 'vitest';
import type { KubePod } from '../../src/evidence/kube-types.js';
import { attestK8sWorkload, readKubeletPodList } from '../../src/spire/k8s-attestor.js';
import { parseCgroupPathsLegacy, parseLegacyCgroupPath } from '../../src/spire/k8s-cgroup.js';
import { loadVectors, readAttestorTestdata } from './load-vectors.js';

interface AttestorCase {
  readonly name: string;
  readonly pod_list?: string | null;
  readonly pod_list_sequence?: readonly string[];
  readonly cgroup?: string;
  readonly config: {
    disable_container_selectors?: boolean;
    max_poll_attempts?: number;
    enable_namespace_labels?: boolean;
    use_new_container_locator?: boolean;
  };
  readonly namespace_labels?: Record<string, Record<string, string>>;
  readonly expect:
    | { readonly ok: true; readonly selectors: readonly string[] }
    | { readonly ok: false; readonly grpc_code: string; readonly message_contains: string; readonly log_warn?: string };
}

/** A legacy locator case: one path (`cgroup_path`) or several (`cgroup_paths`, merged). */
interface CgroupPathCase {
  readonly name: string;
  readonly cgroup_path?: string;
  readonly cgroup_paths?: readonly string[];
  readonly expect_pod_uid: string;
  readonly expect_container_id: string;
  readonly expect_match?: boolean;
  readonly expect_code?: string;
  readonly expect_msg?: string;
}

const file = loadVectors<{ cases: AttestorCase[]; cgroup_path_parsing_cases: CgroupPathCase[] }>('k8s-workload-attestor.json');

function readPodList(fileName: string): KubePod[] {
  return readKubeletPodList(JSON.parse(readAttestorTestdata(fileName)));
}

function attest(testCase: AttestorCase): ReturnType<typeof attestK8sWorkload> {
  const sequence = testCase.pod_list_sequence?.map(readPodList);
  const pods = testCase.pod_list ? readPodList(testCase.pod_list) : [];
  return attestK8sWorkload({
    ...(testCase.cgroup !== undefined ? { cgroup: readAttestorTestdata(testCase.cgroup) } : {}),
    pods,
    ...(sequence !== undefined ? { podListsByAttempt: sequence } : {}),
    ...(testCase.namespace_labels !== undefined ? { namespaceLabels: testCase.namespace_labels } : {}),
    config: {
      // The SPIRE tests run with max_poll_attempts = 5 unless a case sets it.
      maxPollAttempts: testCase.config.max_poll_attempts ?? 5,
      ...(testCase.config.disable_container_selectors !== undefined ? { disableContainerSelectors: testCase.config.disable_container_selectors } : {}),
      ...(testCase.config.enable_namespace_labels !== undefined ? { enableNamespaceLabels: testCase.config.enable_namespace_labels } : {}),
      ...(testCase.config.use_new_container_locator !== undefined ? { useNewContainerLocator: testCase.config.use_new_container_locator } : {}),
    },
  });
}

describe('k8s-workload-attestor vectors', () => {
  it('has cases', () => {
    expect(file.cases.length).toBeGreaterThan(5);
  });

  it.each(file.cases.filter((testCase) => testCase.expect.ok))('attests $name', (testCase) => {
    const result = attest(testCase);

    const expected = testCase.expect.ok ? [...testCase.expect.selectors].sort() : [];
    expect(result.ok).toBe(true);
    expect(result.ok ? [...result.selectors].sort() : []).toEqual(expected);
  });

  it.each(file.cases.filter((testCase) => !testCase.expect.ok))('fails $name', (testCase) => {
    const expected = testCase.expect as { grpc_code: string; message_contains: string; log_warn?: string };
    const result = attest(testCase);

    expect(result).toMatchObject({ ok: false, grpcCode: expected.grpc_code });
    expect(result).toMatchObject({ message: expect.stringContaining(expected.message_contains) });
    if (expected.log_warn !== undefined) {
      expect(result).toMatchObject({ logWarning: expected.log_warn });
    }
  });

  it.each(file.cgroup_path_parsing_cases.filter((testCase) => testCase.cgroup_paths !== undefined))('legacy locator merges $name', (testCase) => {
    const result = parseCgroupPathsLegacy(testCase.cgroup_paths ?? []);

    if (testCase.expect_code !== undefined && testCase.expect_code !== 'OK') {
      expect(result).toMatchObject({ ok: false, grpcCode: testCase.expect_code });
      expect(result).toHaveProperty('message', testCase.expect_msg);
      return;
    }
    expect(result).toEqual({ ok: true, podUid: testCase.expect_pod_uid, containerId: testCase.expect_container_id });
  });

  it.each(file.cgroup_path_parsing_cases.filter((testCase) => testCase.cgroup_path !== undefined))('legacy locator reads $name', (testCase) => {
    const found = parseLegacyCgroupPath(testCase.cgroup_path ?? '');

    if (!testCase.expect_match) {
      expect(found).toBeUndefined();
      return;
    }
    expect(found).toEqual({ podUid: testCase.expect_pod_uid, containerId: testCase.expect_container_id });
  });
});
