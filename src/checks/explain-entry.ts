/**
 * Looks up and renders a catalog entry for `spiffe-doctor explain`: by check id or
 * finding code, with close matches for a mistyped id.
 */
import { CATALOG, type CatalogEntry } from './catalog.js';

/** Finds the entry whose check id or finding code is `input` (codes case-insensitively). */
export function findCatalogEntryByIdOrCode(input: string): CatalogEntry | undefined {
  const query = input.trim();
  return CATALOG.find((entry) => entry.checkId === query || entry.code.toLowerCase() === query.toLowerCase());
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Maximum edit distance for a check id to count as a close match of a mistyped one. */
const MAX_SUGGESTION_DISTANCE = 4;

/** Returns the check ids closest to `input`: those containing it or within a few edits, nearest first. */
export function suggestCheckIds(input: string): string[] {
  const query = input.trim().toLowerCase();
  return CATALOG.filter((entry) => !entry.retired)
    .map((entry) => ({ id: entry.checkId, distance: entry.checkId.includes(query) || query.includes(entry.checkId) ? 0 : editDistance(query, entry.checkId) }))
    .filter((candidate) => candidate.distance <= MAX_SUGGESTION_DISTANCE)
    .sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id))
    .map((candidate) => candidate.id);
}

/** Renders an entry as plain text, one labelled paragraph per field. */
export function renderCatalogEntry(entry: CatalogEntry, docsBase = 'docs/checks.md'): string {
  return [
    `${entry.checkId} (${entry.code})${entry.retired ? ' [retired]' : ''}`,
    entry.title,
    '',
    `Looks at:  ${entry.looksAt}`,
    `Concludes: ${entry.concludes}`,
    `Fix:       ${entry.fix}`,
    `Docs:      ${docsBase}#${entry.anchor}`,
  ].join('\n');
}
