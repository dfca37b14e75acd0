import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { isUserError } from '../../src/errors.js';
import { loadLabScenario, startLab } from '../../src/lab/index.js';
import { gatherEvidence } from '../../src/probes/gather.js';
import { createProcFixture, FIXTURE_PID, type ProcFixture } from './host/proc-fixture.js';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'gather-service-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('gatherEvidence', () => {
  it('loads an evidence file and overrides the expected ID', async () => {
    const path = join(directory, 'in.json');
    await writeFile(path, JSON.stringify({ pod: { metadata: { name: 'web-0' } }, expectedSpiffeId: 'spiffe://example.org/old' }));

    const evidence = await gatherEvidence({ kind: 'evidence-file', path }, { expectedSpiffeId: 'spiffe://example.org/new' });

    expect(evidence).toEqual({ pod: { metadata: { name: 'web-0' } }, expectedSpiffeId: 'spiffe://example.org/new' });
  });

  it('saves redacted evidence from the lab', async () => {
    const savePath = join(directory, 'saved.json');

    const evidence = await gatherEvidence(
      { kind: 'lab', scenario: 'healthy', namespace: 'shop', pod: 'web-7d9f8b6c5-x2x9q' },
      { saveEvidencePath: savePath },
    );

    const saved = await readFile(savePath, 'utf8');
    expect(evidence.workloadFetch?.exitCode).toBe(0);
    expect(evidence.workloadFetch?.stdout).toMatch(/"x509_svid_key":"[A-Za-z0-9+/]/);
    expect(saved).toContain('"x509_svid_key\\":\\"[redacted: private key]\\"');
    expect(saved).not.toMatch(/x509_svid_key\\":\\"[A-Za-z0-9+/]/);
  });

  it('gathers a lab namespace as valid fleet evidence', async () => {
    const savePath = join(directory, 'fleet.json');

    const evidence = await gatherEvidence({ kind: 'lab-namespace', scenario: 'healthy', namespace: 'shop' }, { saveEvidencePath: savePath });

    expect(evidence.pods?.map((pod) => pod.metadata?.name)).toEqual(['web-7d9f8b6c5-x2x9q']);
    expect(Object.keys(evidence.agentHealth ?? {})).toEqual(['lab-worker-2']);
    expect((await gatherEvidence({ kind: 'evidence-file', path: savePath })).pods?.length).toBe(1);
  });

  it('gathers from a cluster through its kubeconfig', async () => {
    const lab = await startLab(await loadLabScenario('healthy'));
    try {
      const evidence = await gatherEvidence({ kind: 'cluster', kubeconfigPath: lab.kubeconfigPath, context: 'lab', namespace: 'shop', pod: 'web-7d9f8b6c5-x2x9q' });

      expect(evidence.pod?.metadata?.name).toBe('web-7d9f8b6c5-x2x9q');
      expect(evidence.gatherErrors).toBeUndefined();
    } finally {
      await lab.stop();
    }
  });

  it('raises a user error for an unknown lab pod', async () => {
    const error = await gatherEvidence({ kind: 'lab', scenario: 'healthy', namespace: 'shop', pod: 'nope' }).catch((thrown: unknown) => thrown);

    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe('pod "nope" not found in namespace "shop"');
  });

  describe('process source', () => {
    let fixture: ProcFixture;

    beforeEach(async () => {
      fixture = await createProcFixture();
    });

    afterEach(async () => {
      await rm(fixture.root, { recursive: true, force: true });
    });

    it('gathers a fixture process', async () => {
      const evidence = await gatherEvidence(
        { kind: 'process', pid: FIXTURE_PID },
        {
          process: {
            procRoot: fixture.procRoot,
            etcRoot: fixture.etcRoot,
            env: { PATH: '' },
            agentSocketPath: join(fixture.root, 'agent.sock'),
            serverSocketPath: join(fixture.root, 'server.sock'),
          },
        },
      );

      expect(evidence.process?.user).toBe('web');
      expect(evidence.workloadFetch?.exitCode).toBe(1);
    });
  });
});
