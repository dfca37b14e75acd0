/**
 * Pieces shared by the agent and server configuration readers.
 */
import { SpireConfigError } from './config-errors.js';
import { HEALTH_CHECK_KEYS } from './config-keys.js';
import { childScope, findUnknownKeys, readString, type ConfigScope } from './config-values.js';
import { parseHclDocument, type HclObject } from './hcl.js';

/** SPIRE log formats; an unset `log_format` means text (logrus text formatter). */
export type SpireLogFormat = 'text' | 'json';

/** Decodes configuration text, or takes an already decoded tree as it is. */
export function decodeConfig(input: string | HclObject): { root: ConfigScope; duplicateKeys: readonly string[] } {
  if (typeof input !== 'string') return { root: { object: input, path: '' }, duplicateKeys: [] };
  const document = parseHclDocument(input);
  return { root: { object: document.value, path: '' }, duplicateKeys: document.duplicateKeys };
}

/** Reads `log_level`, upper-cased as SPIRE documents it (`DEBUG`, `INFO`, `WARN`, `ERROR`). */
export function readLogLevel(scope: ConfigScope): string {
  return (readString(scope, 'log_level') ?? 'INFO').toUpperCase();
}

/** Reads `log_format`; SPIRE accepts `text` or `json` in any letter case and defaults to text. */
export function readLogFormat(scope: ConfigScope): SpireLogFormat {
  const value = readString(scope, 'log_format');
  if (value === undefined || value === '' || value.toLowerCase() === 'text') return 'text';
  if (value.toLowerCase() === 'json') return 'json';
  throw new SpireConfigError(`${scope.path}.log_format`, value, 'expected "text" or "json"');
}

/** Lists unknown keys in the `health_checks` block. */
export function findUnknownHealthCheckKeys(root: ConfigScope): string[] {
  return findUnknownKeys(childScope(root, 'health_checks'), HEALTH_CHECK_KEYS);
}
