/**
 * Output of `agent api fetch jwt` and `agent api validate jwt`, in the forms of
 * `spire-agent api fetch jwt` and `spire-agent api validate jwt` (SPIRE 1.15).
 */
import { formatGoJson } from '../../../lab/spire-cli-output.js';
import type { JwtSvid, ValidatedJwtSvid } from '../../workload/client.js';

/** Formats JWT-SVIDs and JWT bundles: `token(<id>):`, `hint(<id>):` and `bundle(<td>):` blocks. */
export function formatJwtPretty(svids: readonly JwtSvid[], bundles: ReadonlyMap<string, unknown>): string {
  const lines: string[] = [];
  for (const svid of svids) {
    lines.push(`token(${svid.spiffeId}):`, `\t${svid.token}`);
    if (svid.hint) lines.push(`hint(${svid.spiffeId}):`, `\t${svid.hint}`);
  }
  for (const [trustDomainId, jwks] of bundles) lines.push(`bundle(${trustDomainId}):`, `\t${JSON.stringify(jwks)}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** Formats `-output json`: a two-element array of the JWT-SVID response and the JWT bundles response. */
export function formatJwtJson(svids: readonly JwtSvid[], bundles: ReadonlyMap<string, unknown>): string {
  return formatGoJson([
    { svids: svids.map((svid) => ({ hint: svid.hint, spiffe_id: svid.spiffeId, svid: svid.token })) },
    { bundles: Object.fromEntries([...bundles].map(([id, jwks]) => [id, Buffer.from(JSON.stringify(jwks)).toString('base64')])) },
  ]);
}

/** Formats a successful validation: `SVID is valid.`, the SPIFFE ID and the claims as compact JSON. */
export function formatValidation(result: ValidatedJwtSvid): string {
  return `SVID is valid.\nSPIFFE ID : ${result.spiffeId}\nClaims    : ${formatGoJson(result.claims).trimEnd()}\n`;
}
