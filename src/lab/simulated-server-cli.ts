/**
 * `spire-server` as it behaves inside the lab's server container (SPIRE 1.15 CLI):
 * `healthcheck`, `entry show`, `agent list` and `bundle show` read the scenario's SPIRE
 * state. Errors print `Error: <message>` on stderr with exit code 1; an unknown
 * subcommand prints the command list with exit code 127.
 */
import { X509Certificate } from 'node:crypto';
import { isUserError } from '../errors.js';
import { filterAgents, filterEntries, type EntryFilter, type MatchBehavior } from '../spire/entry-filter.js';
import type { AgentJson } from '../spire/types.js';
import { FlagError, parseFlags, type FlagSpec, type ParsedFlags } from './command-flags.js';
import { failed, succeeded, type LabExecResult } from './exec-backend.js';
import type { LabCa } from './lab-ca.js';
import type { LabSpire } from './scenario-types.js';
import { formatAgentsPretty, formatEntriesPretty, formatGoJson, sortEntriesForDisplay } from './spire-cli-output.js';

/** SPIRE state and CA the simulated server reads. */
export interface ServerCliContext {
  readonly spire: LabSpire;
  readonly ca: LabCa;
}

const SOCKET_FLAGS: FlagSpec = { socketPath: 'string', instance: 'string' };
const ENTRY_SHOW_FLAGS: FlagSpec = {
  ...SOCKET_FLAGS,
  entryID: 'string',
  spiffeID: 'string',
  parentID: 'string',
  selector: 'list',
  matchSelectorsOn: 'string',
  federatesWith: 'list',
  matchFederatesWithOn: 'string',
  hint: 'string',
  downstream: 'bool',
  output: 'string',
};
const AGENT_LIST_FLAGS: FlagSpec = {
  ...SOCKET_FLAGS,
  selector: 'list',
  matchSelectorsOn: 'string',
  attestationType: 'string',
  canReattest: 'string',
  banned: 'string',
  expiresBefore: 'string',
  output: 'string',
};

const COMMANDS: Readonly<Record<string, { flags: FlagSpec; run: (flags: ParsedFlags, context: ServerCliContext) => LabExecResult }>> = {
  healthcheck: { flags: { ...SOCKET_FLAGS, shallow: 'bool', verbose: 'bool' }, run: runHealthcheck },
  'entry show': { flags: ENTRY_SHOW_FLAGS, run: runEntryShow },
  'agent list': { flags: AGENT_LIST_FLAGS, run: runAgentList },
  'bundle show': { flags: { ...SOCKET_FLAGS, format: 'string' }, run: runBundleShow },
};

/** Runs `spire-server <args>`. */
export function runSpireServerCli(args: readonly string[], context: ServerCliContext): LabExecResult {
  const twoWords = args.slice(0, 2).join(' ');
  const name = COMMANDS[twoWords] ? twoWords : (args[0] ?? '');
  const command = COMMANDS[name];
  if (!command) return failed(usage(), 127);

  try {
    const flags = parseFlags(args.slice(name.split(' ').length), command.flags);
    return command.run(flags, context);
  } catch (error) {
    if (error instanceof FlagError) return failed(`${error.message}\n`);
    if (isUserError(error)) return failed(`Error: ${error.message}\n`);
    throw error;
  }
}

function usage(): string {
  const names = ['agent', 'bundle', 'entry', 'federation', 'healthcheck', 'jwt', 'localauthority', 'logger', 'run', 'token', 'upstreamauthority', 'validate', 'x509'];
  return `Usage: spire-server [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n${names.map((name) => `    ${name}`).join('\n')}\n`;
}

/** Returns the dial error when `-socketPath` names a socket the server container does not have. */
function socketError(flags: ParsedFlags, spire: LabSpire): string | undefined {
  const socketPath = flags.strings.get('socketPath') ?? spire.serverSocketPath;
  if (socketPath === spire.serverSocketPath) return undefined;
  return `connection error: desc = "transport: Error while dialing: dial unix ${socketPath}: connect: no such file or directory"`;
}

function runHealthcheck(flags: ParsedFlags, context: ServerCliContext): LabExecResult {
  const error = socketError(flags, context.spire);
  if (!error) return succeeded('Server is healthy.\n');
  const verbose = flags.booleans.has('verbose') ? `Checking server health...\nFailed to check health: rpc error: code = Unavailable desc = ${error}\n` : '';
  return { stdout: verbose, stderr: 'Error: server is unhealthy: unable to determine health\n', exitCode: 1 };
}

function outputFormat(flags: ParsedFlags): 'pretty' | 'json' {
  const output = flags.strings.get('output') ?? 'pretty';
  if (output === 'pretty' || output === 'json') return output;
  throw new FlagError(`invalid value "${output}" for flag -output: the output format must be pretty or json`);
}

function runEntryShow(flags: ParsedFlags, context: ServerCliContext): LabExecResult {
  const format = outputFormat(flags);
  const dialError = socketError(flags, context.spire);
  if (dialError) return failed(`Error: rpc error: code = Unavailable desc = ${dialError}\n`);

  const entryId = flags.strings.get('entryID');
  if (entryId !== undefined) {
    const others = [...flags.strings.keys(), ...flags.lists.keys(), ...flags.booleans].filter((name) => !['entryID', 'output', 'socketPath', 'instance'].includes(name));
    if (others.length > 0) return failed("Error: the -entryID flag can't be combined with others\n");
    if (!context.spire.entries.some((entry) => entry.id === entryId)) {
      return failed(`Error: error fetching entry ID ${entryId}: rpc error: code = NotFound desc = no such registration entry\n`);
    }
  }

  const entries = sortEntriesForDisplay(filterEntries(context.spire.entries, entryFilter(flags)));
  if (format === 'json') return succeeded(formatGoJson({ entries, next_page_token: '' }));
  return succeeded(formatEntriesPretty(entries));
}

function entryFilter(flags: ParsedFlags): EntryFilter {
  const selectors = flags.lists.get('selector');
  const federatesWith = flags.lists.get('federatesWith');
  const entryId = flags.strings.get('entryID');
  if (entryId !== undefined) return { entryId };
  return {
    spiffeId: flags.strings.get('spiffeID'),
    parentId: flags.strings.get('parentID'),
    hint: flags.strings.get('hint'),
    // Since SPIRE 1.9 the CLI always sends the downstream filter.
    downstream: flags.booleans.has('downstream'),
    selectors: selectors ? { match: (flags.strings.get('matchSelectorsOn') ?? 'superset') as MatchBehavior, selectors } : undefined,
    federatesWith: federatesWith ? { match: (flags.strings.get('matchFederatesWithOn') ?? 'superset') as MatchBehavior, trustDomains: federatesWith } : undefined,
  };
}

function runAgentList(flags: ParsedFlags, context: ServerCliContext): LabExecResult {
  const format = outputFormat(flags);
  const dialError = socketError(flags, context.spire);
  if (dialError) return failed(`Error: rpc error: code = Unavailable desc = ${dialError}\n`);

  const selectors = flags.lists.get('selector');
  const attestationType = flags.strings.get('attestationType');
  const records = context.spire.agents.map((agent) => agent.agent).filter((agent): agent is AgentJson => agent !== undefined);
  const agents = filterAgents(records, selectors ? { selectors: { match: (flags.strings.get('matchSelectorsOn') ?? 'superset') as MatchBehavior, selectors } } : {})
    .filter((agent) => attestationType === undefined || agent.attestation_type === attestationType);
  // TODO: -canReattest, -banned and -expiresBefore are accepted but do not filter (remove once a scenario needs them).
  if (format === 'json') return succeeded(formatGoJson({ agents, next_page_token: '' }));
  return succeeded(formatAgentsPretty(agents));
}

function runBundleShow(flags: ParsedFlags, context: ServerCliContext): LabExecResult {
  const dialError = socketError(flags, context.spire);
  if (dialError) return failed(`Error: rpc error: code = Unavailable desc = ${dialError}\n`);
  const format = flags.strings.get('format') ?? 'pem';
  if (format === 'pem') return succeeded(`${context.ca.bundle.toString('pem')}\n`);
  if (format === 'spiffe') return succeeded(`${JSON.stringify(spiffeBundle(context.ca), null, 4)}\n`);
  return failed(`Error: invalid format: "${format}"\n`);
}

/**
 * Builds the trust bundle as a SPIFFE bundle (JWK set) with one X.509 authority, in the
 * key order SPIRE prints. The refresh hint is SPIRE's 5 minute default.
 */
function spiffeBundle(ca: LabCa): Record<string, unknown> {
  const publicKey = new X509Certificate(Buffer.from(ca.bundle.rawData)).publicKey.export({ format: 'jwk' });
  const key = { use: 'x509-svid', kty: publicKey.kty, crv: publicKey.crv, x: publicKey.x, y: publicKey.y, x5c: [Buffer.from(ca.bundle.rawData).toString('base64')] };
  return { keys: [key], spiffe_sequence: 1, spiffe_refresh_hint: 300 };
}
