/**
 * `spire-agent` as it behaves inside a lab container (SPIRE 1.15 CLI): `healthcheck`
 * and `api fetch x509` (also spelled `api fetch`). Fetch errors print the raw gRPC error
 * on stderr with exit code 1; an unknown subcommand prints the command list with exit
 * code 127.
 */
import type { KubePod } from '../evidence/kube-types.js';
import { FlagError, parseFlags, type FlagSpec } from './command-flags.js';
import { failed, succeeded, type LabExecResult } from './exec-backend.js';
import { DEFAULT_AGENT_SOCKET_PATH, reachAgent, simulateX509Fetch, type FetchContext } from './workload-fetch.js';

/** The pod and container the command runs in. */
export interface AgentCliTarget {
  readonly pod: KubePod;
  readonly containerName: string;
}

const HEALTHCHECK_FLAGS: FlagSpec = { socketPath: 'string', instance: 'string', shallow: 'bool', verbose: 'bool' };
const FETCH_X509_FLAGS: FlagSpec = { socketPath: 'string', instance: 'string', timeout: 'string', output: 'string', silent: 'bool', write: 'string' };

/** Runs `spire-agent <args>`. */
export async function runSpireAgentCli(args: readonly string[], context: FetchContext, target: AgentCliTarget): Promise<LabExecResult> {
  try {
    if (args[0] === 'healthcheck') return runHealthcheck(args.slice(1), context, target);
    if (args[0] === 'api' && args[1] === 'fetch' && (args[2] === undefined || args[2] === 'x509' || args[2]?.startsWith('-'))) {
      const rest = args[2] === 'x509' ? args.slice(3) : args.slice(2);
      return await runFetchX509(rest, context, target);
    }
    // TODO: `api fetch jwt`, `api validate jwt` and `api watch` are not simulated (remove once a probe runs them).
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

async function runFetchX509(args: readonly string[], context: FetchContext, target: AgentCliTarget): Promise<LabExecResult> {
  const flags = parseFlags(args, FETCH_X509_FLAGS);
  const output = flags.strings.get('output') ?? 'pretty';
  if (output !== 'pretty' && output !== 'json') throw new FlagError(`invalid value "${output}" for flag -output: the output format must be pretty or json`);
  // TODO: `-write <dir>` is accepted but writes no files (remove once a probe needs the files).
  return simulateX509Fetch(context, {
    pod: target.pod,
    containerName: target.containerName,
    socketPath: flags.strings.get('socketPath') ?? DEFAULT_AGENT_SOCKET_PATH,
    output,
    silent: flags.booleans.has('silent'),
  });
}
