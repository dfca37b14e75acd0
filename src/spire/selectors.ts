/**
 * Selectors: `type:value` pairs such as `k8s:ns:default`, and the set operations
 * SPIRE applies to them. Two selectors are equal only when type and value are
 * byte-for-byte equal; SPIRE folds no case and trims no space.
 */
import type { SelectorJson } from './types.js';
import { SelectorError } from './errors.js';

/**
 * Parses `type:value`, splitting at the first `:` as `spire-server entry create
 * -selector` does (SPIRE v1.15.3 `cmd/spire-server/util` `ParseSelector`), so
 * `k8s:ns:default` is type `k8s` and value `ns:default`.
 *
 * @throws SelectorError with SPIRE's message when there is no `:`.
 */
export function parseSelector(text: string): SelectorJson {
  const colon = text.indexOf(':');
  if (colon < 0) {
    throw new SelectorError(`selector ${JSON.stringify(text)} must be formatted as type:value`, {
      suggestions: ['Write the selector as type:value, for example k8s:ns:default or unix:uid:1000.'],
    });
  }
  return { type: text.slice(0, colon), value: text.slice(colon + 1) };
}

/** Parses every selector in `texts`; see {@link parseSelector}. */
export function parseSelectors(texts: readonly string[]): SelectorJson[] {
  return texts.map(parseSelector);
}

/** Formats a selector as SPIRE prints it: `type:value`. */
export function formatSelector(selector: SelectorJson): string {
  return `${selector.type}:${selector.value}`;
}

/**
 * Returns a string that identifies a selector in a Set or Map. It is the
 * `type:value` form, which is unambiguous because a type never contains `:` (the
 * SPIRE server rejects such entries with `selector type contains ':'`).
 */
export function selectorKey(selector: SelectorJson | string): string {
  return typeof selector === 'string' ? selector : formatSelector(selector);
}

/** Builds the set of selector keys of `selectors`. */
export function selectorSet(selectors: Iterable<SelectorJson | string>): Set<string> {
  const keys = new Set<string>();
  for (const selector of selectors) {
    keys.add(selectorKey(selector));
  }
  return keys;
}

/**
 * Tells whether every selector of `subset` is in `superset`. This is the test the
 * SPIRE agent applies to hand an entry to a workload (entry selectors ⊆ workload
 * selectors) and the server applies to node aliases (alias selectors ⊆ agent
 * selectors). An empty `subset` is a subset of anything; callers that must not match
 * empty selector lists check that themselves, as SPIRE's indexes do.
 */
export function isSubset(subset: Iterable<SelectorJson | string>, superset: Iterable<SelectorJson | string>): boolean {
  const available = selectorSet(superset);
  for (const selector of subset) {
    if (!available.has(selectorKey(selector))) {
      return false;
    }
  }
  return true;
}

/** Returns the selectors in both lists, in the order of `a`, without duplicates. */
export function intersectSelectors(a: Iterable<SelectorJson | string>, b: Iterable<SelectorJson | string>): string[] {
  const other = selectorSet(b);
  return [...selectorSet(a)].filter((key) => other.has(key));
}

/** Tells whether two selector lists hold the same set of selectors. */
export function sameSelectorSet(a: Iterable<SelectorJson | string>, b: Iterable<SelectorJson | string>): boolean {
  const left = selectorSet(a);
  const right = selectorSet(b);
  return left.size === right.size && isSubset(left, right);
}

/** Sorts selector strings by type, then value, as SPIRE's CLI prints them. */
export function sortSelectors(selectors: Iterable<string>): string[] {
  return [...selectors].map(parseSelector).sort(compareSelectorJson).map(formatSelector);
}

function compareSelectorJson(a: SelectorJson, b: SelectorJson): number {
  if (a.type !== b.type) {
    return a.type < b.type ? -1 : 1;
  }
  if (a.value !== b.value) {
    return a.value < b.value ? -1 : 1;
  }
  return 0;
}
