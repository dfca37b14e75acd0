import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { isUserError } from '../../../src/errors.js';
import type { CommandOptions, CommandRunner } from '../../../src/probes/host/command.js';
import { gatherProcessEvidence } from '../../../src/probes/host/gather-process.js';
import { createProcFixture, FIXTURE_CGROUP, FIXTURE_PID, FIXTURE_SHA256, type ProcFixture } from './proc-fixture.js';

const ENTRY_SHOW_JSON =
  '{"entries":[{"id":"e1","parent_id":{"path":"/spire/agent/join_token/abc","trust_domain":"example.org"},"selectors":[{"type":"unix","value":"uid:1001"}],"spiffe_id":{"path":"/web","trust_domain":"example.org"}}],"next_page_token":""}\n';
const FETCH_JSON = '{"crl":[],"federated_bundles":{},"svids":[{"bundle":"QQ==","hint":"","spiffe_id":"spiffe://example.org/web","x509_svid":"Qg==","x509_svid_key":"Qw=="}]}\n';
const AGENT_LIST_JSON = '{"agents":[{"attestation_type":"join_token","id":{"path":"/spire/agent/join_token/abc","trust_domain":"example.org"}}],"next_page_token":""}\n';
const AGENT_CONF = 'agent {\n  socket_path = "/run/spire/agent/public/api.sock"\n  trust_domain = "example.org"\n}\n';

interface RecordedCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly options: CommandOptions;
}

/** A command runner that records calls and returns fixed SPIRE CLI output. */
function fakeRunner(calls: RecordedCommand[], fetchExit = 0): CommandRunner {
  return async (file, args, options) => {
    calls.push({ file, args, options });
    if (args.includes('fetch')) {
      return fetchExit === 0
        ? { exitCode: 0, stdout: FETCH_JSON, stderr: '' }
        : { exitCode: fetchExit, stdout: '', stderr: 'rpc error: code = PermissionDenied desc = no identity issued\n' };
    }
    if (args.includes('entry')) return { exitCode: 0, stdout: ENTRY_SHOW_JSON, stderr: '' };
    if (args.includes('agent')) return { exitCode: 0, stdout: AGENT_LIST_JSON, stderr: '' };
    if (args.includes('healthcheck')) return { exitCode: 0, stdout: 'Agent is healthy.\n', stderr: '' };
    if (file.endsWith('journalctl')) return { exitCode: 0, stdout: 'one\ntwo\nthree\n', stderr: '' };
    return { exitCode: 127, stdout: '', stderr: 'unexpected command' };
  };
}

let fixture: ProcFixture;
let binDir: string;

beforeEach(async () => {
  fixture = await createProcFixture();
  binDir = join(fixture.root, 'bin');
  await mkdir(binDir);
});

afterEach(async () => {
  await rm(fixture.root, { recursive: true, force: true });
});

async function installFakeBinary(name: string): Promise<string> {
  const path = join(binDir, name);
  await writeFile(path, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return path;
}

describe('gatherProcessEvidence', () => {
  it('gathers process facts, config, logs, entries and a fetch', async () => {
    const calls: RecordedCommand[] = [];
    const agentBinary = await installFakeBinary('spire-agent');
    const configPath = join(fixture.root, 'agent.conf');
    const logPath = join(fixture.root, 'agent.log');
    const entriesPath = join(fixture.root, 'entries.json');
    await writeFile(configPath, AGENT_CONF);
    await writeFile(logPath, 'a\nb\nc\n');
    await writeFile(entriesPath, ENTRY_SHOW_JSON);

    const evidence = await gatherProcessEvidence(
      { pid: FIXTURE_PID },
      {
        procRoot: fixture.procRoot,
        etcRoot: fixture.etcRoot,
        agentConfigPath: configPath,
        agentLogPath: logPath,
        entriesFile: entriesPath,
        serverSocketPath: join(fixture.root, 'no-server.sock'),
        logTailLines: 2,
        runCommand: fakeRunner(calls),
        env: { PATH: binDir },
        now: () => new Date('2024-05-14T10:00:00Z'),
      },
    );

    expect(evidence.gatherErrors).toEqual({ agents: `no SPIRE server socket at ${join(fixture.root, 'no-server.sock')} on this host` });
    expect(evidence.gatheredAt).toBe('2024-05-14T10:00:00.000Z');
    expect(evidence.agentHealth).toEqual({ healthy: true, output: 'Agent is healthy.' });
    expect(evidence.process).toEqual({
      pid: FIXTURE_PID,
      uid: 1001,
      gid: 1002,
      user: 'web',
      group: 'web',
      path: fixture.binaryPath,
      sha256: FIXTURE_SHA256,
      supplementaryGids: [27, 1002],
      cgroup: FIXTURE_CGROUP,
    });
    expect(evidence.agentConfig).toBe(AGENT_CONF);
    expect(evidence.agentLogs).toEqual(['b', 'c']);
    expect(evidence.entries).toEqual(JSON.parse(ENTRY_SHOW_JSON));
    expect(evidence.workloadFetch?.stdout).toBe(FETCH_JSON);
    expect(evidence.workloadFetch?.socketPath).toBe('/run/spire/agent/public/api.sock');
    expect(calls.map((call) => [call.file, ...call.args].join(' ')).sort()).toEqual([
      `${agentBinary} api fetch x509 -socketPath /run/spire/agent/public/api.sock -output json`,
      `${agentBinary} healthcheck -socketPath /run/spire/agent/public/api.sock`,
    ]);
  });

  it('runs the fetch as the workload when root', async () => {
    const calls: RecordedCommand[] = [];
    await installFakeBinary('spire-agent');

    const evidence = await gatherProcessEvidence(
      { pid: FIXTURE_PID },
      { procRoot: fixture.procRoot, etcRoot: fixture.etcRoot, runCommand: fakeRunner(calls), env: { PATH: binDir }, agentSocketPath: '/tmp/x.sock' },
    );

    const fetch = calls.find((call) => call.args.includes('fetch'));
    if (process.getuid?.() === 0) {
      expect(fetch?.options.uid).toBe(1001);
      expect(fetch?.options.gid).toBe(1002);
      expect(evidence.workloadFetch?.note).toContain('as uid 1001 and gid 1002');
    } else {
      expect(fetch?.options.uid).toBeUndefined();
      expect(evidence.workloadFetch?.note).toContain("spiffe-doctor's own uid");
    }
    expect(evidence.workloadFetch?.note).toContain("unix:path and unix:sha256 selectors are the binary's");
  });

  it('reads agent logs from the journal', async () => {
    const calls: RecordedCommand[] = [];
    const journalctl = await installFakeBinary('journalctl');

    const evidence = await gatherProcessEvidence(
      { pid: FIXTURE_PID },
      { procRoot: fixture.procRoot, etcRoot: fixture.etcRoot, runCommand: fakeRunner(calls), env: { PATH: binDir }, journalUnit: 'spire-agent@main' },
    );

    expect(evidence.agentLogs).toEqual(['one', 'two', 'three']);
    expect(calls.map((call) => [call.file, ...call.args].join(' '))).toContain(`${journalctl} -u spire-agent@main -n 200 --no-pager -o cat`);
  });

  it('reads entries and agents from the local server', async () => {
    const calls: RecordedCommand[] = [];
    const server = await installFakeBinary('spire-server');
    const serverSocket = join(fixture.root, 'api.sock');
    await writeFile(serverSocket, '');

    const evidence = await gatherProcessEvidence(
      { pid: FIXTURE_PID },
      { procRoot: fixture.procRoot, etcRoot: fixture.etcRoot, runCommand: fakeRunner(calls), env: { PATH: binDir }, serverSocketPath: serverSocket },
    );

    expect(evidence.entries).toEqual(JSON.parse(ENTRY_SHOW_JSON));
    expect(evidence.agents).toEqual(JSON.parse(AGENT_LIST_JSON));
    expect(calls.map((call) => [call.file, ...call.args].join(' '))).toContain(`${server} entry show -output json -socketPath ${serverSocket}`);
    expect(calls.map((call) => [call.file, ...call.args].join(' '))).toContain(`${server} agent list -output json -socketPath ${serverSocket}`);
  });

  it('records what could not be gathered', async () => {
    const evidence = await gatherProcessEvidence(
      { pid: FIXTURE_PID },
      {
        procRoot: fixture.procRoot,
        etcRoot: fixture.etcRoot,
        agentConfigPath: join(fixture.root, 'missing.conf'),
        runCommand: fakeRunner([]),
        env: { PATH: binDir },
        serverSocketPath: join(fixture.root, 'no.sock'),
        agentSocketPath: join(fixture.root, 'no-agent.sock'),
      },
    );

    expect(evidence.gatherErrors).toEqual({
      agentConfig: `no such file: ${join(fixture.root, 'missing.conf')}`,
      agentLogs: 'no agent log file given (--agent-log) and journalctl is not installed',
      entries: `no --entries-file given and no SPIRE server socket at ${join(fixture.root, 'no.sock')} on this host`,
      agents: `no SPIRE server socket at ${join(fixture.root, 'no.sock')} on this host`,
      agentHealth: 'no spire-agent binary on PATH to run its health check',
    });
    expect(evidence.workloadFetch?.exitCode).toBe(1);
    expect(evidence.workloadFetch?.stderr).toContain('rpc error: code = Unavailable');
    expect(evidence.workloadFetch?.note).toContain("fetched with spiffe-doctor's Workload API client");
  });

  it('records an entries file that is not entry show output', async () => {
    const entriesPath = join(fixture.root, 'entries.json');
    await writeFile(entriesPath, '{"agents":[]}');

    const evidence = await gatherProcessEvidence(
      { pid: FIXTURE_PID },
      { procRoot: fixture.procRoot, etcRoot: fixture.etcRoot, entriesFile: entriesPath, runCommand: fakeRunner([]), env: { PATH: binDir }, agentSocketPath: '/tmp/x.sock', agentBinary: '/bin/true' },
    );

    expect(evidence.gatherErrors?.entries).toBe(`failed: ${entriesPath} is not spire-server entry show -output json output: expected an "entries" array`);
  });

  it('records facts it cannot read', async () => {
    await rm(join(fixture.procRoot, String(FIXTURE_PID), 'cgroup'));

    const evidence = await gatherProcessEvidence(
      { pid: FIXTURE_PID },
      { procRoot: fixture.procRoot, etcRoot: fixture.etcRoot, runCommand: fakeRunner([]), env: { PATH: binDir }, agentSocketPath: '/tmp/x.sock', agentBinary: '/bin/true' },
    );

    expect(evidence.process?.cgroup).toBeUndefined();
    expect(evidence.process?.uid).toBe(1001);
    expect(evidence.gatherErrors?.['process.cgroup']).toBe(`no such file: ${join(fixture.procRoot, String(FIXTURE_PID))}/cgroup`);
  });

  it.each([
    { name: 'unknown pid', pid: 99999, message: (procRoot: string) => `process 99999 not found (no ${procRoot}/99999)` },
    { name: 'negative pid', pid: -1, message: () => 'invalid pid -1: expected a positive integer' },
  ])('raises a user error for $name', async ({ pid, message }) => {
    const error = await gatherProcessEvidence({ pid }, { procRoot: fixture.procRoot }).catch((thrown: unknown) => thrown);

    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe(message(fixture.procRoot));
  });

  it('gathers this test process', async () => {
    const evidence = await gatherProcessEvidence(
      { pid: process.pid },
      { runCommand: fakeRunner([]), env: { PATH: binDir }, agentSocketPath: join(fixture.root, 'none.sock'), agentBinary: '/bin/true' },
    );

    expect(evidence.process?.pid).toBe(process.pid);
    expect(evidence.process?.uid).toBe(process.geteuid?.());
    expect(evidence.process?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
