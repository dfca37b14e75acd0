import { Flags } from '@oclif/core';

import type { AgentMessage } from '../../../embedded/server/api/convert.js';
import { callUnary } from '../../../embedded/server/cli/admin-client.js';
import { formatAgentList } from '../../../embedded/server/cli/agent-output.js';
import { matchFlag } from '../../../embedded/server/cli/entry-filter-flags.js';
import { outputFlag, socketPathFlag, SpireServerCommand } from '../../../embedded/server/cli/spire-server-command.js';
import { formatSpireJson } from '../../../embedded/server/cli/spire-json.js';
import { UserError } from '../../../errors.js';
import { parseSelector } from '../../../spire/selectors.js';

/** SPIRE's CLI lists agents in pages of this size. */
const PAGE_SIZE = 1000;

const MATCH_MODES: Readonly<Record<string, string>> = { exact: 'MATCH_EXACT', subset: 'MATCH_SUBSET', superset: 'MATCH_SUPERSET', any: 'MATCH_ANY' };

function readBooleanFilter(name: string, value: string | undefined): { value: boolean } | undefined {
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') {
    throw new UserError(`invalid -${name} "${value}": expected true or false`, { suggestions: [`Pass -${name} true or -${name} false.`] });
  }
  return { value: value === 'true' };
}

/** `server agent list`: lists attested agents, like `spire-server agent list`. */
export class ServerAgentList extends SpireServerCommand {
  static override summary = 'List attested agents.';
  static override examples = ['<%= config.bin %> server agent list', '<%= config.bin %> server agent list -attestationType join_token'];

  static override flags = {
    selector: Flags.string({ description: 'A colon-delimited type:value selector. Can be used more than once.', multiple: true }),
    matchSelectorsOn: matchFlag('selectors'),
    attestationType: Flags.string({ description: 'Filter by attestation type, such as join_token.' }),
    canReattest: Flags.string({ description: 'Filter by whether agents can re-attest (true, false).' }),
    banned: Flags.string({ description: 'Filter by banned agents (true, false).' }),
    expiresBefore: Flags.string({ description: 'Filter by agents whose SVID expires before this time, in the form "2006-01-02 15:04:05 -0700 -07".' }),
    socketPath: socketPathFlag,
    output: outputFlag,
  };

  async run(): Promise<{ agents: AgentMessage[]; next_page_token: string }> {
    const { flags } = await this.parse(ServerAgentList);
    const filter: Record<string, unknown> = {
      by_attestation_type: flags.attestationType ?? '',
      by_expires_before: flags.expiresBefore ?? '',
    };
    const canReattest = readBooleanFilter('canReattest', flags.canReattest);
    if (canReattest) filter.by_can_reattest = canReattest;
    const banned = readBooleanFilter('banned', flags.banned);
    if (banned) filter.by_banned = banned;
    if (flags.selector !== undefined && flags.selector.length > 0) {
      const match = MATCH_MODES[flags.matchSelectorsOn];
      if (match === undefined) throw new UserError('unsupported match behavior', { suggestions: ['Use exact, subset, superset or any.'] });
      const selectors = flags.selector.map((text) => {
        try {
          return parseSelector(text);
        } catch (error) {
          throw new UserError((error as Error).message, { suggestions: ['Write each selector as type:value.'] });
        }
      });
      filter.by_selector_match = { selectors, match };
    }

    const agents = await this.withAdminClients(flags.socketPath, async (clients) => {
      const collected: AgentMessage[] = [];
      let pageToken = '';
      do {
        const page = await callUnary<{ agents: AgentMessage[]; next_page_token: string }>(clients.agent, 'ListAgents', { filter, page_size: PAGE_SIZE, page_token: pageToken });
        collected.push(...page.agents);
        pageToken = page.next_page_token;
      } while (pageToken !== '');
      return collected;
    });

    const result = { agents, next_page_token: '' };
    process.stdout.write(flags.output === 'json' ? formatSpireJson(result) : formatAgentList(agents));
    return result;
  }
}
