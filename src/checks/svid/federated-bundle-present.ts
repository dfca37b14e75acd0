/**
 * The workload has the bundles of the trust domains it federates with. Without a
 * federated trust domain's bundle the agent cannot validate JWT-SVIDs or X509-SVIDs
 * from there: it returns "no keys found for trust domain", warns "Federated bundle
 * contents missing", and the server logs why the bundle never arrived (SPIRE v1.15.3
 * `pkg/agent/manager/cache`, `pkg/server/bundle/client`).
 */
import { failed, passed } from '../support/finding-builders.js';
import { parseLogRecords, type LogRecord } from '../support/log-records.js';
import { viewWorkload } from '../support/workload-view.js';
import type { Check } from '../types.js';

const NO_KEYS = /no keys found for trust domain \\?"([^"\\]+)\\?"/;

function missingDomainOf(record: LogRecord): string | undefined {
  if (record.message === 'Federated bundle contents missing' || record.message === 'Federated bundle not found') {
    return record.fields.federated_bundle ?? record.fields.trust_domain ?? record.fields.trust_domain_id;
  }
  return NO_KEYS.exec(record.fields.error ?? '')?.[1];
}

function serverRefreshErrors(records: readonly LogRecord[], trustDomain: string): LogRecord[] {
  return records.filter((record) => record.fields.subsystem_name === 'bundle_client' && record.level === 'error' && (record.fields.trust_domain ?? '').includes(trustDomain));
}

export const federatedBundlePresentCheck = {
  id: 'federated-bundle-present',
  category: 'svid',
  title: 'Bundles of federated trust domains reach the workload',
  severity: 'error',
  requires: [],
  requiresAnyOf: ['agentLogs', 'workloadFetch'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const agentSigns = (view.agentLog?.records ?? []).flatMap((record) => {
      const trustDomain = missingDomainOf(record);
      return trustDomain === undefined ? [] : [{ trustDomain, line: record.raw }];
    });
    const fetchDomain = NO_KEYS.exec(view.fetch?.stderr ?? '')?.[1];
    const signs = [...agentSigns, ...(fetchDomain === undefined ? [] : [{ trustDomain: fetchDomain, line: `fetch: ${view.fetch?.stderr ?? ''}` }])];
    const trustDomain = signs[0]?.trustDomain;
    if (trustDomain === undefined) {
      return [passed(this.id, 'No sign of a missing federated bundle.')];
    }

    const serverErrors = serverRefreshErrors(parseLogRecords(evidence.serverLogs), trustDomain);
    const reason = serverErrors.at(-1)?.fields.error;
    return [
      failed(this.id, {
        cause: 'federation-bundle-missing',
        confidence: 'certain',
        summary: `The agent holds no bundle for federated trust domain ${trustDomain}, so SVIDs from there cannot be validated.${reason === undefined ? '' : ` The server cannot fetch it: ${reason}.`}`,
        evidence: [...signs.slice(-3).map((sign) => sign.line), ...serverErrors.slice(-1).map((record) => record.raw)],
        fix: [
          `Bootstrap the bundle once: on the ${trustDomain} server run spire-server bundle show -format spiffe > bundle.json, then here spire-server bundle set -format spiffe -id spiffe://${trustDomain} -path bundle.json (or set trustDomainBundle in a ClusterFederatedTrustDomain).`,
          `Confirm the server logs a successful refresh for ${trustDomain} and the agent stops warning.`,
        ],
      }),
    ];
  },
} satisfies Check;
