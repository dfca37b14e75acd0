/**
 * `spiffe-doctor explain`: lookup by id or code, close matches for typos, and the
 * command's output and exit on an unknown id.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findCatalogEntryByIdOrCode, renderCatalogEntry, suggestCheckIds } from '../../src/checks/explain-entry.js';
import { Explain } from '../../src/commands/explain.js';
import { EXIT_CODES } from '../../src/errors.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('findCatalogEntryByIdOrCode', () => {
  it.each([
    { input: 'socket-mounted', code: 'SD0401' },
    { input: 'SD0603', code: 'SD0603' },
    { input: 'sd0603', code: 'SD0603' },
  ])('finds $input', ({ input, code }) => {
    expect(findCatalogEntryByIdOrCode(input)?.code).toBe(code);
  });

  it('returns undefined for unknown ids', () => {
    expect(findCatalogEntryByIdOrCode('no-such-check')).toBeUndefined();
  });
});

describe('suggestCheckIds', () => {
  it('suggests the nearest id', () => {
    expect(suggestCheckIds('socket-mountd')[0]).toBe('socket-mounted');
  });

  it('suggests ids containing the input', () => {
    expect(suggestCheckIds('entry')).toContain('entry-exists');
  });

  it('suggests nothing for noise', () => {
    expect(suggestCheckIds('zzzzzzzzzzzzzzzzzzzz')).toEqual([]);
  });
});

describe('renderCatalogEntry', () => {
  it('prints every field', () => {
    const entry = findCatalogEntryByIdOrCode('socket-mounted');
    const text = renderCatalogEntry(entry ?? (undefined as never));

    expect(text.split('\n')[0]).toBe('socket-mounted (SD0401)');
    expect(text).toContain('Looks at:  ');
    expect(text).toContain('Concludes: `socket-not-mounted`');
    expect(text).toContain('Docs:      docs/checks.md#socket-mounted');
  });
});

describe('explain command', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('prints the entry', async () => {
    const written: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      written.push(String(line));
    });

    const entry = await Explain.run(['entry-synced'], repoRoot);

    expect(entry.code).toBe('SD0605');
    expect(written.join('')).toContain('entry-synced (SD0605)');
  });

  it('exits 2 with close matches', async () => {
    const errors: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });

    const failure = await Explain.run(['entry-synch'], repoRoot).then(
      () => undefined,
      (error: unknown) => error as { oclif?: { exit?: number } },
    );

    expect(failure?.oclif?.exit).toBe(EXIT_CODES.cannotDiagnose);
    expect(errors.join('')).toContain('Error: unknown check "entry-synch"');
    expect(errors.join('')).toContain('Did you mean: entry-synced');
  });
});
