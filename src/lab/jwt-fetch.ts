/**
 * `spire-agent api fetch jwt -audience A[,B] [-spiffeID ID]` run inside a lab container
 * (SPIRE 1.15). The call takes the same path as the X.509 fetch up to the issued entries.
 * Then each entry, or the one named by `-spiffeID`, gets an ES256 JWT-SVID for the
 * audience, and the output ends with the trust domain's JWT bundle.
 */
import { entrySpiffeId } from '../spire/entries.js';
import type { EntryJson } from '../spire/types.js';
import { failed, succeeded, type LabExecResult } from './exec-backend.js';
import { DEFAULT_JWT_SVID_TTL_SECONDS } from './lab-ca.js';
import { formatGoJson } from './spire-cli-output.js';
import { findIssuedEntries, type FetchContext, type WorkloadCaller } from './workload-fetch.js';

/** A JWT fetch request: where it runs and its flags. */
export interface JwtFetchRequest extends WorkloadCaller {
  /** `-audience`, split at commas. */
  readonly audience: readonly string[];
  /** `-spiffeID`: fetch only this identity. */
  readonly spiffeId?: string;
  readonly output: 'pretty' | 'json';
}

interface MintedJwt {
  readonly entry: EntryJson;
  readonly token: string;
}

/** Runs the simulated JWT fetch and prints what `spire-agent api fetch jwt` prints. */
export async function simulateJwtFetch(context: FetchContext, request: JwtFetchRequest): Promise<LabExecResult> {
  if (request.audience.length === 0) return failed('audience must be specified\n');
  const issued = findIssuedEntries(context, request, 'FetchJWTSVID');
  if (!issued.ok) return issued.result;

  const entries = request.spiffeId === undefined ? issued.entries : issued.entries.filter((entry) => entrySpiffeId(entry) === request.spiffeId);
  if (entries.length === 0) return failed('rpc error: code = PermissionDenied desc = no identity issued\n');
  const minted = await Promise.all(
    entries.map(async (entry) => ({ entry, token: await context.ca.mintJwtSvid(entrySpiffeId(entry), request.audience, entry.jwt_svid_ttl || DEFAULT_JWT_SVID_TTL_SECONDS) })),
  );

  const trustDomainId = `spiffe://${context.state.scenario.spire.trustDomain}`;
  const bundle = JSON.stringify(context.ca.jwtBundle);
  if (request.output === 'json') return succeeded(formatJwtJson(minted, trustDomainId, bundle));
  return succeeded(formatJwtPretty(minted, trustDomainId, bundle));
}

function formatJwtPretty(minted: readonly MintedJwt[], trustDomainId: string, bundle: string): string {
  const tokens = minted.map(({ entry, token }) => {
    const id = entrySpiffeId(entry);
    return `token(${id}):\n\t${token}\n\n${entry.hint ? `hint(${id}):\n\t${entry.hint}\n\n` : ''}`;
  });
  return `${tokens.join('')}bundle(${trustDomainId}):\n\t${bundle}\n\n`;
}

/** Prints the two responses as SPIRE's JSON printer does: an array of the SVID and the bundle response, bytes in base64. */
function formatJwtJson(minted: readonly MintedJwt[], trustDomainId: string, bundle: string): string {
  const svids = minted.map(({ entry, token }) => ({ hint: entry.hint ?? '', spiffe_id: entrySpiffeId(entry), svid: token }));
  return formatGoJson([{ svids }, { bundles: { [trustDomainId]: Buffer.from(bundle).toString('base64') } }]);
}
