/**
 * SPIRE log lines as records. SPIRE logs through logrus in one of two formats:
 * text (`time="…" level=info msg="…" key=value key="quoted value"`) or JSON
 * (`{"level":"info","msg":"…","time":"…",…}`). When SPIRE writes to a terminal, logrus
 * switches the text format to its terminal layout (`INFO[0000] Starting agent   key=value`,
 * often coloured), which is read too. Lines copied from `kubectl logs` may carry a
 * `--timestamps` prefix, a `--prefix` pod tag, or both; these are removed.
 */
import { readGoQuoted } from './log-go-quote.js';

/** logrus levels, lower case; `warn` is read as `warning`. */
export type SpireLogLevel = 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'fatal' | 'panic';

/** One parsed log line. */
export interface SpireLogRecord {
  /** The line's `time` field, or the kubectl timestamp when the line has none. */
  readonly time?: Date;
  /** `unknown` when the line has no level or one logrus does not print. */
  readonly level: SpireLogLevel | 'unknown';
  readonly message: string;
  /** Every other field, as text. JSON values that are not strings are kept as JSON text. */
  readonly fields: Readonly<Record<string, string>>;
  readonly format: 'text' | 'json' | 'terminal';
  /** The line as given, prefixes included, for quoting as evidence. */
  readonly raw: string;
}

const LEVELS = new Set<string>(['trace', 'debug', 'info', 'warning', 'error', 'fatal', 'panic']);
const KUBECTL_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))\s+/;
const KUBECTL_POD_PREFIX = /^\[pod\/[^\]\s]+\]\s+/;
// ANSI colour codes around the level and the field keys of logrus terminal output.
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;
const TERMINAL_LINE = /^(TRAC|DEBU|INFO|WARN|ERRO|FATA|PANI)\[([^\]]*)\] ?(.*)$/;
const TERMINAL_LEVELS: Readonly<Record<string, string>> = { TRAC: 'trace', DEBU: 'debug', INFO: 'info', WARN: 'warning', ERRO: 'error', FATA: 'fatal', PANI: 'panic' };

/**
 * Parses one SPIRE log line in logrus text or JSON format. Returns undefined for lines
 * that are neither, or that have no message (stack traces, blank lines, other programs).
 */
export function parseSpireLogLine(line: string): SpireLogRecord | undefined {
  const { body, prefixTime } = stripKubectlPrefixes(line.replace(ANSI_COLOUR, '').trim());
  const format = detectFormat(body);
  const fields = readFields(body, format);
  if (fields === undefined) return undefined;

  const { msg: message, time, level, ...rest } = fields;
  if (message === undefined) return undefined;
  const parsedTime = parseTime(time) ?? prefixTime;

  return {
    ...(parsedTime === undefined ? {} : { time: parsedTime }),
    level: normalizeLevel(level),
    message,
    fields: rest,
    format,
    raw: line,
  };
}

/** Parses every line and drops those that are not SPIRE log records. */
export function parseSpireLogLines(lines: readonly string[]): SpireLogRecord[] {
  const records: SpireLogRecord[] = [];
  for (const line of lines) {
    const record = parseSpireLogLine(line);
    if (record !== undefined) records.push(record);
  }
  return records;
}

function detectFormat(body: string): SpireLogRecord['format'] {
  if (body.startsWith('{')) return 'json';
  return TERMINAL_LINE.test(body) ? 'terminal' : 'text';
}

function readFields(body: string, format: SpireLogRecord['format']): Record<string, string> | undefined {
  switch (format) {
    case 'json':
      return readJsonFields(body);
    case 'terminal':
      return readTerminalFields(body);
    case 'text':
      return readTextFields(body);
  }
}

/**
 * Reads logrus's terminal layout: level, bracketed time (seconds since start, or a
 * timestamp), the message padded with spaces, then `key=value` fields. The message ends
 * at the first run of two spaces, or else before the first ` key=` pair.
 */
function readTerminalFields(body: string): Record<string, string> | undefined {
  const [, level = '', time = '', rest = ''] = TERMINAL_LINE.exec(body) ?? [];
  const padding = /\s{2,}(?=\S)/.exec(rest);
  const firstPair = /\s[^\s="]+=/.exec(rest);
  const end = padding?.index ?? firstPair?.index ?? rest.length;

  const fields = readTextFields(rest.slice(end)) ?? {};
  setField(fields, 'msg', rest.slice(0, end).trim());
  setField(fields, 'level', TERMINAL_LEVELS[level] ?? level);
  if (!/^\d+$/.test(time)) setField(fields, 'time', time);
  return fields;
}

function stripKubectlPrefixes(line: string): { body: string; prefixTime?: Date } {
  let body = line;
  let prefixTime: Date | undefined;
  for (;;) {
    const pod = KUBECTL_POD_PREFIX.exec(body);
    const timestamp = KUBECTL_TIMESTAMP.exec(body);
    if (pod) {
      body = body.slice(pod[0].length);
    } else if (timestamp) {
      prefixTime = parseTime(timestamp[1]);
      body = body.slice(timestamp[0].length);
    } else {
      return prefixTime === undefined ? { body } : { body, prefixTime };
    }
  }
}

function readJsonFields(body: string): Record<string, string> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;

  const fields: Record<string, string> = {};
  for (const [key, field] of Object.entries(value)) {
    setField(fields, key, typeof field === 'string' ? field : JSON.stringify(field));
  }
  return fields;
}

/** Reads logrus text pairs. A word without `=` is skipped; an unclosed quote ends the line. */
function readTextFields(body: string): Record<string, string> | undefined {
  const fields: Record<string, string> = {};
  let offset = 0;

  while (offset < body.length) {
    while (body[offset] === ' ' || body[offset] === '\t') offset += 1;
    const keyMatch = /^([^\s="]+)=/.exec(body.slice(offset));
    if (!keyMatch) {
      offset = nextSpace(body, offset);
      continue;
    }

    const key = keyMatch[1] ?? '';
    offset += keyMatch[0].length;
    if (body[offset] === '"') {
      const quoted = readGoQuoted(body, offset);
      if (quoted === undefined) return fields;
      setField(fields, key, quoted.value);
      offset = quoted.end;
    } else {
      const end = nextSpace(body, offset);
      setField(fields, key, body.slice(offset, end));
      offset = end;
    }
  }
  return fields;
}

function nextSpace(text: string, offset: number): number {
  const match = /[ \t]/.exec(text.slice(offset));
  return match ? offset + match.index : text.length;
}

/** Adds a field as an own property, so a key such as `__proto__` stays data. */
function setField(fields: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true });
}

function normalizeLevel(level: string | undefined): SpireLogLevel | 'unknown' {
  const lower = level?.toLowerCase();
  if (lower === 'warn') return 'warning';
  return lower !== undefined && LEVELS.has(lower) ? (lower as SpireLogLevel) : 'unknown';
}

function parseTime(text: string | undefined): Date | undefined {
  if (text === undefined || text === '') return undefined;
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : time;
}
