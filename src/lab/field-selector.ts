/**
 * Kubernetes field selectors (apimachinery `pkg/fields` in Kubernetes 1.30): terms
 * joined by commas (AND), operators `=`, `==` and `!=`, and `\` escaping `\`, `,` and `=`
 * in values. Each resource accepts only its own selectable fields; anything else is a
 * 400 BadRequest, as on a real server.
 */
import { badRequest } from './api-status.js';

/** One parsed field selector term. */
export interface FieldRequirement {
  readonly field: string;
  readonly negated: boolean;
  readonly value: string;
}

/** Returns the value of each selectable field of one object. */
export type FieldValues = Readonly<Record<string, string>>;

/**
 * Parses a field selector and checks each field against `selectable`.
 * @throws ApiStatusError 400 BadRequest for a malformed term or an unknown field.
 */
export function parseFieldSelector(text: string, selectable: readonly string[]): FieldRequirement[] {
  if (text.trim() === '') return [];
  return splitUnescaped(text, ',').map((term) => {
    const requirement = parseTerm(term, text);
    if (!selectable.includes(requirement.field)) {
      throw badRequest(`"${requirement.field}" is not a known field selector: only "${selectable.join('", "')}"`);
    }
    return requirement;
  });
}

/** Reports whether an object's field values satisfy every requirement. */
export function matchesFields(requirements: readonly FieldRequirement[], values: FieldValues): boolean {
  return requirements.every((requirement) => (values[requirement.field] ?? '') === requirement.value !== requirement.negated);
}

function parseTerm(term: string, selector: string): FieldRequirement {
  const operator = findOperator(term);
  if (!operator) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
  const field = term.slice(0, operator.index).trim();
  const value = unescape(term.slice(operator.index + operator.text.length));
  return { field, negated: operator.text === '!=', value };
}

function findOperator(term: string): { index: number; text: string } | undefined {
  for (let index = 0; index < term.length; index++) {
    if (term[index] === '\\') return undefined;
    if (term.startsWith('!=', index)) return { index, text: '!=' };
    if (term.startsWith('==', index)) return { index, text: '==' };
    if (term[index] === '=') return { index, text: '=' };
  }
  return undefined;
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index] ?? '';
    if (char === '\\' && index + 1 < text.length) {
      current += char + (text[index + 1] ?? '');
      index++;
      continue;
    }
    if (char === separator) {
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts;
}

function unescape(value: string): string {
  return value.replace(/\\([\\,=])/g, '$1');
}
