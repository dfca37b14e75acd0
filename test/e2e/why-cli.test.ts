/**
 * End to end: the built CLI, run as a child process, diagnoses pods in a lab through a
 * kubeconfig, exactly as it would a real cluster (HTTPS API reads and the WebSocket exec
 * protocol over 127.0.0.1). Needs `npm run build` first.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabScenario, startLab, type LabHandle } from '../../src/lab/index.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const cli = join(repoRoot, 'bin', 'run.js');
const POD = 'web-7d9f8b6c5-x2x9q';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { cwd: repoRoot, env: { ...process.env, CI: 'true', NO_COLOR: '1', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) code = typeof error.code === 'number' ? error.code : 1;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

async function withLab<T>(scenario: string, body: (lab: LabHandle) => Promise<T>): Promise<T> {
  const lab = await startLab(await loadLabScenario(scenario));
  try {
    return await body(lab);
  } finally {
    await lab.stop();
  }
}

let scratch: string;

beforeAll(async () => {
  if (!existsSync(join(repoRoot, 'dist', 'commands', 'why.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before the end-to-end tests');
  }
  scratch = await mkdtemp(join(tmpdir(), 'spiffe-doctor-e2e-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('why against the lab through a kubeconfig', () => {
  it.each([
    { name: 'healthy pod', scenario: 'healthy', verdict: 'svid-ok', cause: null, exitCode: 0 },
    { name: 'selector mismatch', scenario: 'selector-mismatch', verdict: 'no-svid', cause: 'selector-mismatch', exitCode: 1 },
    { name: 'missing agent', scenario: 'agent-missing', verdict: 'no-svid', cause: 'agent-not-on-node', exitCode: 1 },
    { name: 'socket path mismatch', scenario: 'socket-path-mismatch', verdict: 'no-svid', cause: 'socket-path-mismatch', exitCode: 1 },
  ])('$name', async ({ scenario, verdict, cause, exitCode }) => {
    const result = await withLab(scenario, (lab) => runCli(['why', POD, '-n', 'shop', '--kubeconfig', lab.kubeconfigPath, '-o', 'json']));

    const diagnosis = JSON.parse(result.stdout);
    expect(diagnosis.kind).toBe('Diagnosis');
    expect(diagnosis.verdict).toBe(verdict);
    expect(diagnosis.rootCause?.cause ?? null).toBe(cause);
    expect(diagnosis.target).toMatchObject({ namespace: 'shop', pod: POD });
    expect(result.code).toBe(exitCode);
  });

  it('degrades forbidden exec to a gather error', async () => {
    const result = await withLab('forbidden-exec', (lab) => runCli(['why', POD, '-n', 'shop', '--kubeconfig', lab.kubeconfigPath, '-o', 'json']));

    // Everything else is healthy, but no SVID was seen, so the diagnosis is printed as unknown, naming the grant.
    const diagnosis = JSON.parse(result.stdout);
    expect(diagnosis.gatherErrors.workloadFetch).toContain('grant pods/exec in namespace shop');
    expect(diagnosis.verdict).toBe('unknown');
    expect(diagnosis.rootCause.summary).toContain('the in-pod fetch did not run (forbidden: grant pods/exec in namespace shop');
    expect(result.code).toBe(2);
  });

  it('saves redacted evidence that replays to the same diagnosis', async () => {
    const evidencePath = join(scratch, 'healthy-evidence.json');
    const live = await withLab('healthy', (lab) =>
      runCli(['why', POD, '-n', 'shop', '--kubeconfig', lab.kubeconfigPath, '-o', 'json', '--save-evidence', evidencePath]),
    );

    const saved = await readFile(evidencePath, 'utf8');
    const replay = await runCli(['why', '--from-evidence', evidencePath, '-o', 'json']);

    expect(saved).not.toMatch(/PRIVATE KEY|"x509_svid_key":\s*"[A-Za-z0-9+/]{20}/);
    expect(JSON.parse(replay.stdout).rootCause).toEqual(JSON.parse(live.stdout).rootCause);
    expect(JSON.parse(replay.stdout).verdict).toBe(JSON.parse(live.stdout).verdict);
  });

  it('prints a plain table with no escape codes when not on a terminal', async () => {
    const result = await withLab('selector-mismatch', (lab) => runCli(['why', POD, '-n', 'shop', '--kubeconfig', lab.kubeconfigPath]));

    expect(result.stdout).toContain('Root cause: selector-mismatch');
    expect(result.stdout).not.toContain('\u001b');
  });
});

describe('why with bad input', () => {
  it('exits 2 for an unknown pod', async () => {
    const result = await withLab('healthy', (lab) => runCli(['why', 'no-such-pod', '-n', 'shop', '--kubeconfig', lab.kubeconfigPath]));

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no-such-pod');
    expect(result.stdout).toBe('');
  });

  it('exits 2 for an unreachable API server', async () => {
    const kubeconfigPath = join(scratch, 'dead-kubeconfig.yaml');
    await writeFile(
      kubeconfigPath,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: dead, cluster: {server: "https://127.0.0.1:9"}}]',
        'users: [{name: dead, user: {token: x}}]',
        'contexts: [{name: dead, context: {cluster: dead, user: dead}}]',
        'current-context: dead',
      ].join('\n'),
    );

    const result = await runCli(['why', POD, '-n', 'shop', '--kubeconfig', kubeconfigPath]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('127.0.0.1:9');
  });

  it.each([
    { name: 'missing file', content: undefined, message: 'missing.json' },
    { name: 'malformed JSON', content: '{"pod": ', message: 'malformed.json' },
    { name: 'no workload', content: '{"entries": []}', message: 'no-workload.json' },
    { name: 'pod without a name', content: '{"pod": {}}', message: 'nameless-pod.json' },
  ])('exits 2 for an evidence file: $name', async ({ name, content, message }) => {
    const file = join(scratch, message);
    if (content !== undefined) await writeFile(file, content);

    const result = await runCli(['why', '--from-evidence', file]);

    expect(result.code, name).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });

  it('exits 2 when the pod argument names another pod than the evidence', async () => {
    const result = await runCli(['why', 'other-pod', '--from-evidence', join(repoRoot, '..', 'shared', 'cases', 'C01', 'evidence.json')]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not platform/other-pod');
  });

  it('exits 2 for an --expect-id that is not a SPIFFE ID', async () => {
    const result = await runCli(['why', '--from-evidence', join(repoRoot, '..', 'shared', 'cases', 'C01', 'evidence.json'), '--expect-id', 'web']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --expect-id "web"');
  });

  it('exits 2 when the API server accepts connections but never answers', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolveListen) => silent.listen(0, '127.0.0.1', resolveListen));
    const { port } = silent.address() as AddressInfo;
    const kubeconfigPath = join(scratch, 'silent-kubeconfig.yaml');
    await writeFile(
      kubeconfigPath,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: silent, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
        'users: [{name: silent, user: {token: x}}]',
        'contexts: [{name: silent, context: {cluster: silent, user: silent}}]',
        'current-context: silent',
      ].join('\n'),
    );

    try {
      const result = await runCli(['why', POD, '-n', 'shop', '--kubeconfig', kubeconfigPath, '--probe-timeout', '2']);

      expect(result.code).toBe(2);
      expect(result.stderr).toContain('timed out after 2 s');
    } finally {
      silent.close();
    }
  });

  it('exits 2 when no pod is named and prompts are off', async () => {
    const result = await withLab('healthy', (lab) => runCli(['why', '-n', 'shop', '--kubeconfig', lab.kubeconfigPath]));

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no pod was named');
  });
});
