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

// go-jose's own text when a validator checks the claim without go-spiffe's wrapper.
const GO_JOSE_AUDIENCE_ERROR = /invalid audience claim/;

export const jwtAudienceMatchesCheck = {
  id: 'jwt-audience-matches',
  category: 'svid',
  title: 'JWT-SVIDs carry the audience their validator expects',
  severity: 'error',
  requires: [],
  requiresAnyOf: ['agentLogs', 'workloadFetch'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const isRejection = (text: string): boolean => AUDIENCE_ERROR.test(text) || GO_JOSE_AUDIENCE_ERROR.test(text);
    const lastLogged = (view.agentLog?.records ?? []).filter((record) => isRejection(record.fields.error ?? '')).at(-1);
    const fetchText = isRejection(view.fetch?.stderr ?? '') ? view.fetch?.stderr : undefined;
    const text = fetchText ?? lastLogged?.fields.error;
    if (text === undefined) {
      return [passed(this.id, 'No JWT-SVID was rejected for its audience.')];
    }

    const match = AUDIENCE_ERROR.exec(text);
    const detail = match === null ? 'the token does not carry the audience the validator checks' : `the validator expects an audience in ${match[1]} but the token carries ${match[2]}`;
    const audience = match?.[1]?.replace(/[[\]"]/g, '').split(' ')[0] || 'AUDIENCE';
    return [
      failed(this.id, {
        cause: 'jwt-audience-mismatch',
        confidence: 'certain',
        summary: `A JWT-SVID was rejected: ${detail}.`,
        evidence: [...(lastLogged === undefined ? [] : [lastLogged.raw]), ...(fetchText === undefined ? [] : [`fetch: ${fetchText}`])],
        fix: [`Request the JWT-SVID with the validator's audience (spire-agent api fetch jwt -audience ${audience}), or validate with the audience the client uses.`],
      }),
    ];
  },
} satisfies Check;
