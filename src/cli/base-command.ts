/**
 * The base of spiffe-doctor's own commands: shared flags and one place that turns a
 * `UserError` into a clear message and exit code 2, and anything unexpected into a
 * short bug report (the stack only with `--debug`).
 */
import { Command, Flags } from '@oclif/core';
import { EXIT_CODES, isUserError } from '../errors.js';
import { stripControlSequences } from '../report/sanitize.js';

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({ description: 'Print debug logs and stack traces to stderr.', default: false, helpGroup: 'GLOBAL' }),
    'no-input': Flags.boolean({
      description: 'Never prompt, even on a terminal (also implied by CI=true or a non-terminal stdin/stdout).',
      default: false,
      helpGroup: 'GLOBAL',
    }),
  };

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (isUserError(error)) {
      const lines = [`Error: ${stripControlSequences(error.message)}`];
      for (const suggestion of error.suggestions) lines.push(`  - ${stripControlSequences(suggestion)}`);
      process.stderr.write(`${lines.join('\n')}\n`);
      this.exit(EXIT_CODES.cannotDiagnose);
    }
    // Ctrl-C at a prompt ends the run quietly, with the shell's code for SIGINT.
    if (error.name === 'ExitPromptError') this.exit(EXIT_CODES.interrupted);
    // oclif's own parse errors and explicit exits already carry their exit code.
    if (error.oclif?.exit !== undefined) return super.catch(error);

    const debug = this.argv.includes('--debug');
    process.stderr.write(`Error: unexpected failure: ${stripControlSequences(error.message)}\n`);
    process.stderr.write(debug && error.stack ? `${error.stack}\n` : 'Run again with --debug for the stack trace, and report it as a bug.\n');
    this.exit(EXIT_CODES.cannotDiagnose);
  }
}
