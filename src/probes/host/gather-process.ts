/**
 * Evidence gathering for a workload process outside Kubernetes, run on its own host. It
 * reads process facts from procfs and the agent's config and logs. It runs the agent's
 * health check and a Workload API fetch on the local agent socket, and reads registration
 * entries from a file or the local server (and attested agents from the local server).
 */
import { readFile, stat } from 'node:fs/promises';

import { UserError } from '../../errors.js';
import { EVIDENCE_API_VERSION, type AgentHealth, type Evidence, type ProcessFacts } from '../../evidence/types.js';
import { silentLogger, type Logger } from '../../logger.js';
import { ProbeSkippedError } from '../errors.js';
import { dropUndefined } from '../compact.js';
import { ProbeRunner, type ProbeObserver } from '../probe-runner.js';
import { findConfiguredSocketPath } from '../kube/socket-path.js';
import { DEFAULT_AGENT_SOCKET_PATH, DEFAULT_SERVER_SOCKET_PATH } from '../kube/spire-layout.js';
import { lookUpIdName } from './accounts.js';
import { findExecutable, runCommand as defaultRunCommand, type CommandRunner } from './command.js';
import { describeHostFailure } from './host-failure.js';
import { fetchOnHost } from './host-fetch.js';
import { hashExecutable, processDirectory, readCgroup, readExecutablePath, readProcStatus } from './proc.js';

/** The workload process to diagnose. */
export interface ProcessGatherRequest {
  readonly pid: number;
  /** The uid the workload runs as, when /proc cannot be read for it; /proc wins when readable. */
  readonly uid?: number;
  readonly expectedSpiffeId?: string;
}

export interface ProcessGatherOptions {
  /** Root of procfs, like SPIRE's `HOST_PROC`; default `/proc`. */
  readonly procRoot?: string;
  /** Directory with `passwd` and `group`; default `/etc`. */
  readonly etcRoot?: string;
  /** Agent config file (`--agent-config`); without it, agentConfig is not gathered. */
  readonly agentConfigPath?: string;
  /** Agent log file (`--agent-log`); default: the journal of `journalUnit`. */
  readonly agentLogPath?: string;
  /** systemd unit of the agent for `journalctl -u`; default `spire-agent`. */
  readonly journalUnit?: string;
  /** Workload API socket; default: `socket_path` from the agent config, else `/tmp/spire-agent/public/api.sock`. */
  readonly agentSocketPath?: string;
  /** spire-agent binary; default: `spire-agent` on `PATH`, else spiffe-doctor's own Workload API client. */
  readonly agentBinary?: string;
  /** spire-server binary for entries; default `spire-server` on `PATH`. */
  readonly serverBinary?: string;
  /** The server's admin socket; default `/tmp/spire-server/private/api.sock`. */
  readonly serverSocketPath?: string;
  /** `spire-server entry show -output json` output saved to a file (`--entries-file`); takes precedence over the server socket. */
  readonly entriesFile?: string;
  /** Log lines to read from the end of the agent log; default 200. */
  readonly logTailLines?: number;
  /** Timeout of each probe in milliseconds; default 15000. */
  readonly probeTimeoutMs?: number;
  readonly onProbe?: ProbeObserver;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** Runs host commands; default `execFile`. */
  readonly runCommand?: CommandRunner;
  /** Environment for `PATH` lookups; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

const DEFAULT_PROBE_TIMEOUT_MS = 15_000;
const DEFAULT_LOG_TAIL_LINES = 200;

/**
 * Gathers evidence about a process on this host.
 *
 * @throws UserError when the pid is not a positive integer or no such process exists
 *   under the proc root.
 */
export async function gatherProcessEvidence(request: ProcessGatherRequest, options: ProcessGatherOptions = {}): Promise<Evidence> {
  const gatheredAt = (options.now ?? (() => new Date()))().toISOString();
  const procRoot = options.procRoot ?? '/proc';
  await requireProcess(procRoot, request.pid);

  const logger = (options.logger ?? silentLogger).child({ pid: request.pid });
  const timeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const runner = new ProbeRunner<string>(timeoutMs, options.onProbe ?? (() => {}), logger, describeHostFailure);
  const run = options.runCommand ?? defaultRunCommand;

  const [process, agentConfig, agentLogs, entries, agents] = await Promise.all([
    readProcessFacts(request, procRoot, options.etcRoot ?? '/etc', runner),
    runner.run('agentConfig', options.agentConfigPath ?? '', () => readAgentConfig(options.agentConfigPath)),
    runner.run('agentLogs', options.agentLogPath ?? 'journal', () => readAgentLogs(options, run, timeoutMs)),
    runner.run('entries', options.entriesFile ?? 'spire-server entry show', () => readEntries(options, run, timeoutMs)),
    runner.run('agents', 'spire-server agent list', () => readServerJson(options, run, timeoutMs, ['agent', 'list'], '')),
  ]);

  const socketPath = options.agentSocketPath ?? (agentConfig === undefined ? undefined : findConfiguredSocketPath(agentConfig)) ?? DEFAULT_AGENT_SOCKET_PATH;
  const agentBinary = options.agentBinary ?? (await findExecutable('spire-agent', options.env));
  const [agentHealth, workloadFetch] = await Promise.all([
    runner.run('agentHealth', `${agentBinary ?? 'spire-agent'} healthcheck`, () => checkAgentHealth(agentBinary, socketPath, run, timeoutMs)),
    runner.run('workloadFetch', socketPath, () =>
      fetchOnHost({ socketPath, agentBinary, workload: process, timeoutMs, runCommand: run, ownUid: globalThis.process.getuid?.() }),
    ),
  ]);

  return dropUndefined({
    apiVersion: EVIDENCE_API_VERSION,
    kind: 'Evidence',
    gatheredAt,
    process,
    agentConfig,
    agentLogs,
    entries: entries as Evidence['entries'],
    agents: agents as Evidence['agents'],
    agentHealth,
    workloadFetch,
    expectedSpiffeId: request.expectedSpiffeId,
    gatherErrors: Object.keys(runner.gatherErrors).length > 0 ? { ...runner.gatherErrors } : undefined,
  });
}

async function requireProcess(procRoot: string, pid: number): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new UserError(`invalid pid ${pid}: expected a positive integer`, { suggestions: ['Find the workload pid with pgrep NAME or ps -ef.'] });
  }

  const found = await stat(processDirectory(procRoot, pid)).catch(() => undefined);
  if (found?.isDirectory()) return;
  throw new UserError(`process ${pid} not found (no ${processDirectory(procRoot, pid)})`, {
    suggestions: ['Check the pid with ps -p PID; run spiffe-doctor on the host where the workload runs.'],
  });
}

/**
 * Reads each process fact on its own, so one unreadable file (the `exe` link of another
 * user's process needs root) costs that fact only. Failures go to `process.<fact>` gather errors.
 */
async function readProcessFacts(request: ProcessGatherRequest, procRoot: string, etcRoot: string, runner: ProbeRunner<string>): Promise<ProcessFacts> {
  const { pid } = request;
  const directory = processDirectory(procRoot, pid);
  const [status, path, sha256, cgroup] = await Promise.all([
    runner.run('process.uid', `${directory}/status`, () => readProcStatus(procRoot, pid)),
    runner.run('process.path', `${directory}/exe`, () => readExecutablePath(procRoot, pid)),
    runner.run('process.sha256', `${directory}/exe`, () => hashExecutable(procRoot, pid)),
    runner.run('process.cgroup', `${directory}/cgroup`, () => readCgroup(procRoot, pid)),
  ]);

  const uid = status?.uid ?? request.uid;
  const gid = status?.gid;
  const [user, group] = await Promise.all([
    uid === undefined ? undefined : runner.run('process.user', `${etcRoot}/passwd`, () => lookUpIdName(etcRoot, 'passwd', uid)),
    gid === undefined ? undefined : runner.run('process.group', `${etcRoot}/group`, () => lookUpIdName(etcRoot, 'group', gid)),
  ]);

  return dropUndefined({ pid, uid, gid, user, group, path, sha256, supplementaryGids: status?.groups, cgroup }) as ProcessFacts;
}

async function readAgentConfig(path: string | undefined): Promise<string> {
  if (path === undefined) throw new ProbeSkippedError('no agent config file given (--agent-config)');
  return readFile(path, 'utf8');
}

async function readAgentLogs(options: ProcessGatherOptions, run: CommandRunner, timeoutMs: number): Promise<string[]> {
  const tail = options.logTailLines ?? DEFAULT_LOG_TAIL_LINES;
  if (options.agentLogPath !== undefined) return tailLines(await readFile(options.agentLogPath, 'utf8'), tail);

  const journalctl = await findExecutable('journalctl', options.env);
  if (journalctl === undefined) throw new ProbeSkippedError('no agent log file given (--agent-log) and journalctl is not installed');

  const unit = options.journalUnit ?? 'spire-agent';
  const result = await run(journalctl, ['-u', unit, '-n', String(tail), '--no-pager', '-o', 'cat'], { timeoutMs });
  if (result.exitCode !== 0) throw new Error(`journalctl -u ${unit} exited with code ${result.exitCode}: ${result.stderr.trim()}`);
  return tailLines(result.stdout, tail);
}

async function readEntries(options: ProcessGatherOptions, run: CommandRunner, timeoutMs: number): Promise<unknown> {
  if (options.entriesFile !== undefined) return requireEntryList(JSON.parse(await readFile(options.entriesFile, 'utf8')), options.entriesFile);
  return readServerJson(options, run, timeoutMs, ['entry', 'show'], 'no --entries-file given and ');
}

/**
 * Runs a `-output json` spire-server command on the local admin socket.
 * `skipPrefix` starts the skip reason, so it can name the alternative the user had.
 */
async function readServerJson(
  options: ProcessGatherOptions,
  run: CommandRunner,
  timeoutMs: number,
  subcommand: readonly string[],
  skipPrefix: string,
): Promise<unknown> {
  const socketPath = options.serverSocketPath ?? DEFAULT_SERVER_SOCKET_PATH;
  const socket = await stat(socketPath).catch(() => undefined);
  if (socket === undefined) throw new ProbeSkippedError(`${skipPrefix}no SPIRE server socket at ${socketPath} on this host`);

  const binary = options.serverBinary ?? (await findExecutable('spire-server', options.env));
  if (binary === undefined) throw new ProbeSkippedError(`${skipPrefix}no spire-server binary on PATH`);

  const result = await run(binary, [...subcommand, '-output', 'json', '-socketPath', socketPath], { timeoutMs });
  if (result.exitCode !== 0) throw new Error(`spire-server ${subcommand.join(' ')} exited with code ${result.exitCode}: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as unknown;
}

/** Runs `spire-agent healthcheck` on the agent socket; exit code 0 means healthy (SPIRE 1.15). */
async function checkAgentHealth(agentBinary: string | undefined, socketPath: string, run: CommandRunner, timeoutMs: number): Promise<AgentHealth> {
  if (agentBinary === undefined) throw new ProbeSkippedError('no spire-agent binary on PATH to run its health check');

  const result = await run(agentBinary, ['healthcheck', '-socketPath', socketPath], { timeoutMs });
  const output = [result.stdout.trim(), result.stderr.trim()].filter((text) => text !== '').join('\n');
  return { healthy: result.exitCode === 0, output };
}

/** Accepts what `spire-server entry show -output json` prints, or its bare `entries` array. */
function requireEntryList(value: unknown, origin: string): unknown {
  const list = Array.isArray(value) ? value : (value as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(list)) throw new Error(`${origin} is not spire-server entry show -output json output: expected an "entries" array`);
  return value;
}

function tailLines(text: string, count: number): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-count);
}
