/**
 * Prints the results of `entry create` and `entry update` as SPIRE 1.15 does: the
 * created or updated entries on stdout, then on stderr for each failure
 * `Failed to <op> the following entry (code: <Code>, msg: "<message>"):` and the entry
 * from the request, and finally `Error: failed to <op> one or more entries` (exit 1).
 */
import type { EntryMessage } from '../api/convert.js';
import { codeName } from './admin-client.js';
import { formatEntry } from './entry-output.js';
import { ServerCommandError } from './spire-server-command.js';
import { formatSpireJson } from './spire-json.js';

export interface EntryResult {
  status: { code: number; message: string };
  entry: EntryMessage | null;
}

function withDefaults(entry: Record<string, unknown>): EntryMessage {
  return {
    id: '',
    selectors: [],
    x509_svid_ttl: 0,
    federates_with: [],
    admin: false,
    downstream: false,
    expires_at: '0',
    dns_names: [],
    revision_number: '0',
    store_svid: false,
    jwt_svid_ttl: 0,
    hint: '',
    created_at: '0',
    spiffe_id: null,
    parent_id: null,
    ...entry,
  } as EntryMessage;
}

/** Writes the results to stdout and throws ServerCommandError when any item failed. */
export function reportEntryResults(results: readonly EntryResult[], requested: readonly Record<string, unknown>[], output: string, operation: 'create' | 'update'): void {
  if (output === 'json') {
    // SPIRE's CLI puts the requested entry into each failed result before printing.
    const filled = results.map((result, index) => (result.status.code === 0 ? result : { ...result, entry: withDefaults(requested[index] ?? {}) }));
    process.stdout.write(formatSpireJson({ results: filled }));
  }

  let failed = false;
  results.forEach((result, index) => {
    if (result.status.code === 0) {
      if (output !== 'json' && result.entry !== null) process.stdout.write(formatEntry(result.entry));
      return;
    }
    failed = true;
    if (output !== 'json') {
      // Go prints the message with %q, which escapes quotes and backslashes as JSON does for ASCII text.
      process.stderr.write(`Failed to ${operation} the following entry (code: ${codeName(result.status.code)}, msg: ${JSON.stringify(result.status.message)}):\n`);
      process.stderr.write(formatEntry(withDefaults(requested[index] ?? {})));
    }
  });
  if (failed) {
    throw new ServerCommandError(`failed to ${operation} one or more entries`);
  }
}
