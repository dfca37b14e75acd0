/**
 * SPIRE's CLIs use Go's `flag` package, where `-socketPath` and `--socketPath` are the
 * same flag. oclif would read `-socketPath` as `-s ocketPath`, so commands that mirror
 * SPIRE rewrite single-dash long flags to double-dash before parsing. Only names the
 * command declares are rewritten, so values such as `-1` pass through unchanged.
 */

/** Rewrites `-name` and `-name=value` to `--name…` for every `name` in `flagNames`. */
export function normalizeSingleDashFlags(argv: readonly string[], flagNames: ReadonlySet<string>): string[] {
  const normalized: string[] = [];
  let afterTerminator = false;
  for (const argument of argv) {
    if (argument === '--') afterTerminator = true;
    const match = /^-([A-Za-z][\w-]*)(=.*)?$/.exec(argument);
    const rewrite = !afterTerminator && match !== null && match[1] !== undefined && match[1].length > 1 && flagNames.has(match[1]);
    normalized.push(rewrite ? `-${argument}` : argument);
  }
  return normalized;
}
