/**
 * Cleans text quoted from a pod, an entry or a log before it goes into a finding.
 * Anything the cluster carries is untrusted: a label or log line may hold terminal
 * escape sequences that recolour or rewrite the operator's screen.
 */

const ESC = '\u001b';

// CSI (ESC [ params final), OSC (ESC ] text BEL|ST), and any other ESC-prefixed pair.
const ESCAPE_SEQUENCES = new RegExp(
  `${ESC}\\[[0-?]*[ -/]*[@-~]|${ESC}\\][^\\u0007${ESC}]*(?:\\u0007|${ESC}\\\\)?|${ESC}[@-_]?|\\u009b[0-?]*[ -/]*[@-~]|\\u009d[^\\u0007]*\\u0007?`,
  'g',
);

// C0 and C1 control characters; newlines and tabs are folded to spaces separately.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Maximum length of one quoted evidence line; longer text is cut and marked with an ellipsis. */
export const MAX_QUOTE_LENGTH = 600;

/**
 * Returns `text` as one printable line: escape sequences and control characters
 * removed, newlines and tabs folded to single spaces, cut at `maxLength` characters.
 */
export function sanitizeText(text: string, maxLength = MAX_QUOTE_LENGTH): string {
  const printable = text.replace(ESCAPE_SEQUENCES, '').replace(/[\t\r\n]+/g, ' ').replace(CONTROLS, '');
  const trimmed = printable.trim();
  if (trimmed.length <= maxLength) {
    return trimmed;
  }

  return `${trimmed.slice(0, maxLength - 1)}…`;
}
