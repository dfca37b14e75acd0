/**
 * Assembles the diagnosis JSON (apiVersion spiffe-doctor/v1) from an evidence record:
 * run every check, rank the findings, pick the root cause and the verdict. Pure: the
 * same evidence always gives the same diagnosis.
 */
import { CHECKS } from '../checks/index.js';
import { findCatalogEntry } from '../checks/catalog.js';
import { runChecks } from '../checks/run-checks.js';
import { findAgentConfig, findAgentHealth, findAgentLogs } from '../checks/support/evidence-access.js';
import { viewWorkload } from '../checks/support/workload-view.js';
import type { Check, Finding } from '../checks/types.js';
import { EXIT_CODES } from '../errors.js';
import type { Evidence } from '../evidence/types.js';
import type { KubePod } from '../evidence/kube-types.js';
import type { Cause } from './causes.js';
import { rankFindings, type RankedFinding } from './rank.js';
import { DIAGNOSIS_API_VERSION, type Diagnosis, type DiagnosisFinding, type DiagnosisTarget, type FleetDiagnosis, type RootCause } from './types.js';
import { CAUSES_AFTER_ISSUANCE, decideVerdict, predictsIssuance, showsFailure, showsIssuance } from './verdict.js';

export interface DiagnoseOptions {
  readonly toolVersion: string;
  /**
   * Count passing issuance prerequisites as svid-ok when no SVID was seen issued. Default
   * false; fleet diagnoses set it, because they run no in-pod fetch.
   */
  readonly acceptPredictedIssuance?: boolean;
  /** The checks to run; all registered checks by default. */
  readonly checks?: readonly Check[];
}

function toDiagnosisFinding({ finding, consequenceOf }: RankedFinding): DiagnosisFinding {
  const entry = findCatalogEntry(finding.checkId);
  return {
    checkId: finding.checkId,
    status: finding.status,
    cause: finding.cause,
    summary: finding.summary,
    evidence: finding.evidence,
    fix: finding.fix,
    consequenceOf,
    ...(entry === undefined ? {} : { code: entry.code, title: entry.title }),
  };
}

function describeTarget(evidence: Evidence): DiagnosisTarget {
  const pod = evidence.pod;
  const process = evidence.process;
  return {
    ...(pod?.metadata?.namespace === undefined ? {} : { namespace: pod.metadata.namespace }),
    ...(pod?.metadata?.name === undefined ? {} : { pod: pod.metadata.name }),
    ...(pod?.spec?.nodeName === undefined ? {} : { node: pod.spec.nodeName }),
    ...(process?.pid === undefined ? {} : { pid: process.pid }),
    ...(process?.uid === undefined ? {} : { uid: process.uid }),
  };
}

/**
 * Checks that need evidence only the user can add (the expected ID, served certificates):
 * their absence never stops a verdict, so an undecided diagnosis does not ask for it.
 */
const OPT_IN_EVIDENCE_CHECKS: ReadonlySet<string> = new Set(['svid-identity-expected', 'served-certificate-valid']);

/** Returns the step that lets the in-pod fetch run, when a gather error stopped it. */
function fetchGrant(evidence: Evidence): string[] {
  const fetchError = evidence.gatherErrors?.workloadFetch;
  return fetchError === undefined ? [] : [`Let the in-pod fetch run, then diagnose again: ${fetchError}`];
}

/** Keeps the first request per quoted evidence field ("workloadFetch"), so each is asked for once. */
function onePerEvidenceField(requests: readonly string[]): string[] {
  const seenFields = new Set<string>();
  const uniqueRequests: string[] = [];
  for (const request of requests) {
    const field = /"([A-Za-z]+)"/.exec(request)?.[1] ?? request;
    if (seenFields.has(field)) continue;
    seenFields.add(field);
    uniqueRequests.push(request);
  }
  return uniqueRequests;
}

/** Says why no SVID was seen, for an undecided diagnosis without a failed fetch. */
function describeUnseenIssuance(findings: readonly Finding[], evidence: Evidence): string {
  if (!predictsIssuance(findings)) return 'No check found a cause';
  const fetchError = evidence.gatherErrors?.workloadFetch;
  const reason = fetchError === undefined ? 'the evidence has no in-pod fetch, and the agent log shows no SVID served to this workload' : `the in-pod fetch did not run (${fetchError})`;
  return `No check found a problem, and the entries, agent and socket predict an SVID, but none was seen issued: ${reason}`;
}

/** Describes what evidence would settle an undecided diagnosis, from the checks that were skipped. */
function describeUnknown(findings: readonly Finding[], evidence: Evidence): RootCause {
  const skipped = findings.filter((finding) => finding.status === 'skipped' && finding.fix.length > 0 && !OPT_IN_EVIDENCE_CHECKS.has(finding.checkId));
  const gather = [...fetchGrant(evidence), ...onePerEvidenceField(skipped.flatMap((finding) => finding.fix))];
  const symptom = findings.find((finding) => finding.checkId === 'workload-fetch-succeeds' && finding.status === 'fail');
  const seen = symptom === undefined ? describeUnseenIssuance(findings, evidence) : `${symptom.summary.replace(/\.$/, '')}, but no check found why`;
  return {
    cause: 'unknown',
    checkId: symptom?.checkId ?? 'workload-fetch-succeeds',
    summary: `${seen}. Evidence that would settle it: ${gather.length > 0 ? gather.map((line) => line.replace(/\.$/, '')).join('; ') : 'the agent log at DEBUG level, the registration entries, the attested agents and an in-pod fetch'}.`,
    fix: gather,
  };
}

/** Diagnoses one workload from its evidence. */
export function diagnose(evidence: Evidence, options: DiagnoseOptions): Diagnosis {
  const findings = runChecks(evidence, options.checks ?? CHECKS);
  const agentLog = viewWorkload(evidence).agentLog;
  const issued = showsIssuance(findings, (agentLog?.workloadFetched.length ?? 0) > 0);
  const ranking = rankFindings(findings, issued ? { rootCauses: CAUSES_AFTER_ISSUANCE } : {});
  const root = ranking.root;
  const verdict = decideVerdict(root, {
    issued,
    failed: showsFailure(findings, (agentLog?.workloadNoIdentity.length ?? 0) > 0),
    predicted: predictsIssuance(findings),
    acceptPrediction: options.acceptPredictedIssuance ?? false,
  });

  let rootCause: RootCause | null = null;
  if (root !== undefined && root.cause !== null) {
    rootCause = { cause: root.cause, checkId: root.checkId, summary: root.summary, fix: root.fix };
  } else if (verdict === 'unknown') {
    rootCause = describeUnknown(findings, evidence);
  }

  return {
    apiVersion: DIAGNOSIS_API_VERSION,
    kind: 'Diagnosis',
    target: describeTarget(evidence),
    verdict,
    rootCause,
    findings: ranking.ordered.map(toDiagnosisFinding),
    gatherErrors: evidence.gatherErrors ?? {},
    tool: { name: 'spiffe-doctor', version: options.toolVersion },
  };
}

/**
 * Builds the evidence for one pod of fleet evidence, picking the per-node agent values
 * for the pod's node. Fields that describe a single workload (its fetch, served
 * certificates, expected ID, events) are dropped, because they belong to no pod in
 * particular.
 */
export function evidenceForPod(evidence: Evidence, pod: KubePod): Evidence {
  const node = pod.spec?.nodeName;
  const { pods: _pods, workloadFetch: _fetch, servedCertificates: _served, expectedSpiffeId: _expected, events: _events, ...shared } = evidence;
  const agentHealth = findAgentHealth(evidence, node);
  const agentLogs = findAgentLogs(evidence, node);
  const agentConfig = findAgentConfig(evidence, node);
  return {
    ...shared,
    pod,
    agentHealth,
    agentLogs,
    agentConfig,
    node: evidence.node?.metadata?.name === node ? evidence.node : undefined,
  };
}

function countCauses(diagnoses: readonly Diagnosis[]): Partial<Record<Cause, number>> {
  const byCause: Partial<Record<Cause, number>> = {};
  for (const diagnosis of diagnoses) {
    const cause = diagnosis.rootCause?.cause;
    if (cause !== undefined) {
      byCause[cause] = (byCause[cause] ?? 0) + 1;
    }
  }
  return byCause;
}

/** Diagnoses every pod of fleet evidence (`pods`, or the single `pod`). */
export function diagnoseFleet(evidence: Evidence, options: DiagnoseOptions): FleetDiagnosis {
  const pods = evidence.pods ?? (evidence.pod === undefined ? [] : [evidence.pod]);
  const diagnoses = pods.map((pod) => diagnose(evidenceForPod(evidence, pod), { ...options, acceptPredictedIssuance: true }));
  const count = (verdict: Diagnosis['verdict']): number => diagnoses.filter((diagnosis) => diagnosis.verdict === verdict).length;

  return {
    apiVersion: DIAGNOSIS_API_VERSION,
    kind: 'FleetDiagnosis',
    summary: {
      workloads: diagnoses.length,
      svidOk: count('svid-ok'),
      svidProblem: count('svid-problem'),
      noSvid: count('no-svid'),
      unknown: count('unknown'),
      byCause: countCauses(diagnoses),
    },
    diagnoses,
    gatherErrors: evidence.gatherErrors ?? {},
    tool: { name: 'spiffe-doctor', version: options.toolVersion },
  };
}

/**
 * Returns the process exit code for a diagnosis. It is 0 when the workload gets a
 * working SVID and 1 when a problem was diagnosed (no SVID, or one that does not
 * work). It is 2 when the evidence did not settle it, because the tool then could
 * not diagnose.
 */
export function exitCodeFor(diagnosis: Diagnosis): number {
  if (diagnosis.verdict === 'svid-ok') {
    return EXIT_CODES.ok;
  }
  return diagnosis.verdict === 'unknown' ? EXIT_CODES.cannotDiagnose : EXIT_CODES.problem;
}

/** Returns the exit code for a fleet: 1 if any workload has a diagnosed problem, else 2 if any is undecided, else 0. */
export function fleetExitCodeFor(fleet: FleetDiagnosis): number {
  const codes = fleet.diagnoses.map(exitCodeFor);
  if (codes.includes(EXIT_CODES.problem)) {
    return EXIT_CODES.problem;
  }
  return codes.includes(EXIT_CODES.cannotDiagnose) ? EXIT_CODES.cannotDiagnose : EXIT_CODES.ok;
}
