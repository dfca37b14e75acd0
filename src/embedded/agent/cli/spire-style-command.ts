/**
 * The base of the `agent ...` commands, which mirror `spire-agent`'s: single-dash long
 * flags work as written in SPIRE's docs, and a failed Workload API call prints the raw
 * gRPC error to stderr and exits with status 1, as SPIRE's CLI does. Bad flags still
 * become a `UserError` (exit 2).
 */
import { Command, Flags } from '@oclif/core';
import { BaseCommand } from '../../../cli/base-command.js';
import { UserError } from '../../../errors.js';
import { parseGoDuration } from '../../../spire/config-duration.js';
import { isWorkloadApiError } from '../../workload/errors.js';
import { DEFAULT_AGENT_SOCKET_PATH } from '../../workload/client.js';
import { normalizeSingleDashFlags } from './single-dash-flags.js';

/** Flags shared by `agent api ...` and `agent healthcheck`. */
export const socketPathFlag = Flags.string({
  description: 'Path to the SPIRE agent Workload API socket.',
  default: DEFAULT_AGENT_SOCKET_PATH,
  env: 'SPIFFE_DOCTOR_AGENT_SOCKET_PATH',
});

export const timeoutFlag = Flags.string({ description: 'Time to wait for a response, as a Go duration such as 5s.', default: '5s' });

export const outputFlag = Flags.string({ description: 'Desired output format (pretty, json).', default: 'pretty', options: ['pretty', 'json'] });

export abstract class SpireStyleCommand extends BaseCommand {
  /** Rewrites SPIRE-style `-flag` arguments before oclif parses `this.argv`. */
  public override async init(): Promise<void> {
    const commandClass = this.constructor as typeof Command;
    const flagNames = new Set(Object.keys({ ...commandClass.baseFlags, ...commandClass.flags }));
    this.argv = normalizeSingleDashFlags(this.argv, flagNames);
    await super.init();
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (isWorkloadApiError(error)) {
      process.stderr.write(`${error.message}\n`);
      this.exit(1);
    }
    return super.catch(error);
  }

  /** Parses a `-timeout` value into milliseconds. */
  protected parseTimeout(text: string): number {
    try {
      const milliseconds = parseGoDuration(text);
      if (milliseconds > 0) return milliseconds;
    } catch (error) {
      throw new UserError(`invalid -timeout "${text}": expected a Go duration such as 5s`, { cause: error, suggestions: ['Pass -timeout 5s, 500ms or 1m.'] });
    }
    throw new UserError(`invalid -timeout "${text}": it must be greater than zero`, { suggestions: ['Pass -timeout 5s, 500ms or 1m.'] });
  }
}
