/**
 * Runs the built CLI (`node bin/run.js …`) for the server command tests, building
 * `dist/` first when a server source file is newer than its compiled output.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const PACKAGE_ROOT = join(import.meta.dirname, '..', '..', '..');

function newestSourceChange(directory: string): { stale: boolean } {
  for (const name of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, name.name);
    if (name.isDirectory()) {
      if (newestSourceChange(path).stale) return { stale: true };
      continue;
    }
    if (!name.name.endsWith('.ts')) continue;
    const compiled = join(PACKAGE_ROOT, 'dist', relative(join(PACKAGE_ROOT, 'src'), path)).replace(/\.ts$/, '.js');
    if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(path).mtimeMs) return { stale: true };
  }
  return { stale: false };
}

function isStale(): boolean {
  return newestSourceChange(join(PACKAGE_ROOT, 'src', 'commands', 'server')).stale || newestSourceChange(join(PACKAGE_ROOT, 'src', 'embedded', 'server')).stale;
}

const BUILD_LOCK = join(tmpdir(), 'spiffe-doctor-server-tests-build.lock');
const LOCK_WAIT_MS = 180_000;

function sleepSync(milliseconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds);
}

/**
 * Compiles the project when `dist/` lacks or predates the server commands and modules.
 * A lock directory keeps test files running in parallel from compiling at the same
 * time, because one file's CLI runs would otherwise read the other's half-written output.
 */
export function ensureBuilt(): void {
  if (!isStale()) return;

  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`build lock ${BUILD_LOCK} still held after ${LOCK_WAIT_MS} ms; remove it if no test run is active`);
      sleepSync(500);
    }
  }
  try {
    if (!isStale()) return;
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: PACKAGE_ROOT, stdio: 'pipe' });
  } catch {
    // Type errors elsewhere in the tree do not stop tsc from emitting; the CLI runs fail if ours did not compile.
  } finally {
    rmdirSync(BUILD_LOCK);
  }
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `spiffe-doctor <args>` and resolves with its exit code and output. */
export function runCli(args: readonly string[], options: { input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [join(PACKAGE_ROOT, 'bin', 'run.js'), ...args], { cwd: PACKAGE_ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      let code = 0;
      if (error !== null) {
        code = typeof error.code === 'number' ? error.code : 1;
      }
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
