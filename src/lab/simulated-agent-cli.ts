/**
 * `spire-agent` as it behaves inside a lab container (SPIRE 1.15 CLI): `healthcheck`,
 * `api fetch x509` (also spelled `api fetch`) and `api fetch jwt`. Fetch errors print the
 * raw gRPC error on stderr with exit code 1. An unknown subcommand prints the command
 * list with exit code 127.
 */
import type { KubePod } from '../evidence/kube-types.js';
import { FlagError, parseFlags, type FlagSpec, type ParsedFlags } from './command-flags.js';
import { failed, succeeded, type LabExecResult } from './exec-backend.js';
import { simulateJwtFetch } from './jwt-fetch.js';
import { DEFAULT_AGENT_SOCKET_PATH, reachAgent, simulateX509Fetch, type FetchContext, type WorkloadCaller } from './workload-fetch.js';

/** The pod and container the command runs in. */
export interface AgentCliTarget {
  readonly pod: KubePod;
  readonly containerName: string;
}

const HEALTHCHECK_FLAGS: FlagSpec = { socketPath: 'string', instance: 'string', shallow: 'bool', verbose: 'bool' };
const FETCH_X509_FLAGS: FlagSpec = { socketPath: 'string', instance: 'string', timeout: 'string', output: 'string', silent: 'bool', write: 'string' };
const FETCH_JWT_FLAGS: FlagSpec = { socketPath: 'string', instance: 'string', timeout: 'string', output: 'string', format: 'string', audience: 'string', spiffeID: 'string' };

/** Runs `spire-agent <args>`. */
export async function runSpireAgentCli(args: readonly string[], context: FetchContext, target: AgentCliTarget): Promise<LabExecResult> {
  try {
    if (args[0] === 'healthcheck') return runHealthcheck(args.slice(1), context, target);
    if (args[0] === 'api' && args[1] === 'fetch' && (args[2] === undefined || args[2] === 'x509' || args[2]?.startsWith('-'))) {
      const rest = args[2] === 'x509' ? args.slice(3) : args.slice(2);
      return await runFetchX509(rest, context, target);
    }
    if (args[0] === 'api' && args[1] === 'fetch' && args[2] === 'jwt') return await runFetchJwt(args.slice(3), context, target);
    // TODO: `api validate jwt` and `api watch` are not simulated (remove once a probe runs them).
    return failed(usage(), 127);
  } catch (error) {
    if (error instanceof FlagError) return failed(`${error.message}\n`);
    throw error;
  }
}

function usage(): string {
  const names = ['api', 'healthcheck', 'run', 'validate'];
  return `Usage: spire-agent [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n${names.map((name) => `    ${name}`).join('\n')}\n`;
}

function runHealthcheck(args: readonly string[], context: FetchContext, target: AgentCliTarget): LabExecResult {
  const flags = parseFlags(args, HEALTHCHECK_FLAGS);
  const socketPath = flags.strings.get('socketPath') ?? DEFAULT_AGENT_SOCKET_PATH;
  const reach = reachAgent(context.state, target.pod, target.containerName, socketPath);
  const verbose = flags.booleans.has('verbose');
  if (!reach.reachable) {
    return { stdout: verbose ? `Checking agent health...\nFailed to check health: ${reach.error}\n` : '', stderr: 'Agent is unhealthy: unable to determine health\n', exitCode: 1 };
  }
  if (!reach.healthy) return { stdout: verbose ? 'Checking agent health...\n' : '', stderr: 'Agent is unhealthy: agent returned status "NOT_SERVING"\n', exitCode: 1 };
  return succeeded(`${verbose ? 'Checking agent health...\n' : ''}Agent is healthy.\n`);
}

function outputFormat(value: string | undefined): 'pretty' | 'json' {
  const output = value ?? 'pretty';
  if (output !== 'pretty' && output !== 'json') throw new FlagError(`invalid value "${output}" for flag -output: the output format must be pretty or json`);
  return output;
}

/** Returns the caller of a Workload API command: the target container and the `-socketPath` it dials. */
function callerOf(target: AgentCliTarget, flags: ParsedFlags): WorkloadCaller {
  return { pod: target.pod, containerName: target.containerName, socketPath: flags.strings.get('socketPath') ?? DEFAULT_AGENT_SOCKET_PATH };
}

async function runFetchJwt(args: readonly string[], context: FetchContext, target: AgentCliTarget): Promise<LabExecResult> {
  const flags = parseFlags(args, FETCH_JWT_FLAGS);
  const audience = (flags.strings.get('audience') ?? '').split(',').filter((value) => value !== '');
  return simulateJwtFetch(context, {
    ...callerOf(target, flags),
    audience,
    spiffeId: flags.strings.get('spiffeID'),
    // `-format` is the deprecated spelling of `-output`.
    output: outputFormat(flags.strings.get('output') ?? flags.strings.get('format')),
  });
}

async function runFetchX509(args: readonly string[], context: FetchContext, target: AgentCliTarget): Promise<LabExecResult> {
  const flags = parseFlags(args, FETCH_X509_FLAGS);
  const output = outputFormat(flags.strings.get('output'));
  // TODO: `-write <dir>` is accepted but writes no files (remove once a probe needs the files).
  return simulateX509Fetch(context, {
    ...callerOf(target, flags),
    output,
    silent: flags.booleans.has('silent'),
  });
}
