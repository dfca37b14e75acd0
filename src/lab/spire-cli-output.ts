/**
 * Output formats of SPIRE's CLIs (SPIRE 1.15). `-output json` is compact JSON with keys
 * sorted and a trailing newline, as Go's `encoding/json` prints a map. `entry show` and
 * `agent list` have their own pretty text, and times print as Go's `time.Time.String()`.
 */
import { formatSelector } from '../spire/selectors.js';
import type { AgentJson, EntryJson, SelectorJson, SpiffeIdJson } from '../spire/types.js';

/** Serialises `value` as Go's encoding/json prints a map: sorted keys, no spaces, `<>&` escaped. */
export function formatGoJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value)).replace(/[<>&]/g, (char) => `\\u00${char.charCodeAt(0).toString(16)}`)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined && record[key] !== null)
      .map((key) => [key, sortKeys(record[key])]),
  );
}

/** Formats a time as Go's `time.Time.String()` in UTC: `2019-03-12 17:04:26 +0000 UTC`. */
export function formatGoTime(time: Date): string {
  return `${time.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

/**
 * Formats a duration in milliseconds as Go's `time.Duration.String()` does for
 * durations under one minute: `812.5µs`, `8.123456ms`, `1.5s`.
 */
export function formatGoDuration(milliseconds: number): string {
  const nanoseconds = Math.max(0, Math.round(milliseconds * 1e6));
  if (nanoseconds === 0) return '0s';
  if (nanoseconds < 1e3) return `${nanoseconds}ns`;
  if (nanoseconds < 1e6) return `${trimFraction(nanoseconds / 1e3, 3)}µs`;
  if (nanoseconds < 1e9) return `${trimFraction(nanoseconds / 1e6, 6)}ms`;
  return `${trimFraction(nanoseconds / 1e9, 9)}s`;
}

function trimFraction(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.?0+$/, '');
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareIds(a: SpiffeIdJson, b: SpiffeIdJson): number {
  return compareStrings(a.trust_domain, b.trust_domain) || compareStrings(a.path, b.path);
}

function compareSelectors(a: SelectorJson, b: SelectorJson): number {
  return compareStrings(a.type, b.type) || compareStrings(a.value, b.value);
}

function compareSelectorLists(a: readonly SelectorJson[], b: readonly SelectorJson[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    const order = compareSelectors(a[index] as SelectorJson, b[index] as SelectorJson);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

/**
 * Sorts entries as the `entry show` command does before printing: by SPIFFE ID, parent
 * ID, X509-SVID TTL, JWT-SVID TTL, then selectors, each entry's selectors sorted by
 * type then value.
 */
export function sortEntriesForDisplay(entries: readonly EntryJson[]): EntryJson[] {
  return entries
    .map((entry) => ({ ...entry, selectors: [...entry.selectors].sort(compareSelectors) }))
    .sort(
      (a, b) =>
        compareIds(a.spiffe_id, b.spiffe_id) ||
        compareIds(a.parent_id, b.parent_id) ||
        (a.x509_svid_ttl ?? 0) - (b.x509_svid_ttl ?? 0) ||
        (a.jwt_svid_ttl ?? 0) - (b.jwt_svid_ttl ?? 0) ||
        compareSelectorLists(a.selectors, b.selectors),
    );
}

function idText(id: SpiffeIdJson): string {
  return `spiffe://${id.trust_domain}${id.path}`;
}

function line(label: string, value: string | number): string {
  return `${label.padEnd(24)}: ${value}\n`;
}

function ttlText(ttl: number | undefined): string {
  return ttl ? String(ttl) : 'default';
}

/** Prints entries as `spire-server entry show` does without `-output json`. */
export function formatEntriesPretty(entries: readonly EntryJson[]): string {
  const header = `Found ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}\n`;
  return header + entries.map(formatEntryPretty).join('');
}

function formatEntryPretty(entry: EntryJson): string {
  const expiresAt = Number(entry.expires_at ?? 0);
  const attributes = entry.additional_attributes;
  const lines = [
    line('Entry ID', entry.id || '(none)'),
    line('SPIFFE ID', idText(entry.spiffe_id)),
    line('Parent ID', idText(entry.parent_id)),
    line('Revision', String(entry.revision_number ?? 0)),
    entry.downstream ? line('Downstream', 'true') : '',
    line('X509-SVID TTL', ttlText(entry.x509_svid_ttl)),
    line('JWT-SVID TTL', ttlText(entry.jwt_svid_ttl)),
    expiresAt ? line('Expiration time', formatGoTime(new Date(expiresAt * 1000))) : '',
    ...entry.selectors.map((selector) => line('Selector', formatSelector(selector))),
    ...(entry.federates_with ?? []).map((trustDomain) => line('FederatesWith', trustDomain)),
    ...(entry.dns_names ?? []).map((name) => line('DNS name', name)),
    entry.admin ? line('Admin', 'true') : '',
    entry.store_svid ? line('StoreSvid', 'true') : '',
    entry.hint ? line('Hint', entry.hint) : '',
    attributes?.disable_x509_svid_prefetch ? line('DisableX509SvidPrefetch', 'true') : '',
    attributes?.jwt_svid_include_jti ? line('JwtSvidIncludeJti', 'true') : '',
  ];
  return `${lines.join('')}\n`;
}

/** Prints agents as `spire-server agent list` does without `-output json`. */
export function formatAgentsPretty(agents: readonly AgentJson[]): string {
  if (agents.length === 0) return 'No attested agents found\n';
  const header = `Found ${agents.length} attested ${agents.length === 1 ? 'agent' : 'agents'}:\n\n`;
  return header + agents.map(formatAgentPretty).join('');
}

function formatAgentPretty(agent: AgentJson): string {
  const label = (name: string, value: string) => `${name.padEnd(18)}: ${value}\n`;
  const expiresAt = new Date(Number(agent.x509svid_expires_at ?? 0) * 1000);
  const lines = [
    label('SPIFFE ID', idText(agent.id)),
    label('Attestation type', agent.attestation_type ?? ''),
    label('Expiration time', formatGoTime(expiresAt)),
    agent.banned ? label('Banned', 'true') : label('Serial number', agent.x509svid_serial_number ?? ''),
    label('Can re-attest', String(agent.can_reattest ?? false)),
    agent.agent_version ? label('Agent version', agent.agent_version) : '',
  ];
  return `${lines.join('')}\n`;
}
