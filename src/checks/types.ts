/**
 * The check interface. A check is a pure function from evidence to findings: no I/O, no
 * wall clock (time comes in the context, from the evidence's `gatheredAt`). Each check
 * is one module under `src/checks/`, listed in `src/checks/index.ts`, with a catalog
 * entry in `src/checks/catalog.ts`.
 */
import type { Cause } from '../diagnosis/causes.js';
import type { FindingStatus } from '../diagnosis/types.js';
import type { Evidence } from '../evidence/types.js';

export type CheckCategory =
  | 'workload'
  | 'server'
  | 'agent'
  | 'socket'
  | 'attestation'
  | 'registration'
  | 'registrar'
  | 'svid';

export type Severity = 'error' | 'warning' | 'info';

/** Confidence of a finding. Ranking prefers certain findings at the same causal layer. */
export type Confidence = 'certain' | 'likely' | 'possible';

/** Evidence fields, as named in the evidence file. */
export type EvidenceField = Exclude<keyof Evidence & string, 'apiVersion' | 'kind'>;

export interface CheckContext {
  readonly evidence: Evidence;
  /**
   * "Now" for time-based judgements: the evidence's `gatheredAt`, else the newest
   * timestamp in its logs, else undefined (time-based checks then report that they
   * could not judge).
   */
  readonly now: Date | undefined;
  /** Source of `now`, absent when `now` is undefined. */
  readonly nowSource?: 'gatheredAt' | 'logs';
}

/** One result of a check. */
export interface Finding {
  readonly checkId: string;
  readonly status: FindingStatus;
  readonly cause: Cause | null;
  readonly confidence: Confidence;
  readonly summary: string;
  readonly evidence: readonly string[];
  readonly fix: readonly string[];
  /** Check ids whose failure this finding is known to follow from. */
  readonly explainedBy?: readonly string[];
}

export interface Check {
  /** Stable kebab-case id naming the healthy condition, for example `agent-socket-mounted`. */
  readonly id: string;
  readonly category: CheckCategory;
  /** States the healthy condition: "Workload API socket is mounted". */
  readonly title: string;
  readonly severity: Severity;
  /** Evidence fields without which the check is skipped. */
  readonly requires: readonly EvidenceField[];
  /** Evidence fields of which at least one must be present, else the check is skipped. */
  readonly requiresAnyOf?: readonly EvidenceField[];
  /** Check ids that must not have failed for this check to run. */
  readonly dependsOn?: readonly string[];
  run(context: CheckContext): readonly Finding[];
}
