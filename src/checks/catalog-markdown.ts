/**
 * Renders the findings catalog as docs/checks.md. Run as a script it prints the
 * document to stdout (`node dist/checks/catalog-markdown.js > docs/checks.md`); a
 * test fails when the committed file differs from what this renders.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOG, type CatalogEntry } from './catalog.js';
import { CHECKS } from './index.js';
import type { Check } from './types.js';

function renderEntry(entry: CatalogEntry, check: Check | undefined): string {
  const facts = check === undefined ? 'retired: no check reports this code any more' : `category ${check.category}, severity ${check.severity}`;
  const requires = check === undefined || check.requires.length === 0 ? '' : `\n\nNeeds evidence: ${check.requires.map((field) => `\`${field}\``).join(', ')}.`;
  return [
    `## ${entry.checkId}`,
    '',
    `**${entry.code}** · ${entry.title} · ${facts}${entry.retired ? ' · retired' : ''}`,
    '',
    `**Looks at:** ${entry.looksAt}`,
    '',
    `**Concludes:** ${entry.concludes}`,
    '',
    `**Fix:** ${entry.fix}${requires}`,
  ].join('\n');
}

/** Renders every catalog entry, in code order, as the Markdown of docs/checks.md. */
export function renderCatalogMarkdown(): string {
  const byId = new Map<string, Check>(CHECKS.map((check) => [check.id, check]));
  const index = CATALOG.map((entry) => `| ${entry.code} | [${entry.checkId}](#${entry.anchor}) | ${entry.title}${entry.retired ? ' (retired)' : ''} |`);
  const sections = CATALOG.map((entry) => renderEntry(entry, byId.get(entry.checkId)));

  return [
    '# Checks',
    '',
    '<!-- Generated from src/checks/catalog.ts by src/checks/catalog-markdown.ts. Do not edit by hand. -->',
    '',
    'Every check spiffe-doctor runs, with its stable finding code. `spiffe-doctor explain <check-id>` prints one entry. Codes are never reused: a removed check keeps its code here, marked retired.',
    '',
    '| code | check | healthy condition |',
    '| --- | --- | --- |',
    ...index,
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
}

const invokedPath = process.argv[1] === undefined ? undefined : path.resolve(process.argv[1]);
if (invokedPath !== undefined && invokedPath === fileURLToPath(import.meta.url)) {
  process.stdout.write(renderCatalogMarkdown());
}
