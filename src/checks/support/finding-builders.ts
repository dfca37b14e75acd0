/**
 * Builders for findings, so every check reports in the same shape. Summaries, fixes
 * and evidence lines pass through `sanitizeText` here, once, because they quote
 * untrusted text from pods, entries and logs.
 */
import type { Cause } from '../../diagnosis/causes.js';
import type { Confidence, Finding } from '../types.js';
import { sanitizeText } from './sanitize-text.js';

export interface ProblemDetails {
  readonly cause: Cause;
  readonly confidence: Confidence;
  readonly summary: string;
  readonly evidence?: readonly string[];
  readonly fix?: readonly string[];
  /** Check ids whose failure would explain this one. */
  readonly explainedBy?: readonly string[];
}

// Summaries and fixes quote pod, entry and log text too, so they are cleaned like
// evidence lines, with room for the sentence around the quote.
const MAX_SENTENCE_LENGTH = 2000;

function clean(lines: readonly string[] | undefined): readonly string[] {
  return (lines ?? []).map((line) => sanitizeText(line)).filter((line) => line !== '');
}

function cleanSentence(text: string): string {
  return sanitizeText(text, MAX_SENTENCE_LENGTH);
}

function cleanSentences(lines: readonly string[] | undefined): readonly string[] {
  return (lines ?? []).map(cleanSentence).filter((line) => line !== '');
}

/** Builds a passing finding. */
export function passed(checkId: string, summary: string, evidence?: readonly string[]): Finding {
  return { checkId, status: 'pass', cause: null, confidence: 'certain', summary: cleanSentence(summary), evidence: clean(evidence), fix: [] };
}

/** Builds a failing finding: the healthy condition does not hold. */
export function failed(checkId: string, details: ProblemDetails): Finding {
  return {
    checkId,
    status: 'fail',
    cause: details.cause,
    confidence: details.confidence,
    summary: cleanSentence(details.summary),
    evidence: clean(details.evidence),
    fix: cleanSentences(details.fix),
    ...(details.explainedBy === undefined ? {} : { explainedBy: details.explainedBy }),
  };
}

/** Builds a warning: something is off, but not enough to block the SVID on its own evidence. */
export function warned(checkId: string, details: ProblemDetails): Finding {
  return { ...failed(checkId, details), status: 'warn' };
}

/** Builds a skipped finding for a check that could not judge, naming what would let it. */
export function skippedFor(checkId: string, summary: string, fix: readonly string[] = []): Finding {
  return { checkId, status: 'skipped', cause: null, confidence: 'certain', summary: cleanSentence(summary), evidence: [], fix: cleanSentences(fix) };
}

/** Builds a failing finding that records a symptom (a failed fetch), whose cause other checks establish. */
export function failedSymptom(checkId: string, summary: string, evidence: readonly string[]): Finding {
  return { checkId, status: 'fail', cause: null, confidence: 'certain', summary: cleanSentence(summary), evidence: clean(evidence), fix: [] };
}
