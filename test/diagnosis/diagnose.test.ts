/**
 * Diagnosis assembly: verdict, root cause, unknown outcomes, exit codes and fleets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnose, diagnoseFleet, evidenceForPod, exitCodeFor, fleetExitCodeFor } from '../../src/diagnosis/diagnose.js';
import { EXIT_CODES } from '../../src/errors.js';
import type { Evidence } from '../../src/evidence/types.js';
import { NODE, logLine, makeEntry, makeEvidence, makePod } from '../checks/fixtures.js';

const OPTIONS = { toolVersion: '1.2.3' };

describe('diagnose', () => {
  it('reports svid-ok for a healthy workload', () => {
    const diagnosis = diagnose(makeEvidence(), OPTIONS);

    expect(diagnosis.verdict).toBe('svid-ok');
    expect(diagnosis.rootCause).toBeNull();
    expect(diagnosis.apiVersion).toBe('spiffe-doctor/v1');
    expect(diagnosis.kind).toBe('Diagnosis');
    expect(diagnosis.tool).toEqual({ name: 'spiffe-doctor', version: '1.2.3' });
    expect(diagnosis.target).toEqual({ namespace: 'shop', pod: 'web-7c9d8b6f5-q2x7k', node: NODE });
    expect(exitCodeFor(diagnosis)).toBe(EXIT_CODES.ok);
  });

  it('names the root cause and its fix', () => {
    const diagnosis = diagnose(makeEvidence({ pod: makePod({ namespace: 'platform' }), agentLogs: [] }), OPTIONS);

    expect(diagnosis.verdict).toBe('no-svid');
    expect(diagnosis.rootCause?.cause).toBe('selector-mismatch');
    expect(diagnosis.rootCause?.checkId).toBe('entry-selectors-match');
    expect(diagnosis.rootCause?.summary).toContain('entry wants k8s:ns:shop, the workload has k8s:ns:platform');
    expect(diagnosis.findings[0]?.checkId).toBe('entry-selectors-match');
    expect(diagnosis.findings[0]?.code).toBe('SD0602');
    expect(exitCodeFor(diagnosis)).toBe(EXIT_CODES.problem);
  });

  it('reports unknown when evidence is thin', () => {
    const evidence: Evidence = {
      pod: makePod(),
      workloadFetch: { exitCode: 1, stderr: 'rpc error: code = PermissionDenied desc = no identity issued' },
    };
    const diagnosis = diagnose(evidence, OPTIONS);

    expect(diagnosis.verdict).toBe('unknown');
    expect(diagnosis.rootCause?.cause).toBe('unknown');
    expect(diagnosis.rootCause?.summary).toContain('spire-server entry show -output json');
    expect(exitCodeFor(diagnosis)).toBe(EXIT_CODES.cannotDiagnose);
  });

  it('never calls a refused fetch ok', () => {
    const evidence = makeEvidence({ agentLogs: [], workloadFetch: { exitCode: 1, stderr: 'rpc error: code = PermissionDenied desc = no identity issued' } });
    const diagnosis = diagnose(evidence, OPTIONS);

    expect(diagnosis.verdict).toBe('unknown');
    expect(diagnosis.rootCause?.cause).toBe('unknown');
  });

  it('never blames a blocking cause after issuance', () => {
    const evidence = makeEvidence({ pod: makePod({ namespace: 'platform' }), workloadFetch: { exitCode: 0, stdout: 'Received 1 svid after 5ms\n\nSPIFFE ID:\t\tspiffe://example.org/ns/shop/sa/web\n' } });
    const diagnosis = diagnose(evidence, OPTIONS);

    expect(diagnosis.verdict).toBe('svid-ok');
    expect(diagnosis.rootCause).toBeNull();
  });

  it('copies gather errors', () => {
    const diagnosis = diagnose(makeEvidence({ gatherErrors: { serverLogs: 'forbidden: pods/log' } }), OPTIONS);

    expect(diagnosis.gatherErrors).toEqual({ serverLogs: 'forbidden: pods/log' });
  });

  it('marks consequences of the root', () => {
    const evidence = makeEvidence({
      pod: makePod({ namespace: 'platform' }),
      agentLogs: [],
      workloadFetch: { exitCode: 1, stderr: 'rpc error: code = PermissionDenied desc = no identity issued' },
    });
    const diagnosis = diagnose(evidence, OPTIONS);
    const fetch = diagnosis.findings.find((finding) => finding.checkId === 'workload-fetch-succeeds');

    expect(fetch?.status).toBe('fail');
    expect(fetch?.consequenceOf).toBe('entry-selectors-match');
  });

  it('replays the same evidence identically', () => {
    const evidence = makeEvidence({ pod: makePod({ namespace: 'platform' }) });

    expect(diagnose(evidence, OPTIONS)).toEqual(diagnose(structuredClone(evidence), OPTIONS));
  });
});

describe('diagnoseFleet', () => {
  const healthy = makePod();
  const misplaced = { ...makePod({ namespace: 'platform' }), metadata: { ...makePod({ namespace: 'platform' }).metadata, name: 'web-other', uid: 'uid-other' } };
  const fleetEvidence: Evidence = {
    ...makeEvidence(),
    pod: undefined,
    pods: [healthy, misplaced],
    agentLogs: { [NODE]: (makeEvidence().agentLogs as string[]) },
    agentHealth: { [NODE]: { node: NODE, healthy: true } },
  };

  it('diagnoses every pod', () => {
    const fleet = diagnoseFleet(fleetEvidence, OPTIONS);

    expect(fleet.kind).toBe('FleetDiagnosis');
    expect(fleet.summary.workloads).toBe(2);
    expect(fleet.summary.svidOk).toBe(1);
    expect(fleet.summary.noSvid).toBe(1);
    expect(fleet.summary.byCause).toEqual({ 'selector-mismatch': 1 });
    expect(fleetExitCodeFor(fleet)).toBe(EXIT_CODES.problem);
  });

  it('picks per-node agent values', () => {
    const perPod = evidenceForPod(fleetEvidence, healthy);

    expect(perPod.agentHealth).toEqual({ node: NODE, healthy: true });
    expect(Array.isArray(perPod.agentLogs)).toBe(true);
    expect(perPod.pods).toBeUndefined();
  });

  it('drops single-workload fields', () => {
    const perPod = evidenceForPod({ ...fleetEvidence, workloadFetch: { exitCode: 0 }, expectedSpiffeId: 'spiffe://example.org/x' }, healthy);

    expect(perPod.workloadFetch).toBeUndefined();
    expect(perPod.expectedSpiffeId).toBeUndefined();
  });
});

describe('diagnoseFleet over the real-world cases', () => {
  const casesRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'cases');
  const folders = readdirSync(casesRoot, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => ({ name: entry.name }));

  it.each(folders)('$name as a fleet of one', ({ name }) => {
    const evidence = JSON.parse(readFileSync(path.join(casesRoot, name, 'evidence.json'), 'utf8')) as Evidence;
    const fleet = diagnoseFleet({ ...evidence, pod: undefined, pods: evidence.pod === undefined ? [] : [evidence.pod] }, OPTIONS);
    const { summary } = fleet;

    expect(summary.workloads).toBe(1);
    expect(summary.svidOk + summary.svidProblem + summary.noSvid + summary.unknown).toBe(1);
    expect(fleet.diagnoses[0]?.target.pod).toBe(evidence.pod?.metadata?.name);
  });
});

describe('exitCodeFor', () => {
  it.each([
    { name: 'svid-problem', entry: makeEntry(), expected: EXIT_CODES.problem },
  ])('$name exits with a problem code', ({ entry, expected }) => {
    const evidence = makeEvidence({ entries: [entry], expectedSpiffeId: 'spiffe://example.org/ns/shop/sa/other', agentLogs: [logLine('2024-05-14T09:00:00Z', 'info', 'Starting agent')] });
    const diagnosis = diagnose(evidence, OPTIONS);

    expect(diagnosis.verdict).toBe('svid-problem');
    expect(exitCodeFor(diagnosis)).toBe(expected);
  });
});
