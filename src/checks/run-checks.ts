/**
 * Runs checks over one evidence record. A check whose required evidence is missing,
 * or whose dependency failed, is reported as skipped with the reason, so the
 * diagnosis shows what it could not judge and how to gather what is missing.
 */
import type { Evidence } from '../evidence/types.js';
import { describeEvidenceSource } from './support/evidence-sources.js';
import { resolveNow } from './support/resolve-now.js';
import type { Check, CheckContext, EvidenceField, Finding } from './types.js';

/** Builds the context checks run with, resolving "now" from the evidence. */
export function createCheckContext(evidence: Evidence): CheckContext {
  const { now, source } = resolveNow(evidence);
  return source === undefined ? { evidence, now } : { evidence, now, nowSource: source };
}

function skipped(check: Check, summary: string, fix: readonly string[]): Finding {
  return { checkId: check.id, status: 'skipped', cause: null, confidence: 'certain', summary, evidence: [], fix };
}

function skipForMissingField(check: Check, evidence: Evidence, field: EvidenceField): Finding {
  const reason = evidence.gatherErrors?.[field];
  const state = reason === undefined ? 'was not gathered' : `could not be gathered: ${reason}`;
  return skipped(check, `Could not run: evidence field "${field}" ${state}.`, [
    `Add "${field}" to the evidence: ${describeEvidenceSource(field)}.`,
  ]);
}

function skipForMissingAlternatives(check: Check, fields: readonly EvidenceField[]): Finding {
  const names = fields.map((field) => `"${field}"`).join(', ');
  return skipped(check, `Could not run: none of the evidence fields ${names} was gathered.`, fields.map((field) => `Add "${field}" to the evidence: ${describeEvidenceSource(field)}.`));
}

function findMissingField(check: Check, evidence: Evidence): EvidenceField | undefined {
  return check.requires.find((field) => evidence[field] === undefined);
}

function lacksAllAlternatives(check: Check, evidence: Evidence): boolean {
  const alternatives = check.requiresAnyOf ?? [];
  return alternatives.length > 0 && alternatives.every((field) => evidence[field] === undefined);
}

function findFailedDependency(check: Check, results: ReadonlyMap<string, readonly Finding[]>): string | undefined {
  return check.dependsOn?.find((id) => results.get(id)?.some((finding) => finding.status === 'fail'));
}

/**
 * Orders checks so each runs after the checks it depends on, keeping the given order
 * otherwise. A dependency on an id not in `checks` is ignored.
 */
export function orderByDependencies(checks: readonly Check[]): readonly Check[] {
  const byId = new Map(checks.map((check) => [check.id, check]));
  const ordered: Check[] = [];
  const visiting = new Set<string>();
  const done = new Set<string>();

  const visit = (check: Check): void => {
    if (done.has(check.id) || visiting.has(check.id)) {
      return;
    }
    visiting.add(check.id);
    for (const id of check.dependsOn ?? []) {
      const dependency = byId.get(id);
      if (dependency !== undefined) {
        visit(dependency);
      }
    }
    visiting.delete(check.id);
    done.add(check.id);
    ordered.push(check);
  };

  checks.forEach(visit);
  return ordered;
}

/** Runs `checks`, each after its dependencies, and returns every finding in run order. */
export function runChecks(evidence: Evidence, checks: readonly Check[]): readonly Finding[] {
  const context = createCheckContext(evidence);
  const results = new Map<string, readonly Finding[]>();

  for (const check of orderByDependencies(checks)) {
    const missing = findMissingField(check, evidence);
    const failedDependency = findFailedDependency(check, results);
    let findings: readonly Finding[];
    if (missing !== undefined) {
      findings = [skipForMissingField(check, evidence, missing)];
    } else if (lacksAllAlternatives(check, evidence)) {
      findings = [skipForMissingAlternatives(check, check.requiresAnyOf ?? [])];
    } else if (failedDependency !== undefined) {
      findings = [skipped(check, `Skipped because check "${failedDependency}" failed.`, [])];
    } else {
      findings = check.run(context);
    }
    results.set(check.id, findings);
  }

  return [...results.values()].flat();
}
