/**
 * Redaction of secrets from evidence before it is stored or shared. It covers private
 * keys, JWTs (JWT-SVIDs and any other JWS in compact form), SPIRE join tokens and bearer
 * tokens. It also covers password and secret settings in configs, such as a datastore
 * connection string or an upstream authority's credentials, and container env values
 * whose names mark them as secrets. Secrets are replaced by a marker such as
 * `[redacted: private key]`, so a reader still sees that a value was there. Redacting
 * twice gives the same result as redacting once.
 */
import type { Evidence } from './types.js';

export const REDACTED_PRIVATE_KEY = '[redacted: private key]';
export const REDACTED_JWT = '[redacted: jwt]';
export const REDACTED_JOIN_TOKEN = '[redacted: join token]';
export const REDACTED_BEARER_TOKEN = '[redacted: bearer token]';
export const REDACTED_SECRET = '[redacted: secret]';

/** Object keys whose string value is a private key (`spire-agent api fetch x509 -output json`, WIT-SVIDs). */
const PRIVATE_KEY_FIELDS = new Set(['x509_svid_key', 'wit_svid_key', 'private_key', 'privateKey']);
const JOIN_TOKEN_FIELDS = new Set(['join_token', 'joinToken']);

/** A PEM block of any private key type (`PRIVATE KEY`, `EC PRIVATE KEY`, `RSA PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`). */
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

/** `"x509_svid_key": "…"` inside JSON text, also when that JSON is itself escaped inside a string. */
const KEY_FIELD_IN_TEXT =
  /((?:\\*")(?:x509_svid_key|wit_svid_key|private_key)(?:\\*")\s*:\s*(?:\\*"))(?!\[redacted)[^"\\]*/g;

/** Three base64url segments: a candidate JWS compact serialization, confirmed by `redactJwsCandidate`. */
const JWS_CANDIDATE = /[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;

/** `join_token = "…"` (HCL) or `"join_token": "…"` (JSON), possibly inside escaped JSON. */
const JOIN_TOKEN_SETTING = /(\bjoin_token(?:\\*")?\s*[:=]\s*(?:\\*"))(?!\[redacted)[^"\\]*/g;

/** The agent's `-joinToken VALUE` or `-joinToken=VALUE` command-line flag. */
const JOIN_TOKEN_FLAG = /(--?joinToken(?:=|\s+))(?!\[redacted)[^\s"',]+/g;

/**
 * A config setting whose name ends in a secret word, in HCL (`password = "…"`) or JSON
 * (`"secret_access_key": "…"`). Names such as `token_path` do not end in one, so they stay.
 */
const SECRET_SETTING =
  /(\b[A-Za-z0-9_]*(?:password|passwd|secret|secret_access_key|client_secret|api_key|token)(?:\\*")?\s*[:=]\s*(?:\\*"))(?!\[redacted)[^"\\]*/gi;

/** `password=…` inside a key/value connection string, such as a PostgreSQL DSN. */
const DSN_PASSWORD = /(\bpassword=)(?!\[redacted)[^\s"'\\;]+/gi;

/** The password in the `user:password@` part of a URL. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s"']+:)(?!\[redacted)[^@/\s"'\\]+(?=@)/gi;

/**
 * The password of a Go MySQL DSN (`spire:pw@tcp(db:3306)/spire`). Only this form is
 * matched, because `name:tag@sha256:…` image references look alike.
 */
const MYSQL_DSN_PASSWORD = /(\b[A-Za-z0-9._-]+:)(?!\[redacted)[^@/\s"'\\:]+(?=@(?:tcp|unix)\()/g;

/** Names of env variables whose values are secrets; `SPIFFE_ENDPOINT_SOCKET` and the like stay readable. */
const SECRET_ENV_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;

/** An HTTP `Authorization: Bearer …` credential; the lookbehind skips this module's own marker. */
const BEARER_TOKEN = /((?<!redacted: )\bbearer\s+)(?!\[redacted)[A-Za-z0-9._~+/=-]+/gi;

/** Returns a copy of `evidence` with every secret replaced by a marker. */
export function redactEvidence(evidence: Evidence): Evidence {
  return redactValue(evidence) as Evidence;
}

/** Returns `text` with every private key, JWT, token, password and secret setting replaced by a marker. */
export function redactText(text: string): string {
  return text
    .replace(PEM_PRIVATE_KEY, REDACTED_PRIVATE_KEY)
    .replace(KEY_FIELD_IN_TEXT, `$1${REDACTED_PRIVATE_KEY}`)
    .replace(JOIN_TOKEN_SETTING, `$1${REDACTED_JOIN_TOKEN}`)
    .replace(JOIN_TOKEN_FLAG, `$1${REDACTED_JOIN_TOKEN}`)
    .replace(BEARER_TOKEN, `$1${REDACTED_BEARER_TOKEN}`)
    .replace(SECRET_SETTING, `$1${REDACTED_SECRET}`)
    .replace(DSN_PASSWORD, `$1${REDACTED_SECRET}`)
    .replace(URL_PASSWORD, `$1${REDACTED_SECRET}`)
    .replace(MYSQL_DSN_PASSWORD, `$1${REDACTED_SECRET}`)
    .replace(JWS_CANDIDATE, redactJwsCandidate);
}

/**
 * Redacts any JSON value. Strings are scanned as text, values under key fields and of
 * secret env entries are replaced whole, and in argument lists the value after a
 * `-joinToken` flag is replaced.
 */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return redactArray(value);
  if (typeof value !== 'object' || value === null) return value;

  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] = redactField(key, field);
  }
  if (isSecretEnvVar(copy)) copy.value = REDACTED_SECRET;
  return copy;
}

/** Tells whether an object is a container env entry (`{name, value}`) whose name marks a secret. */
function isSecretEnvVar(value: Record<string, unknown>): boolean {
  return typeof value.name === 'string' && typeof value.value === 'string' && value.value !== '' && SECRET_ENV_NAME.test(value.name);
}

function redactField(key: string, value: unknown): unknown {
  if (typeof value === 'string' && value !== '' && PRIVATE_KEY_FIELDS.has(key)) return REDACTED_PRIVATE_KEY;
  if (typeof value === 'string' && value !== '' && JOIN_TOKEN_FIELDS.has(key)) return REDACTED_JOIN_TOKEN;
  return redactValue(value);
}

function redactArray(values: readonly unknown[]): unknown[] {
  return values.map((value, index) => {
    const previous = index > 0 ? values[index - 1] : undefined;
    if (typeof value === 'string' && isJoinTokenFlag(previous)) return REDACTED_JOIN_TOKEN;
    return redactValue(value);
  });
}

function isJoinTokenFlag(value: unknown): boolean {
  return value === '-joinToken' || value === '--joinToken';
}

/**
 * Replaces a dotted triple when it is a JWS. Its header must decode to a JSON object
 * with an `alg` member (RFC 7515 §4.1.1 makes `alg` mandatory). The header of such an
 * object always starts with `e` in base64url, and the match may have begun early on
 * text glued to the token, so each `e` in the first segment is tried as its start.
 */
function redactJwsCandidate(candidate: string): string {
  const header = candidate.slice(0, candidate.indexOf('.'));
  for (let start = header.indexOf('e'); start !== -1; start = header.indexOf('e', start + 1)) {
    if (isJwsHeader(header.slice(start))) return candidate.slice(0, start) + REDACTED_JWT;
  }
  return candidate;
}

function isJwsHeader(segment: string): boolean {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof decoded === 'object' && decoded !== null && 'alg' in decoded;
  } catch {
    return false;
  }
}
