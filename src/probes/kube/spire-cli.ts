/**
 * Running SPIRE's CLIs by exec in SPIRE's own pods and keeping their output as printed.
 */
import type { AgentHealth } from '../../evidence/types.js';
import { ProbeError } from '../errors.js';
import { isCommandNotStarted } from './exec-status.js';
import type { KubeSource } from './source.js';

/** The pod container a SPIRE CLI runs in. */
export interface ExecTarget {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
}

/** A SPIRE CLI command that ran but failed, or could not start. */
export class SpireCliError extends ProbeError {
  override readonly name: string = 'SpireCliError';
}

export function isSpireCliError(value: unknown): value is SpireCliError {
  return value instanceof SpireCliError;
}

/**
 * Runs a `-output json` SPIRE CLI command and returns its parsed stdout.
 *
 * @throws SpireCliError when the command cannot start, exits non-zero or prints no JSON.
 */
export async function runSpireJsonCommand(
  source: KubeSource,
  target: ExecTarget,
  command: readonly string[],
  signal: AbortSignal,
): Promise<unknown> {
  const result = await source.exec(target.namespace, target.pod, target.container, command, signal);
  const commandLine = command.join(' ');

  if (isCommandNotStarted(result)) {
    throw new SpireCliError(`could not run ${commandLine} in ${target.namespace}/${target.pod} container ${target.container}: ${result.status?.message ?? result.stderr.trim()}`);
  }
  if (result.exitCode !== 0) {
    throw new SpireCliError(`${commandLine} exited with code ${result.exitCode ?? 'unknown'}: ${result.stderr.trim() || result.stdout.trim()}`);
  }

  try {
    return JSON.parse(result.stdout) as unknown;
  } catch {
    throw new SpireCliError(`${commandLine} printed no JSON: ${result.stdout.slice(0, 200)}`);
  }
}

/**
 * Runs `spire-agent healthcheck` in the agent pod. Exit code 0 means healthy (SPIRE 1.15
 * prints `Agent is healthy.`; on failure it prints `Agent is unhealthy: …` to stderr).
 *
 * @throws SpireCliError when the command cannot start.
 */
export async function runAgentHealthcheck(
  source: KubeSource,
  target: ExecTarget & { readonly node: string },
  command: readonly string[],
  signal: AbortSignal,
): Promise<AgentHealth> {
  const result = await source.exec(target.namespace, target.pod, target.container, command, signal);
  if (isCommandNotStarted(result)) {
    throw new SpireCliError(`could not run ${command.join(' ')} in ${target.namespace}/${target.pod}: ${result.status?.message ?? result.stderr.trim()}`);
  }

  const output = [result.stdout.trim(), result.stderr.trim()].filter((text) => text !== '').join('\n');
  return { node: target.node, healthy: result.exitCode === 0, output };
}

/** Splits `kubectl logs` text into lines, oldest first, without the empty line after the final newline. */
export function splitLogLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
