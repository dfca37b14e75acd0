/**
 * The pretty (default) output of `spire-server entry …` commands in SPIRE 1.15. Each
 * field is a `Label : value` line with the label padded to 24 columns, a blank line
 * follows each entry, and entries are sorted as SPIRE's CLI sorts them.
 */
import type { EntryMessage } from '../api/convert.js';
import { formatSpiffeId } from '../../../spiffe/id.js';
import type { SelectorJson, SpiffeIdJson } from '../../../spire/types.js';

function line(label: string, value: string | number): string {
  return `${label.padEnd(24)}: ${value}\n`;
}

function formatId(id: SpiffeIdJson | null | undefined): string {
  return id === null || id === undefined ? '' : formatSpiffeId(id);
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareSelector(a: SelectorJson, b: SelectorJson): number {
  return compareText(a.type, b.type) || compareText(a.value, b.value);
}

/** Formats Go's `time.Time.String()` of a Unix time in UTC: `2019-03-12 17:04:26 +0000 UTC`. */
export function formatGoUtcTime(unixSeconds: number): string {
  const iso = new Date(unixSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

/** Formats one entry, ending with the blank line SPIRE prints after it. */
export function formatEntry(entry: EntryMessage): string {
  const selectors = [...entry.selectors].sort(compareSelector);
  let text = line('Entry ID', entry.id === '' ? '(none)' : entry.id);
  text += line('SPIFFE ID', formatId(entry.spiffe_id));
  text += line('Parent ID', formatId(entry.parent_id));
  text += line('Revision', entry.revision_number);
  if (entry.downstream) text += line('Downstream', 'true');
  text += line('X509-SVID TTL', entry.x509_svid_ttl === 0 ? 'default' : entry.x509_svid_ttl);
  text += line('JWT-SVID TTL', entry.jwt_svid_ttl === 0 ? 'default' : entry.jwt_svid_ttl);
  if (entry.expires_at !== '0') text += line('Expiration time', formatGoUtcTime(Number(entry.expires_at)));
  for (const selector of selectors) text += line('Selector', `${selector.type}:${selector.value}`);
  for (const trustDomain of entry.federates_with) text += line('FederatesWith', trustDomain);
  for (const name of entry.dns_names) text += line('DNS name', name);
  if (entry.admin) text += line('Admin', 'true');
  if (entry.store_svid) text += line('StoreSvid', 'true');
  if (entry.hint !== '') text += line('Hint', entry.hint);
  if (entry.additional_attributes?.disable_x509_svid_prefetch) text += line('DisableX509SvidPrefetch', 'true');
  if (entry.additional_attributes?.jwt_svid_include_jti) text += line('JwtSvidIncludeJti', 'true');
  return `${text}\n`;
}

function compareIds(a: SpiffeIdJson | null | undefined, b: SpiffeIdJson | null | undefined): number {
  return compareText(a?.trust_domain ?? '', b?.trust_domain ?? '') || compareText(a?.path ?? '', b?.path ?? '');
}

function compareSelectorLists(a: readonly SelectorJson[], b: readonly SelectorJson[]): number {
  const left = [...a].sort(compareSelector);
  const right = [...b].sort(compareSelector);
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
    const order = compareSelector(left[index]!, right[index]!);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

/** Sorts entries as SPIRE's CLI does: SPIFFE ID, parent ID, X509-SVID TTL, JWT-SVID TTL, then selectors. */
export function sortEntries(entries: readonly EntryMessage[]): EntryMessage[] {
  return [...entries].sort(
    (a, b) =>
      compareIds(a.spiffe_id, b.spiffe_id) ||
      compareIds(a.parent_id, b.parent_id) ||
      a.x509_svid_ttl - b.x509_svid_ttl ||
      a.jwt_svid_ttl - b.jwt_svid_ttl ||
      compareSelectorLists(a.selectors, b.selectors),
  );
}

/** Formats the `Found <n> entry|entries` header. */
export function formatFoundEntries(count: number): string {
  return `Found ${count} ${count === 1 ? 'entry' : 'entries'}\n`;
}
