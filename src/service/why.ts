/**
 * The `why` service: gathers evidence for one workload from the chosen source and
 * diagnoses it. Commands call this and render the result; nothing here prints.
 */
import { diagnose } from '../diagnosis/diagnose.js';
import type { Diagnosis } from '../diagnosis/types.js';
import type { Evidence } from '../evidence/types.js';
import { gatherEvidence, type EvidenceSource, type GatherOptions } from '../probes/gather.js';

export interface WhyRequest {
  readonly source: EvidenceSource;
  readonly gather: GatherOptions;
  readonly toolVersion: string;
}

export interface WhyResult {
  readonly evidence: Evidence;
  readonly diagnosis: Diagnosis;
}

/**
 * Gathers evidence and diagnoses it.
 *
 * @throws UserError when the source cannot be read (see `gatherEvidence`).
 */
export async function diagnoseWorkload(request: WhyRequest): Promise<WhyResult> {
  const evidence = await gatherEvidence(request.source, request.gather);
  return { evidence, diagnosis: diagnose(evidence, { toolVersion: request.toolVersion }) };
}

/**
 * Returns true when the in-pod fetch did not run only because the workload image has no
 * `spire-agent` binary, so an ephemeral debug container could run it instead.
 */
export function fetchNeedsDebugContainer(evidence: Evidence): boolean {
  if (evidence.workloadFetch !== undefined) return false;
  // NOTE: the probe reports this case only as gather-error text; match the probe's wording.
  return evidence.gatherErrors?.workloadFetch?.includes('has no spire-agent binary') ?? false;
}
