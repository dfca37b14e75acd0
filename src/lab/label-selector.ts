/**
 * Kubernetes label selectors as the API server parses `labelSelector` (apimachinery
 * `pkg/labels` in Kubernetes 1.30): requirements joined by commas (AND), with the
 * operators `=`, `==`, `!=`, `in`, `notin`, exists (`key`), not exists (`!key`), `>` and `<`.
 * `!=` and `notin` also match objects that lack the key.
 */
import { ApiStatusError, badRequest } from './api-status.js';

type Operator = 'equals' | 'notEquals' | 'in' | 'notIn' | 'exists' | 'doesNotExist' | 'greaterThan' | 'lessThan';

/** One parsed requirement of a label selector. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/**
 * Parses a label selector. An empty string selects everything.
 * @throws ApiStatusError 400 BadRequest naming the selector when it is malformed.
 */
export function parseLabelSelector(text: string): LabelRequirement[] {
  return splitTopLevel(text).map((part) => parseRequirement(part.trim(), text));
}

/** Reports whether `labels` satisfy every requirement. */
export function matchesLabels(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>> | undefined): boolean {
  return requirements.every((requirement) => matchesRequirement(requirement, labels ?? {}));
}

function matchesRequirement(requirement: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'equals':
    case 'in':
      return present && requirement.values.includes(value ?? '');
    case 'notEquals':
    case 'notIn':
      return !present || !requirement.values.includes(value ?? '');
    case 'exists':
      return present;
    case 'doesNotExist':
      return !present;
    case 'greaterThan':
    case 'lessThan':
      return present && compareInteger(value ?? '', requirement);
  }
}

function compareInteger(value: string, requirement: LabelRequirement): boolean {
  if (!/^-?\d+$/.test(value)) return false;
  const limit = Number(requirement.values[0]);
  return requirement.operator === 'greaterThan' ? Number(value) > limit : Number(value) < limit;
}

/** Splits at commas that are not inside `( )`, dropping empty parts only for an empty selector. */
function splitTopLevel(text: string): string[] {
  if (text.trim() === '') return [];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function parseRequirement(part: string, selector: string): LabelRequirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
  if (setMatch) {
    const values = (setMatch[3] ?? '').split(',').map((value) => value.trim());
    return checked({ key: setMatch[1] ?? '', operator: setMatch[2] === 'in' ? 'in' : 'notIn', values }, selector);
  }
  const binaryMatch = /^([^=!<>]+?)\s*(==|=|!=|>|<)\s*(.*)$/.exec(part);
  if (binaryMatch) {
    const operators: Record<string, Operator> = { '=': 'equals', '==': 'equals', '!=': 'notEquals', '>': 'greaterThan', '<': 'lessThan' };
    const operator = operators[binaryMatch[2] ?? ''] ?? 'equals';
    return checked({ key: (binaryMatch[1] ?? '').trim(), operator, values: [(binaryMatch[3] ?? '').trim()] }, selector);
  }
  if (part.startsWith('!')) return checked({ key: part.slice(1).trim(), operator: 'doesNotExist', values: [] }, selector);
  return checked({ key: part, operator: 'exists', values: [] }, selector);
}

function checked(requirement: LabelRequirement, selector: string): LabelRequirement {
  if (!KEY.test(requirement.key)) throw invalidSelector(selector, `invalid label key "${requirement.key}"`);
  const numeric = requirement.operator === 'greaterThan' || requirement.operator === 'lessThan';
  for (const value of requirement.values) {
    if (numeric && !/^-?\d+$/.test(value)) throw invalidSelector(selector, `for 'Gt', 'Lt' operators, the value must be an integer`);
    if (!numeric && (!VALUE.test(value) || value.length > 63)) throw invalidSelector(selector, `invalid label value: "${value}"`);
  }
  return requirement;
}

function invalidSelector(selector: string, problem: string): ApiStatusError {
  return badRequest(`unable to parse requirement: ${problem} in label selector "${selector}"`);
}
