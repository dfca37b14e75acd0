/**
 * Which of an agent's registration entries a workload receives (SPIRE 1.16.0-dev,
 * commit ef8527ec9: agent cache `pkg/agent/manager/cache/lru_cache.go` and `pkg/agent/common/hintsfilter`),
 * and, for a workload that receives nothing, which entries came closest.
 *
 * An entry matches when every one of its selectors is among the workload's attested
 * selectors. The agent does not check parent IDs again, because it only receives the
 * entries the server authorized for it.
 */
import { entryCreatedAt, entrySelectors } from './entries.js';
import { parseSelector, selectorSet } from './selectors.js';
import type { EntryJson } from './types.js';

/**
 * Returns the entries a workload with `workloadSelectors` receives, sorted by entry
 * ID as the agent sorts them. Entries without selectors never match, because the
 * agent finds candidates through a per-selector index. Among matching entries that
 * share a non-empty hint, only the oldest by `created_at` (then the smaller entry
 * ID) is kept. The agent logs `Ignoring entry with duplicate hint` for the others.
 */
export function entriesForWorkload(workloadSelectors: readonly string[], entries: readonly EntryJson[]): EntryJson[] {
  const available = selectorSet(workloadSelectors);
  const matching = entries
    .filter((entry) => entry.selectors.length > 0 && entrySelectors(entry).every((selector) => available.has(selector)))
    .sort(compareEntryIds);
  return dropDuplicateHints(matching);
}

/**
 * Removes entries whose non-empty hint an older entry already uses, keeping the
 * order of `entries`. Ordering by `created_at` treats an absent time as 0.
 */
export function dropDuplicateHints(entries: readonly EntryJson[]): EntryJson[] {
  const keptByHint = new Map<string, EntryJson>();
  for (const entry of entries) {
    const hint = entry.hint ?? '';
    if (hint === '') {
      continue;
    }
    const kept = keptByHint.get(hint);
    if (kept === undefined || isOlder(entry, kept)) {
      keptByHint.set(hint, entry);
    }
  }
  return entries.filter((entry) => {
    const hint = entry.hint ?? '';
    return hint === '' || keptByHint.get(hint) === entry;
  });
}

function isOlder(a: EntryJson, b: EntryJson): boolean {
  const aCreated = entryCreatedAt(a)?.getTime() ?? 0;
  const bCreated = entryCreatedAt(b)?.getTime() ?? 0;
  if (aCreated !== bCreated) {
    return aCreated < bCreated;
  }
  return compareEntryIds(a, b) < 0;
}

function compareEntryIds(a: EntryJson, b: EntryJson): number {
  const aId = a.id ?? '';
  const bId = b.id ?? '';
  if (aId === bId) {
    return 0;
  }
  return aId < bId ? -1 : 1;
}

/** The entry selectors a workload has, and those it lacks. */
export interface SelectorComparison {
  readonly matched: string[];
  readonly missing: string[];
}

/** Splits `entrySelectors` into those present in `workloadSelectors` and those missing. */
export function compareSelectors(entrySelectors: readonly string[], workloadSelectors: readonly string[]): SelectorComparison {
  const available = selectorSet(workloadSelectors);
  const matched: string[] = [];
  const missing: string[] = [];
  for (const selector of new Set(entrySelectors)) {
    (available.has(selector) ? matched : missing).push(selector);
  }
  return { matched, missing };
}

/**
 * Selectors whose type and value prefix take one value per workload, so a workload
 * that has one of them and lacks another most likely has a different value of the
 * same kind. For these the kind includes the label key or owner kind.
 */
const KEYED_SELECTOR_PREFIXES = new Set(['pod-label', 'ns-label', 'pod-owner', 'pod-owner-uid', 'agent_node_label', 'agent_pod_label']);

/**
 * Returns the kind of a selector: its type plus the first segment of its value,
 * plus the key for labels and owners. `k8s:ns:shop` is of kind `k8s:ns`, and
 * `k8s:pod-label:app:web` of kind `k8s:pod-label:app`. A value without `:` gives the
 * type alone.
 */
export function selectorKind(selector: string): string {
  const { type, value } = parseSelector(selector);
  const segments = value.split(':');
  if (segments.length === 1) {
    return type;
  }
  const [first, second] = segments as [string, string];
  if (KEYED_SELECTOR_PREFIXES.has(first) && segments.length > 2) {
    return `${type}:${first}:${second}`;
  }
  return `${type}:${first}`;
}

/** One missing entry selector and the workload's selectors of the same kind. */
export interface MissingSelector {
  readonly selector: string;
  readonly kind: string;
  /** The workload's selectors of the same kind, for example `k8s:ns:platform` when `k8s:ns:shop` is missing. */
  readonly workloadHas: readonly string[];
}

/** An entry's distance from matching a workload: the selectors it has and lacks. */
export interface CandidateEntry {
  readonly entry: EntryJson;
  readonly matched: readonly string[];
  readonly missing: readonly MissingSelector[];
}

/**
 * Ranks entries by how close they come to matching a workload: fewest missing
 * selectors first, then most matched selectors, then entry ID. For each missing
 * selector it lists what the workload has of the same kind instead, which is
 * usually the fix (a wrong namespace, service account or label value).
 */
export function rankCandidateEntries(workloadSelectors: readonly string[], entries: readonly EntryJson[]): CandidateEntry[] {
  const workloadByKind = groupByKind(workloadSelectors);
  const candidates = entries.map((entry) => {
    const comparison = compareSelectors(entrySelectors(entry), workloadSelectors);
    const missing = comparison.missing.map((selector) => {
      const kind = selectorKind(selector);
      return { selector, kind, workloadHas: workloadByKind.get(kind) ?? [] };
    });
    return { entry, matched: comparison.matched, missing };
  });

  return candidates.sort(
    (a, b) => a.missing.length - b.missing.length || b.matched.length - a.matched.length || compareEntryIds(a.entry, b.entry),
  );
}

function groupByKind(selectors: readonly string[]): Map<string, string[]> {
  const byKind = new Map<string, string[]>();
  for (const selector of new Set(selectors)) {
    const kind = selectorKind(selector);
    byKind.set(kind, [...(byKind.get(kind) ?? []), selector]);
  }
  return byKind;
}
