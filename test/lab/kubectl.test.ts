/**
 * Drives the lab with kubectl, when kubectl is installed. kubectl's discovery cache goes
 * to a temporary directory so runs against different labs do not mix.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHandle } from '../../src/lab/index.js';
import { startLabClients } from './lab-fixtures.js';

function findKubectl(): Promise<boolean> {
  return new Promise((resolve) => execFile('kubectl', ['version', '--client'], { timeout: 20_000 }, (error) => resolve(!error)));
}

const hasKubectl = await findKubectl();

interface KubectlResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe.skipIf(!hasKubectl)('kubectl against the lab', () => {
  let lab: LabHandle;
  let cacheDir: string;

  beforeAll(async () => {
    lab = (await startLabClients('selector-mismatch')).lab;
    cacheDir = await mkdtemp(join(tmpdir(), 'lab-kubectl-cache-'));
  });

  afterAll(async () => {
    await lab?.stop();
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  function kubectl(...args: string[]): Promise<KubectlResult> {
    const env = { ...process.env, KUBECONFIG: lab.kubeconfigPath, KUBECACHEDIR: cacheDir };
    return new Promise((resolve) => {
      execFile('kubectl', args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
        let exitCode = 0;
        if (error) exitCode = typeof error.code === 'number' ? error.code : 1;
        resolve({ exitCode, stdout, stderr });
      });
    });
  }

  it('lists pods by label', async () => {
    const result = await kubectl('get', 'pods', '-n', 'spire', '-l', 'app=spire-agent', '-o', 'name');

    expect(result.stdout).toBe('pod/spire-agent-7xk2p\npod/spire-agent-q9w4m\n');
  });

  it('prints pod columns from the Table', async () => {
    const result = await kubectl('get', 'pods', '-n', 'shop');

    expect(result.stdout).toMatch(/^NAME +READY +STATUS +RESTARTS +AGE\nweb-7d9f8b6c5-x2x9q +1\/1 +Running +0 +\d+m\n$/);
  });

  it('prints a NotFound error', async () => {
    const result = await kubectl('get', 'pod', 'web-0', '-n', 'shop');

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('Error from server (NotFound): pods "web-0" not found\n');
  });

  it('runs a command with exit code 0', async () => {
    const result = await kubectl('exec', '-n', 'spire', 'spire-server-0', '--', '/opt/spire/bin/spire-server', 'healthcheck');

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('Server is healthy.\n');
  });

  it('passes on a non-zero exit code', async () => {
    const result = await kubectl('exec', '-n', 'shop', 'web-7d9f8b6c5-x2x9q', '-c', 'app', '--', 'spire-agent', 'api', 'fetch', 'x509', '-socketPath', '/run/spire/sockets/agent.sock');

    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('rpc error: code = PermissionDenied desc = no identity issued\ncommand terminated with exit code 1\n');
  });

  it('reads the agent log', async () => {
    const result = await kubectl('logs', '-n', 'spire', 'spire-agent-7xk2p', '--tail', '1');

    expect(result.stdout).toContain('msg="Starting Workload and SDS APIs"');
  });
});
