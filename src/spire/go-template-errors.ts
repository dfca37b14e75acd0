/**
 * Errors raised while evaluating Go text/template text (ClusterSPIFFEID templates).
 */
import { UserError } from '../errors.js';

/**
 * A template that is invalid, fails to execute as Go's text/template would, or uses
 * syntax this evaluator does not implement (`unsupported` is then true).
 */
export class GoTemplateError extends UserError {
  override readonly name: string = 'GoTemplateError';
  readonly template: string;
  readonly unsupported: boolean;

  constructor(template: string, problem: string, options: { unsupported?: boolean; cause?: unknown } = {}) {
    super(`could not render template ${JSON.stringify(template)}: ${problem}`, {
      cause: options.cause,
      suggestions: options.unsupported
        ? ['spiffe-doctor evaluates field paths, string literals and index; check this template with the SPIRE Controller Manager itself.']
        : ['Fix the template in the ClusterSPIFFEID spec.'],
    });
    this.template = template;
    this.unsupported = options.unsupported ?? false;
  }
}

export function isGoTemplateError(value: unknown): value is GoTemplateError {
  return value instanceof GoTemplateError;
}
