/**
 * The markdown report, for pasting into a ticket: the same content as the terminal
 * report, with every finding and its evidence, in GitHub-flavoured markdown.
 */
import type { Diagnosis, DiagnosisFinding } from '../diagnosis/types.js';
import { stripControlSequences, toSingleLine } from './sanitize.js';

/** Renders a diagnosis as a markdown document. */
export function renderMarkdown(diagnosis: Diagnosis): string {
  const lines = [`# spiffe-doctor diagnosis: ${escapeMarkdown(describeTarget(diagnosis))}`, ''];
  lines.push(`- **Verdict:** \`${diagnosis.verdict}\``);
  if (diagnosis.rootCause) {
    lines.push(`- **Root cause:** \`${diagnosis.rootCause.cause}\` (check \`${diagnosis.rootCause.checkId}\`)`);
    lines.push('', escapeMarkdown(toSingleLine(diagnosis.rootCause.summary)));
    if (diagnosis.rootCause.fix.length > 0) lines.push('', '## Fix', '', fence(diagnosis.rootCause.fix.join('\n')));
  }

  lines.push('', '## Findings', '', '| status | check | cause | summary |', '| --- | --- | --- | --- |');
  for (const finding of diagnosis.findings) lines.push(renderFindingRow(finding));

  const detailed = diagnosis.findings.filter((finding) => finding.evidence.length > 0 && finding.status !== 'pass');
  if (detailed.length > 0) lines.push('', '## Evidence');
  for (const finding of detailed) lines.push('', `### ${finding.checkId}`, '', fence(finding.evidence.join('\n')));

  const errors = Object.entries(diagnosis.gatherErrors);
  if (errors.length > 0) {
    lines.push('', '## Not gathered', '');
    for (const [field, reason] of errors) lines.push(`- \`${field}\`: ${escapeMarkdown(toSingleLine(reason))}`);
  }
  lines.push('', `_${diagnosis.tool.name} ${diagnosis.tool.version}_`);
  return `${lines.join('\n')}\n`;
}

function describeTarget(diagnosis: Diagnosis): string {
  const { target } = diagnosis;
  if (target.pod) return `${target.namespace ?? '?'}/${target.pod}${target.node ? ` on ${target.node}` : ''}`;
  if (target.pid !== undefined) return `process ${target.pid}`;
  return 'workload';
}

function renderFindingRow(finding: DiagnosisFinding): string {
  const summary = finding.consequenceOf
    ? `${toSingleLine(finding.summary)} (follows from \`${finding.consequenceOf}\`)`
    : toSingleLine(finding.summary);
  const cells = [finding.status, `\`${finding.checkId}\``, finding.cause ? `\`${finding.cause}\`` : '', escapeTableCell(summary)];
  return `| ${cells.join(' | ')} |`;
}

function fence(text: string): string {
  const clean = stripControlSequences(text);
  const longestRun = Math.max(2, ...[...clean.matchAll(/`+/g)].map((match) => match[0].length));
  const marker = '`'.repeat(longestRun + 1);
  return `${marker}\n${clean}\n${marker}`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

function escapeTableCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;');
}
