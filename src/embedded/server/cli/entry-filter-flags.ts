/**
 * The filter flags of `entry show` and `entry count` (SPIRE 1.15): selectors and
 * federated trust domains with a match mode, hint and the downstream switch, which
 * the CLI always sends.
 */
import { Flags } from '@oclif/core';

import { UserError } from '../../../errors.js';
import { parseSelector } from '../../../spire/selectors.js';
import type { SpiffeIdJson } from '../../../spire/types.js';

const MATCH_MODES: Readonly<Record<string, string>> = {
  exact: 'MATCH_EXACT',
  subset: 'MATCH_SUBSET',
  superset: 'MATCH_SUPERSET',
  any: 'MATCH_ANY',
};

/** Creates a `-matchSelectorsOn`-style flag whose default is superset, as in SPIRE. */
export function matchFlag(what: string) {
  return Flags.string({ description: `The match mode used when filtering by ${what} (exact, subset, superset, any).`, default: 'superset' });
}

function readMatch(value: string): string {
  const mode = MATCH_MODES[value];
  if (mode === undefined) {
    throw new UserError(`match behavior "${value}" unknown`, { suggestions: ['Use exact, subset, superset or any.'] });
  }
  return mode;
}

export interface EntryFilterFlagValues {
  spiffeId?: SpiffeIdJson;
  parentId?: SpiffeIdJson;
  selector?: string[];
  matchSelectorsOn: string;
  federatesWith?: string[];
  matchFederatesWithOn: string;
  hint?: string;
  downstream: boolean;
}

/** Builds the ListEntries/CountEntries filter message from the flags. */
export function buildEntryFilter(flags: EntryFilterFlagValues): Record<string, unknown> {
  const filter: Record<string, unknown> = { by_downstream: { value: flags.downstream } };
  if (flags.spiffeId !== undefined) filter.by_spiffe_id = flags.spiffeId;
  if (flags.parentId !== undefined) filter.by_parent_id = flags.parentId;
  if (flags.hint !== undefined) filter.by_hint = { value: flags.hint };
  if (flags.selector !== undefined && flags.selector.length > 0) {
    const selectors = flags.selector.map((text) => {
      try {
        return parseSelector(text);
      } catch (error) {
        throw new UserError((error as Error).message, { suggestions: ['Write each selector as type:value.'] });
      }
    });
    filter.by_selectors = { selectors, match: readMatch(flags.matchSelectorsOn) };
  }
  if (flags.federatesWith !== undefined && flags.federatesWith.length > 0) {
    filter.by_federates_with = { trust_domains: flags.federatesWith, match: readMatch(flags.matchFederatesWithOn) };
  }
  return filter;
}
