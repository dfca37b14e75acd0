/**
 * Parses what `spire-agent api fetch x509` and `api fetch jwt` print, in the pretty
 * and the JSON (`-output json`) form, into the SVIDs the workload received. Formats
 * read from SPIRE v1.15.3 `cmd/spire-agent/cli/api`. JWT tokens are decoded only for
 * their claims and are never kept.
 */
import { X509Certificate } from 'node:crypto';

export interface FetchedSvid {
  readonly spiffeId: string;
  readonly kind: 'x509' | 'jwt';
  readonly validAfter?: Date;
  readonly validUntil?: Date;
  /** JWT-SVID audiences. */
  readonly audience?: readonly string[];
  readonly hint?: string;
}

export interface FetchOutput {
  readonly svids: readonly FetchedSvid[];
  /** Trust domains of federated bundles the agent returned with the SVIDs. */
  readonly federatedTrustDomains: readonly string[];
}

// Go's time.Time.String() in UTC: "2023-01-19 09:19:39 +0000 UTC".
const GO_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ([+-]\d{2})(\d{2})/;

/** Parses a time as Go's `time.Time.String()` prints it. */
export function parseGoTime(text: string): Date | undefined {
  const match = GO_TIME.exec(text.trim());
  if (match === null) {
    return undefined;
  }
  const time = new Date(`${match[1]}T${match[2]}${match[3]}:${match[4]}`);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

function parsePrettyX509(stdout: string): FetchOutput {
  const svids: { spiffeId: string; kind: 'x509'; validAfter?: Date; validUntil?: Date; hint?: string }[] = [];
  const federated = new Set<string>();

  for (const line of stdout.split('\n')) {
    const [label = '', ...rest] = line.split(':\t');
    const value = rest.join(':\t').trim();
    const current = svids.at(-1);
    if (label === 'SPIFFE ID') {
      svids.push({ spiffeId: value, kind: 'x509' });
    } else if (label === 'SVID Valid After' && current !== undefined) {
      current.validAfter = parseGoTime(value);
    } else if (label === 'SVID Valid Until' && current !== undefined) {
      current.validUntil = parseGoTime(value);
    } else if (label === 'Hint' && current !== undefined) {
      current.hint = value;
    }
    const federatedCa = /^\[([^\]]+)\] CA #/.exec(line);
    if (federatedCa !== null) {
      federated.add(federatedCa[1] as string);
    }
  }

  return { svids, federatedTrustDomains: [...federated] };
}

function decodeJwtClaims(token: string): { sub?: string; aud?: string | string[]; exp?: number; iat?: number } {
  const payload = token.split('.')[1];
  if (payload === undefined) {
    return {};
  }
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, never>;
  } catch {
    return {};
  }
}

function jwtSvid(spiffeId: string, token: string): FetchedSvid {
  const claims = decodeJwtClaims(token);
  const audience = claims.aud === undefined ? [] : [claims.aud].flat();
  return {
    spiffeId: claims.sub ?? spiffeId,
    kind: 'jwt',
    audience,
    ...(claims.exp === undefined ? {} : { validUntil: new Date(claims.exp * 1000) }),
    ...(claims.iat === undefined ? {} : { validAfter: new Date(claims.iat * 1000) }),
  };
}

function parsePrettyJwt(stdout: string): FetchOutput {
  const svids: FetchedSvid[] = [];
  const lines = stdout.split('\n');
  lines.forEach((line, index) => {
    const match = /^token\((.+)\):$/.exec(line.trim());
    const token = lines[index + 1]?.trim();
    if (match !== null && token !== undefined) {
      svids.push(jwtSvid(match[1] as string, token));
    }
  });
  return { svids, federatedTrustDomains: [] };
}

// Splits concatenated DER certificates by reading each outer SEQUENCE length.
function splitDer(der: Buffer): Buffer[] {
  const certificates: Buffer[] = [];
  let offset = 0;
  while (offset + 2 <= der.length && der[offset] === 0x30) {
    const first = der[offset + 1] as number;
    const lengthBytes = first & 0x80 ? first & 0x7f : 0;
    let length = lengthBytes === 0 ? first : 0;
    for (let i = 0; i < lengthBytes; i += 1) {
      length = length * 256 + (der[offset + 2 + i] as number);
    }
    const end = offset + 2 + lengthBytes + length;
    certificates.push(der.subarray(offset, end));
    offset = end;
  }
  return certificates;
}

function x509FromJson(svid: { spiffe_id?: string; x509_svid?: string; hint?: string }): FetchedSvid {
  let validity: { validAfter?: Date; validUntil?: Date } = {};
  const leaf = svid.x509_svid === undefined ? undefined : splitDer(Buffer.from(svid.x509_svid, 'base64'))[0];
  if (leaf !== undefined) {
    try {
      const certificate = new X509Certificate(leaf);
      validity = { validAfter: new Date(certificate.validFrom), validUntil: new Date(certificate.validTo) };
    } catch {
      validity = {};
    }
  }
  return { spiffeId: svid.spiffe_id ?? '', kind: 'x509', ...validity, ...(svid.hint ? { hint: svid.hint } : {}) };
}

function parseJsonOutput(value: unknown): FetchOutput {
  // `api fetch jwt -output json` prints [{"svids":[…]},{"bundles":{…}}].
  if (Array.isArray(value)) {
    const svids = (value[0] as { svids?: { spiffe_id?: string; svid?: string }[] } | undefined)?.svids ?? [];
    return { svids: svids.map((svid) => jwtSvid(svid.spiffe_id ?? '', svid.svid ?? '')), federatedTrustDomains: [] };
  }

  const x509 = value as { svids?: { spiffe_id?: string; x509_svid?: string; hint?: string }[]; federated_bundles?: Record<string, unknown> };
  return {
    svids: (x509.svids ?? []).map(x509FromJson),
    federatedTrustDomains: Object.keys(x509.federated_bundles ?? {}).map((id) => id.replace(/^spiffe:\/\//, '')),
  };
}

/** Parses the stdout of `spire-agent api fetch x509|jwt`, pretty or JSON; returns undefined for anything else. */
export function parseFetchOutput(stdout: string | undefined): FetchOutput | undefined {
  const text = (stdout ?? '').trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return parseJsonOutput(JSON.parse(text));
    } catch {
      return undefined;
    }
  }
  if (/^token\(/m.test(text)) {
    return parsePrettyJwt(text);
  }
  if (/^SPIFFE ID:/m.test(text)) {
    return parsePrettyX509(text);
  }
  return undefined;
}
