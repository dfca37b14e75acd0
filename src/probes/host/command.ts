/**
 * Running host commands (`journalctl`, `spire-agent`, `spire-server`) with a timeout,
 * behind a function type so tests can replace them.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  readonly timeoutMs: number;
  /** Run as this uid and gid; only root can switch. */
  readonly uid?: number;
  readonly gid?: number;
}

/** Runs a program and returns its exit code and output; rejects only when it cannot be started. */
export type CommandRunner = (file: string, args: readonly string[], options: CommandOptions) => Promise<CommandResult>;

/** Runs a program with `execFile` (no shell). A timeout kills it and rejects. */
export const runCommand: CommandRunner = (file, args, options) =>
  new Promise((resolve, reject) => {
    const execOptions = { timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024, uid: options.uid, gid: options.gid, encoding: 'utf8' as const };
    execFile(file, [...args], execOptions, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ exitCode: 0, stdout, stderr });
        return;
      }
      if (typeof error.code === 'number') {
        resolve({ exitCode: error.code, stdout, stderr });
        return;
      }
      reject(error);
    });
  });

/** Finds an executable: `name` itself when it is a path, else the first match in `PATH`. */
export async function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const candidates = isAbsolute(name) || name.includes('/') ? [name] : (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, name));

  for (const candidate of candidates) {
    const executable = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (executable) return candidate;
  }
  return undefined;
}
