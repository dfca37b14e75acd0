/**
 * Smallest and largest of a list of numbers, in one pass. `Math.min(...values)` spreads
 * the list onto the call stack and throws a RangeError past about 100,000 values, which
 * long evidence logs reach.
 */
export function numberBounds(values: readonly number[]): { readonly min: number; readonly max: number } | undefined {
  if (values.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { min, max };
}

/** Returns the earliest and latest of `times` (milliseconds since the epoch) as dates, or nothing for an empty list. */
export function timeSpan(times: readonly number[]): { firstTime?: Date; lastTime?: Date } {
  const bounds = numberBounds(times);
  return bounds === undefined ? {} : { firstTime: new Date(bounds.min), lastTime: new Date(bounds.max) };
}
