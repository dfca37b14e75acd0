/**
 * The pretty output of `spire-server agent list|show` in SPIRE 1.15, with labels
 * padded to 18 columns.
 */
import type { AgentMessage } from '../api/convert.js';
import { formatSpiffeId } from '../../../spiffe/id.js';

function line(label: string, value: string): string {
  return `${label.padEnd(18)}: ${value}\n`;
}

/** Formats Go's `time.Unix(…).String()` in the local zone, e.g. `2026-12-04 21:00:00 +0000 UTC`. */
export function formatGoLocalTime(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  const offsetMinutes = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString();
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const absolute = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}${String(absolute % 60).padStart(2, '0')}`;
  // NOTE: Go prints the zone abbreviation (CET, PST). Node has no portable way to get it, so the offset is printed instead unless the zone is UTC.
  const zone = offsetMinutes === 0 ? 'UTC' : offset;
  return `${local.slice(0, 10)} ${local.slice(11, 19)} ${offset} ${zone}`;
}

/** Formats one agent; `withSelectors` adds the `Selectors` lines `agent show` prints. */
export function formatAgent(agent: AgentMessage, withSelectors: boolean): string {
  let text = line('SPIFFE ID', formatSpiffeId(agent.id));
  text += line('Attestation type', agent.attestation_type);
  text += line('Expiration time', formatGoLocalTime(Number(agent.x509svid_expires_at)));
  text += agent.banned ? line('Banned', 'true') : line('Serial number', agent.x509svid_serial_number);
  text += line('Can re-attest', String(agent.can_reattest));
  if (agent.agent_version !== '') text += line('Agent version', agent.agent_version);
  if (withSelectors) {
    for (const selector of agent.selectors) text += line('Selectors', `${selector.type}:${selector.value}`);
  }
  return `${text}\n`;
}

/** Formats `agent list` pretty output for all agents. */
export function formatAgentList(agents: readonly AgentMessage[]): string {
  if (agents.length === 0) return 'No attested agents found\n';
  return `Found ${agents.length} attested ${agents.length === 1 ? 'agent' : 'agents'}:\n\n${agents.map((agent) => formatAgent(agent, false)).join('')}`;
}
