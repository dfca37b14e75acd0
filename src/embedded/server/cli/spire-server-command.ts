/**
 * The base of the `server …` commands, which mirror `spire-server`'s: single-dash
 * long flags work as written in SPIRE's docs, results print as SPIRE prints them, and
 * a failed API call prints `Error: <message>` to stderr and exits with status 1.
 * Usage errors of ours stay `UserError`s (exit 2).
 */
import { Command, Flags } from '@oclif/core';

import { BaseCommand } from '../../../cli/base-command.js';
import { normalizeSingleDashFlags } from '../../agent/cli/single-dash-flags.js';
import { createAdminClients, DEFAULT_SERVER_SOCKET_PATH, isRpcError, type AdminClients } from './admin-client.js';

/** An API failure to report the way SPIRE's CLI does: `Error: <message>`, exit 1. */
export class ServerCommandError extends Error {
  override readonly name = 'ServerCommandError';
}

export function isServerCommandError(value: unknown): value is ServerCommandError {
  return value instanceof ServerCommandError;
}

/** `-socketPath`: the admin socket; `SPIRE_SERVER_PRIVATE_SOCKET` applies when the flag is absent, as in SPIRE 1.15.3. */
export const socketPathFlag = Flags.string({
  description: 'Path to the SPIRE server API socket.',
  default: async () => process.env.SPIRE_SERVER_PRIVATE_SOCKET ?? DEFAULT_SERVER_SOCKET_PATH,
});

export const outputFlag = Flags.string({ description: 'Desired output format (pretty, json).', default: 'pretty', options: ['pretty', 'json'] });

export abstract class SpireServerCommand extends BaseCommand {
  /** Rewrites SPIRE-style `-flag` arguments before oclif parses `this.argv`. */
  public override async init(): Promise<void> {
    const commandClass = this.constructor as typeof Command;
    const flagNames = new Set(Object.keys({ ...commandClass.baseFlags, ...commandClass.flags }));
    this.argv = normalizeSingleDashFlags(this.argv, flagNames);
    await super.init();
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (isRpcError(error) || isServerCommandError(error)) {
      process.stderr.write(`Error: ${error.message}\n`);
      this.exit(1);
    }
    return super.catch(error);
  }

  /** Runs `action` with admin API clients on `socketPath` and closes them afterwards. */
  protected async withAdminClients<T>(socketPath: string, action: (clients: AdminClients) => Promise<T>): Promise<T> {
    const clients = createAdminClients(socketPath);
    try {
      return await action(clients);
    } finally {
      clients.close();
    }
  }
}
