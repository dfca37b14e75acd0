/**
 * The `-spiffeID` flag of `agent show|evict|ban`.
 */
import { Flags } from '@oclif/core';

import { UserError } from '../../../errors.js';
import type { SpiffeIdJson } from '../../../spire/types.js';
import { readIdFlag } from './entry-flags.js';

export const agentIdFlag = Flags.string({ description: 'The SPIFFE ID of the agent.' });

/** Reads the required agent SPIFFE ID flag. */
export function readAgentIdFlag(value: string | undefined): SpiffeIdJson {
  if (value === undefined || value === '') {
    throw new UserError('a SPIFFE ID is required', { suggestions: ['Pass -spiffeID spiffe://<trust domain>/spire/agent/<…> as agent list prints it.'] });
  }
  return readIdFlag('spiffeID', value);
}
