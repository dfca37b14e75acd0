/**
 * Guards the registry, the catalog and docs/checks.md against drifting apart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../src/checks/catalog.js';
import { renderCatalogMarkdown } from '../../src/checks/catalog-markdown.js';
import { CHECKS as REGISTERED } from '../../src/checks/index.js';
import type { Check } from '../../src/checks/types.js';

const CHECKS: readonly Check[] = REGISTERED;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHECK_FOLDERS = ['workload', 'server', 'agent', 'socket', 'attestation', 'registration', 'registrar', 'svid'];

const checkFiles = CHECK_FOLDERS.flatMap((folder) =>
  readdirSync(path.join(repoRoot, 'src', 'checks', folder))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ folder, id: file.replace(/\.ts$/, '') })),
);

describe('check registry', () => {
  it.each(checkFiles)('lists $folder/$id', ({ folder, id }) => {
    const check = CHECKS.find((candidate) => candidate.id === id);

    expect(check, `src/checks/${folder}/${id}.ts is not in src/checks/index.ts`).toBeDefined();
    expect(check?.category).toBe(folder);
  });

  it('is alphabetised by id', () => {
    const ids = CHECKS.map((check) => check.id);

    expect(ids).toEqual([...ids].sort());
  });

  it('has unique kebab-case ids', () => {
    const ids = CHECKS.map((check) => check.id);

    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });

  it('depends only on registered checks', () => {
    const ids = new Set(CHECKS.map((check) => check.id));
    const dangling = CHECKS.flatMap((check) => (check.dependsOn ?? []).filter((id) => !ids.has(id)).map((id) => `${check.id} -> ${id}`));

    expect(dangling).toEqual([]);
  });
});

describe('findings catalog', () => {
  it.each(CHECKS.map((check) => ({ id: check.id, title: check.title })))('describes $id', ({ id, title }) => {
    const entry = CATALOG.find((candidate) => candidate.checkId === id);

    expect(entry, `${id} has no catalog entry`).toBeDefined();
    expect(entry?.title).toBe(title);
    expect(entry?.looksAt.trim()).not.toBe('');
    expect(entry?.concludes.trim()).not.toBe('');
    expect(entry?.fix.trim()).not.toBe('');
  });

  it.each(CATALOG.filter((entry) => !entry.retired).map((entry) => ({ id: entry.checkId })))('has a check for $id', ({ id }) => {
    expect(CHECKS.some((check) => check.id === id)).toBe(true);
  });

  it('uses unique SD codes', () => {
    const codes = CATALOG.map((entry) => entry.code);

    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(code).toMatch(/^SD\d{4}$/);
    }
  });

  it('keeps docs/checks.md current', () => {
    const committed = readFileSync(path.join(repoRoot, 'docs', 'checks.md'), 'utf8');

    expect(committed, 'regenerate with: node dist/checks/catalog-markdown.js > docs/checks.md').toBe(renderCatalogMarkdown());
  });
});
