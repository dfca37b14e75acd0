/**
 * JWT-SVIDs are requested and validated with the same audience. A validator rejects a
 * token whose `aud` lacks its own audience with "expected audience in [...]
 * (audience=[...])" (go-spiffe v2 `svid/jwtsvid`, used by the SPIRE agent's
 * ValidateJWTSVID).
 */
import { failed, passed } from '../support/finding-builders.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Check } from '../types.js';

const AUDIENCE_ERROR = /expected audience in (\[[^\]]*\]) \(audience=(\[[^\]]*\])\)/;

export const jwtAudienceMatchesCheck = {
  id: 'jwt-audience-matches',
  category: 'svid',
  title: 'JWT-SVIDs carry the audience their validator expects',
  severity: 'error',
  requires: [],
  requiresAnyOf: ['agentLogs', 'workloadFetch'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const logged = (view.agentLog?.records ?? []).filter((record) => AUDIENCE_ERROR.test(record.fields.error ?? ''));
    const fetchMatch = AUDIENCE_ERROR.exec(view.fetch?.stderr ?? '');
    const lastLogged = logged.at(-1);
    const match = fetchMatch ?? AUDIENCE_ERROR.exec(lastLogged?.fields.error ?? '');
    if (match === null) {
      return [passed(this.id, 'No JWT-SVID was rejected for its audience.')];
    }
    return [
      failed(this.id, {
        cause: 'jwt-audience-mismatch',
        confidence: 'certain',
        summary: `A JWT-SVID was rejected: the validator expects an audience in ${match[1]} but the token carries ${match[2]}.`,
        evidence: [...(lastLogged === undefined ? [] : [lastLogged.raw]), ...(fetchMatch === null ? [] : [`fetch: ${view.fetch?.stderr ?? ''}`])],
        fix: [`Request the JWT-SVID with the validator's audience (spire-agent api fetch jwt -audience ${match[1].replace(/[[\]"]/g, '').split(' ')[0] ?? 'AUDIENCE'}), or validate with the audience the client uses.`],
      }),
    ];
  },
} satisfies Check;
