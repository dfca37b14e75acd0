/**
 * Kubernetes `metav1.LabelSelector` objects (`matchLabels` and `matchExpressions`), as
 * ClusterSPIFFEID `namespaceSelector` and `podSelector` carry them. Matching follows
 * apimachinery's `LabelSelectorAsSelector`: every requirement must hold, `NotIn` and
 * `DoesNotExist` also match objects without the key, and an empty selector matches
 * everything.
 */

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator | string;
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** One requirement that the labels do not meet. */
export interface LabelMismatch {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  /** Values the requirement names (the single value for a `matchLabels` entry). */
  readonly values: readonly string[];
  /** The object's value for the key; undefined when the label is missing. */
  readonly actual?: string;
}

const OPERATORS = new Set<string>(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/**
 * Reports whether `labels` satisfy `selector`. An undefined or null selector matches
 * everything, as the SPIRE Controller Manager treats an absent selector.
 *
 * @throws RangeError when the selector is invalid (see {@link validateLabelSelector}).
 */
export function labelSelectorMatches(selector: LabelSelector | null | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  return findLabelMismatches(selector, labels).length === 0;
}

/**
 * Lists the requirements of `selector` that `labels` fail, in selector order
 * (`matchLabels` first). Returns an empty list when the labels match.
 *
 * @throws RangeError when the selector is invalid.
 */
export function findLabelMismatches(selector: LabelSelector | null | undefined, labels: Readonly<Record<string, string>> | undefined): LabelMismatch[] {
  if (selector === null || selector === undefined) return [];
  const problems = validateLabelSelector(selector);
  if (problems.length > 0) throw new RangeError(`invalid label selector: ${problems.join('; ')}`);

  const present = labels ?? {};
  const mismatches: LabelMismatch[] = [];
  for (const requirement of toRequirements(selector)) {
    if (!meetsRequirement(requirement, present)) mismatches.push({ ...requirement, ...actualValue(present, requirement.key) });
  }
  return mismatches;
}

/**
 * Lists what makes a selector invalid, in the words apimachinery uses: an unknown
 * operator, `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values.
 * Returns an empty list for a valid selector.
 */
export function validateLabelSelector(selector: LabelSelector): string[] {
  const problems: string[] = [];
  for (const expression of selector.matchExpressions ?? []) {
    const count = expression.values?.length ?? 0;
    if (!OPERATORS.has(expression.operator)) {
      problems.push(`"${expression.operator}" is not a valid label selector operator (key "${expression.key}")`);
    } else if ((expression.operator === 'In' || expression.operator === 'NotIn') && count === 0) {
      problems.push(`values: must be specified when operator is ${expression.operator} (key "${expression.key}")`);
    } else if ((expression.operator === 'Exists' || expression.operator === 'DoesNotExist') && count > 0) {
      problems.push(`values: may not be specified when operator is ${expression.operator} (key "${expression.key}")`);
    }
  }
  return problems;
}

/** Formats a selector the way `kubectl` writes one (`app=web,tier in (a,b),!legacy`). */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  if (selector === null || selector === undefined) return '';
  return toRequirements(selector).map(formatRequirement).join(',');
}

interface Requirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  readonly values: readonly string[];
}

function toRequirements(selector: LabelSelector): Requirement[] {
  const fromLabels = Object.entries(selector.matchLabels ?? {}).map(([key, value]): Requirement => ({ key, operator: 'In', values: [value] }));
  const fromExpressions = (selector.matchExpressions ?? []).map(
    (expression): Requirement => ({ key: expression.key, operator: expression.operator as LabelSelectorOperator, values: expression.values ?? [] }),
  );
  return [...fromLabels, ...fromExpressions];
}

function meetsRequirement(requirement: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key] ?? '';
  switch (requirement.operator) {
    case 'In':
      return has && requirement.values.includes(value);
    case 'NotIn':
      return !has || !requirement.values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

function actualValue(labels: Readonly<Record<string, string>>, key: string): { actual?: string } {
  return Object.hasOwn(labels, key) ? { actual: labels[key] ?? '' } : {};
}

function formatRequirement(requirement: Requirement): string {
  switch (requirement.operator) {
    case 'In':
      return requirement.values.length === 1 ? `${requirement.key}=${requirement.values[0]}` : `${requirement.key} in (${requirement.values.join(',')})`;
    case 'NotIn':
      return `${requirement.key} notin (${requirement.values.join(',')})`;
    case 'Exists':
      return requirement.key;
    case 'DoesNotExist':
      return `!${requirement.key}`;
  }
}
