/**
 * Gathers host evidence about this test process against a real Workload API server on
 * a temp-dir Unix socket, using spiffe-doctor's own Workload API client (no spire-agent
 * binary on PATH).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { redactEvidence } from '../../src/evidence/redact.js';
import { gatherProcessEvidence } from '../../src/probes/host/gather-process.js';
import { createWorkloadFixture, type WorkloadFixture } from '../embedded/agent/workload-fixture.js';

let fixture: WorkloadFixture;

beforeEach(async () => {
  fixture = await createWorkloadFixture();
  await fixture.start();
});

afterEach(async () => {
  await fixture.close();
});

function gatherOwnProcess() {
  return gatherProcessEvidence({ pid: process.pid }, { agentSocketPath: fixture.socketPath, env: { PATH: '' }, serverSocketPath: `${fixture.directory}/none.sock` });
}

describe('host evidence from a Workload API server', () => {
  it('fetches the SVID issued to this process', async () => {
    fixture.addOwnEntry('entry-web', '/web');

    const evidence = await gatherOwnProcess();

    const fetched = JSON.parse(evidence.workloadFetch?.stdout ?? '{}') as { svids?: { spiffe_id?: string; x509_svid_key?: string }[] };
    expect(evidence.workloadFetch?.exitCode).toBe(0);
    expect(evidence.workloadFetch?.socketPath).toBe(fixture.socketPath);
    expect(fetched.svids?.map((svid) => svid.spiffe_id)).toEqual(['spiffe://example.org/web']);
    expect(evidence.process?.uid).toBe(process.geteuid?.());
    expect(JSON.stringify(redactEvidence(evidence))).not.toContain(fetched.svids?.[0]?.x509_svid_key ?? 'missing key');
  });

  it('records no identity issued', async () => {
    const evidence = await gatherOwnProcess();

    expect(evidence.workloadFetch?.exitCode).toBe(1);
    expect(evidence.workloadFetch?.stderr).toBe('rpc error: code = PermissionDenied desc = no identity issued\n');
  });
});
