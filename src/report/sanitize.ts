/**
 * Makes untrusted text safe to print. Labels, names, log lines and command output come
 * from the cluster or from a file, so they may carry terminal escape sequences that
 * would recolour, move the cursor or rewrite the screen.
 */

// CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), other two-byte ESC sequences,
// and the 8-bit C1 forms of CSI and OSC.
const ESCAPE_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]|\u009d[^\u0007]*\u0007?/g;

// Remaining C0 and C1 controls except tab and newline.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Returns `text` without terminal escape sequences and control characters; tabs and newlines stay. */
export function stripControlSequences(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL_CHARACTER, '');
}

/** Like `stripControlSequences`, and also folds newlines, for text that must stay on one line. */
export function toSingleLine(text: string): string {
  return stripControlSequences(text).replace(/\s*\n\s*/g, ' ').trim();
}
