/** Renders a diagnosis in the format the user chose with `--output`. */
import type { Diagnosis } from '../diagnosis/types.js';
import { renderMarkdown } from './markdown.js';
import { renderTerminal, type TerminalOptions } from './terminal.js';

export const OUTPUT_FORMATS = ['table', 'json', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Renders `diagnosis` as `format`; terminal options apply only to `table`. */
export function renderDiagnosis(diagnosis: Diagnosis, format: OutputFormat, terminal: TerminalOptions): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(diagnosis, null, 2)}\n`;
    case 'markdown':
      return renderMarkdown(diagnosis);
    case 'table':
      return renderTerminal(diagnosis, terminal);
  }
}

export { renderMarkdown } from './markdown.js';
export { renderTerminal, type TerminalOptions } from './terminal.js';
export { shouldUseColor } from './color.js';
export { stripControlSequences, toSingleLine } from './sanitize.js';
