/**
 * The diagnosis JSON, version 1: what `why -o json` prints. Fields here are a public
 * contract; add fields freely, never remove or rename one without a new apiVersion.
 */
import type { Cause } from './causes.js';

export const DIAGNOSIS_API_VERSION = 'spiffe-doctor/v1';

export type Verdict = 'no-svid' | 'svid-problem' | 'svid-ok' | 'unknown';

export type FindingStatus = 'fail' | 'warn' | 'pass' | 'skipped' | 'error';

export interface DiagnosisTarget {
  readonly namespace?: string;
  readonly pod?: string;
  readonly node?: string;
  readonly pid?: number;
  readonly uid?: number;
}

export interface RootCause {
  readonly cause: Cause;
  readonly checkId: string;
  readonly summary: string;
  readonly fix: readonly string[];
}

export interface DiagnosisFinding {
  readonly checkId: string;
  readonly status: FindingStatus;
  readonly cause: Cause | null;
  readonly summary: string;
  readonly evidence: readonly string[];
  readonly fix: readonly string[];
  readonly consequenceOf: string | null;
  /** Stable finding code from the catalog, for example `SD0103`. */
  readonly code?: string;
  readonly title?: string;
}

export interface ToolInfo {
  readonly name: 'spiffe-doctor';
  readonly version: string;
}

export interface Diagnosis {
  readonly apiVersion: typeof DIAGNOSIS_API_VERSION;
  readonly kind: 'Diagnosis';
  readonly target: DiagnosisTarget;
  readonly verdict: Verdict;
  readonly rootCause: RootCause | null;
  readonly findings: readonly DiagnosisFinding[];
  readonly gatherErrors: Readonly<Record<string, string>>;
  readonly tool: ToolInfo;
}

export interface FleetSummary {
  readonly workloads: number;
  readonly svidOk: number;
  readonly svidProblem: number;
  readonly noSvid: number;
  readonly unknown: number;
  readonly byCause: Readonly<Partial<Record<Cause, number>>>;
}

export interface FleetDiagnosis {
  readonly apiVersion: typeof DIAGNOSIS_API_VERSION;
  readonly kind: 'FleetDiagnosis';
  readonly summary: FleetSummary;
  readonly diagnoses: readonly Diagnosis[];
  readonly gatherErrors: Readonly<Record<string, string>>;
  readonly tool: ToolInfo;
}
