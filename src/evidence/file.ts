/**
 * Reading and writing evidence files (`--from-evidence`, `--save-evidence`). Files are
 * JSON or YAML with the evidence-v1 fields. Saved files are always redacted and written
 * atomically with mode 0600, because evidence may describe a production cluster.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { LineCounter, parseDocument } from 'yaml';

import { UserError } from '../errors.js';
import { redactEvidence } from './redact.js';
import type { ShapeProblem } from './shape.js';
import { EVIDENCE_API_VERSION, type Evidence } from './types.js';
import { validateEvidence } from './validate.js';

/** Maximum number of shape problems an error message lists before it counts the rest. */
const MAX_LISTED_PROBLEMS = 10;

/**
 * Largest evidence file read, in bytes. Real evidence is a few megabytes at most, because
 * the probes read 200 log lines per pod. A larger file is most likely the wrong file, and
 * parsing it would take minutes and gigabytes first.
 */
export const MAX_EVIDENCE_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads an evidence file (JSON or YAML) and validates its shape.
 *
 * @throws UserError when the file cannot be read, is not JSON or YAML (the message gives
 *   line and column), is not an object, has another apiVersion or kind, names no workload,
 *   or has fields of the wrong type.
 */
export async function loadEvidenceFile(path: string): Promise<Evidence> {
  let text: string;
  try {
    text = path === '-' ? await readStandardInput() : await readBoundedFile(path);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`could not read evidence file ${path}: ${describeFsError(error)}`, {
      cause: error,
      suggestions: ['Check the path and its permissions, or save new evidence with --save-evidence FILE.'],
    });
  }

  return parseEvidence(text, path);
}

async function readBoundedFile(path: string): Promise<string> {
  const info = await stat(path);
  if (info.isFile()) {
    if (info.size > MAX_EVIDENCE_FILE_BYTES) throw tooLargeError(path);
    return readFile(path, 'utf8');
  }
  // A device or pipe has no size: read until its end, but no further than the limit.
  const handle = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, null);
      if (bytesRead === 0) return Buffer.concat(chunks).toString('utf8');
      length += bytesRead;
      if (length > MAX_EVIDENCE_FILE_BYTES) throw tooLargeError(path);
      chunks.push(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}

/** Reads evidence piped to `--from-evidence -`. */
async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    length += buffer.length;
    if (length > MAX_EVIDENCE_FILE_BYTES) throw tooLargeError('(standard input)');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLargeError(path: string): UserError {
  return new UserError(`evidence file ${path} is larger than ${MAX_EVIDENCE_FILE_BYTES / (1024 * 1024)} MiB`, {
    suggestions: ['Check that this is an evidence file; trim long agentLogs or serverLogs arrays to their last few hundred lines.'],
  });
}

/**
 * Parses evidence text (JSON or YAML) and validates its shape. `origin` names the
 * source in error messages.
 *
 * @throws UserError as described for {@link loadEvidenceFile}.
 */
export function parseEvidence(text: string, origin: string): Evidence {
  const value = parseJsonOrYaml(text, origin);
  const problems = validateEvidence(value);
  if (problems.length > 0) throw invalidEvidenceError(origin, problems);
  return value as Evidence;
}

/**
 * Writes `evidence`, redacted, to `path`: first to a temporary file in the same
 * directory, then renamed over `path`, so a reader never sees a half-written file.
 * The file gets mode 0600, and its `apiVersion` and `kind` are always this version's.
 *
 * @throws UserError when the parent directory does not exist or cannot be written.
 */
export async function saveEvidenceFile(path: string, evidence: Evidence): Promise<void> {
  const directory = dirname(path);
  await requireDirectory(directory, path);

  const { apiVersion: _apiVersion, kind: _kind, ...fields } = redactEvidence(evidence);
  const ordered = { apiVersion: EVIDENCE_API_VERSION, kind: 'Evidence', ...fields };
  const temporaryPath = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);

  try {
    const handle = await open(temporaryPath, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(ordered, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw new UserError(`could not write evidence file ${path}: ${describeFsError(error)}`, {
      cause: error,
      suggestions: [`Check that you can write to ${directory}, or pick another path for --save-evidence.`],
    });
  }
}

async function requireDirectory(directory: string, path: string): Promise<void> {
  const found = await stat(directory).catch(() => undefined);
  if (found?.isDirectory()) return;

  throw new UserError(`could not write evidence file ${path}: directory ${directory} does not exist`, {
    suggestions: [`Create it first (mkdir -p ${directory}) or pick another path for --save-evidence.`],
  });
}

/**
 * JSON first, because it is the format the tool writes and `JSON.parse` is exact about
 * it. Anything else goes to the YAML parser, whose errors carry a line and column
 * (JSON is valid YAML flow syntax, so a broken JSON file gets a position too).
 */
function parseJsonOrYaml(text: string, origin: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON: fall through to YAML.
  }

  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, lineCounter });
  const [firstError] = document.errors;
  if (firstError !== undefined) {
    const position = lineCounter.linePos(firstError.pos[0]);
    const where = ` at line ${position.line}, column ${position.col}`;
    throw new UserError(`invalid evidence file ${origin}: not valid JSON or YAML${where}: ${firstError.message}`, {
      suggestions: ['Fix the syntax at that position; an evidence file is one JSON object (YAML with the same fields also works).'],
    });
  }

  return document.toJS({ maxAliasCount: 100 }) as unknown;
}

function invalidEvidenceError(origin: string, problems: readonly ShapeProblem[]): UserError {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => `  ${describeProblem(problem)}`);
  if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`  … and ${problems.length - MAX_LISTED_PROBLEMS} more`);

  return new UserError(`invalid evidence file ${origin}:\n${listed.join('\n')}`, {
    suggestions: [
      'Fix the fields listed; each holds what kubectl or the SPIRE CLI prints (see the evidence file format, apiVersion spiffe-doctor/v1).',
    ],
  });
}

function describeProblem(problem: ShapeProblem): string {
  if (problem.path === 'apiVersion' || problem.path === 'kind') {
    return `${problem.path}: expected ${problem.expected}, found ${problem.found} (this tool reads ${EVIDENCE_API_VERSION} evidence)`;
  }
  return `${problem.path}: expected ${problem.expected}, found ${problem.found}`;
}

function describeFsError(error: unknown): string {
  if (error instanceof Error && 'code' in error) {
    if (error.code === 'ENOENT') return 'no such file';
    if (error.code === 'EACCES') return 'permission denied';
    if (error.code === 'EISDIR') return 'it is a directory';
  }
  return error instanceof Error ? error.message : String(error);
}
