/**
 * SPIRE log records for the checks, parsed by the SPIRE log module (both the logrus
 * text and the JSON format).
 */
import { parseSpireLogLines, type SpireLogRecord } from '../../spire/logs.js';

export type LogRecord = SpireLogRecord;

/** Parses every line, dropping those that are not SPIRE log records. */
export function parseLogRecords(lines: readonly string[] | undefined): readonly LogRecord[] {
  return parseSpireLogLines(lines ?? []);
}
