/**
 * The terminal report: verdict and root cause first, then the fix, then every finding
 * in ranked order, then what could not be gathered. Plain text with no escape codes
 * unless colour is on.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { Diagnosis, DiagnosisFinding, FindingStatus, Verdict } from '../diagnosis/types.js';
import { createPalette } from './color.js';
import { stripControlSequences, toSingleLine } from './sanitize.js';

export interface TerminalOptions {
  readonly color: boolean;
  /** Terminal width in columns; the findings table wraps to fit. Default 100. */
  readonly width?: number;
  /** Show passing and skipped findings too. Default false: only problems are listed. */
  readonly verbose?: boolean;
}

const VERDICT_LABELS: Record<Verdict, string> = {
  'no-svid': 'NO SVID',
  'svid-problem': 'SVID PROBLEM',
  'svid-ok': 'SVID OK',
  unknown: 'UNKNOWN',
};

const STATUS_ORDER: readonly FindingStatus[] = ['fail', 'error', 'warn', 'skipped', 'pass'];

/** Renders a diagnosis as the terminal report. */
export function renderTerminal(diagnosis: Diagnosis, options: TerminalOptions): string {
  const palette = createPalette(options.color);
  const sections = [
    renderHeader(diagnosis, palette),
    renderRootCause(diagnosis, palette),
    renderFindings(diagnosis, palette, options),
    renderGatherErrors(diagnosis, palette),
  ];
  return `${sections.filter((section) => section !== '').join('\n\n')}\n`;
}

function describeTarget(diagnosis: Diagnosis): string {
  const { target } = diagnosis;
  if (target.pod) {
    const where = target.namespace ? `${target.namespace}/${target.pod}` : target.pod;
    return target.node ? `pod ${where} on node ${target.node}` : `pod ${where}`;
  }
  if (target.pid !== undefined) return `process ${target.pid}${target.uid !== undefined ? ` (uid ${target.uid})` : ''}`;
  return 'workload';
}

function paintVerdict(verdict: Verdict, palette: ChalkInstance): string {
  const label = VERDICT_LABELS[verdict];
  switch (verdict) {
    case 'svid-ok':
      return palette.bold.green(label);
    case 'no-svid':
      return palette.bold.red(label);
    case 'svid-problem':
      return palette.bold.yellow(label);
    case 'unknown':
      return palette.bold.magenta(label);
  }
}

function renderHeader(diagnosis: Diagnosis, palette: ChalkInstance): string {
  const target = toSingleLine(describeTarget(diagnosis));
  return `${palette.bold('spiffe-doctor')} diagnosis for ${target}\nVerdict: ${paintVerdict(diagnosis.verdict, palette)}`;
}

function renderRootCause(diagnosis: Diagnosis, palette: ChalkInstance): string {
  const root = diagnosis.rootCause;
  if (!root) return `${palette.green('The workload gets its SVID.')} No check found a problem.`;

  const lines = [
    `${palette.bold('Root cause:')} ${root.cause} ${palette.dim(`(check ${root.checkId})`)}`,
    indent(stripControlSequences(root.summary), 2),
  ];
  const finding = diagnosis.findings.find((candidate) => candidate.checkId === root.checkId);
  if (finding && finding.evidence.length > 0) {
    lines.push('', palette.bold('Evidence:'), ...finding.evidence.map((line) => `  - ${toSingleLine(line)}`));
  }
  if (root.fix.length > 0) {
    lines.push('', palette.bold('Fix:'), ...root.fix.map((step) => indent(stripControlSequences(step), 2)));
  }
  lines.push('', palette.dim(`More: spiffe-doctor explain ${root.checkId}`));
  return lines.join('\n');
}

function paintStatus(status: FindingStatus, palette: ChalkInstance): string {
  switch (status) {
    case 'fail':
      return palette.red('fail');
    case 'error':
      return palette.red('error');
    case 'warn':
      return palette.yellow('warn');
    case 'skipped':
      return palette.dim('skipped');
    case 'pass':
      return palette.green('pass');
  }
}

function selectFindings(diagnosis: Diagnosis, verbose: boolean): DiagnosisFinding[] {
  const shown = verbose
    ? [...diagnosis.findings]
    : diagnosis.findings.filter((finding) => finding.status === 'fail' || finding.status === 'warn' || finding.status === 'error');
  if (verbose) return shown;
  return shown.sort((left, right) => STATUS_ORDER.indexOf(left.status) - STATUS_ORDER.indexOf(right.status));
}

function renderFindings(diagnosis: Diagnosis, palette: ChalkInstance, options: TerminalOptions): string {
  const findings = selectFindings(diagnosis, options.verbose ?? false);
  const hidden = diagnosis.findings.length - findings.length;
  const footer = hidden > 0 ? palette.dim(`${hidden} more finding(s) passed or were skipped; use --verbose to list them.`) : '';
  if (findings.length === 0) return footer;

  const width = Math.max(60, options.width ?? 100);
  // Two fixed columns, four border characters and one spare column, so the table never wraps.
  const summaryWidth = width - 9 - 30 - 4 - 1;
  const table = new Table({
    head: ['status', 'check', 'summary'],
    colWidths: [9, 30, summaryWidth],
    wordWrap: true,
    style: { head: [], border: [], compact: true },
  });
  for (const finding of findings) {
    const summary = finding.consequenceOf
      ? `${toSingleLine(finding.summary)} (follows from ${finding.consequenceOf})`
      : toSingleLine(finding.summary);
    table.push([paintStatus(finding.status, palette), finding.checkId, summary]);
  }
  return [palette.bold('Findings:'), table.toString(), footer].filter((part) => part !== '').join('\n');
}

function renderGatherErrors(diagnosis: Diagnosis, palette: ChalkInstance): string {
  const entries = Object.entries(diagnosis.gatherErrors);
  if (entries.length === 0) return '';
  return [
    palette.bold('Not gathered:'),
    ...entries.map(([field, reason]) => `  - ${field}: ${toSingleLine(reason)}`),
  ].join('\n');
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => `${pad}${line}`)
    .join('\n');
}
