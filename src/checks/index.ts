/**
 * The registry of every check, alphabetised by id. A meta-test fails when a check
 * file is missing here or a listed check has no catalog entry. The runner orders
 * checks by their `dependsOn`, so the order here only fixes ties.
 */
import { agentAttestedCheck } from './agent/agent-attested.js';
import { agentHealthyCheck } from './agent/agent-healthy.js';
import { agentOnNodeCheck } from './agent/agent-on-node.js';
import { workloadAttestedCheck } from './attestation/workload-attested.js';
import { entryExistsCheck } from './registration/entry-exists.js';
import { entryNotExpiredCheck } from './registration/entry-not-expired.js';
import { entryParentAuthorizedCheck } from './registration/entry-parent-authorized.js';
import { entrySelectorsMatchCheck } from './registration/entry-selectors-match.js';
import { entrySyncedCheck } from './registration/entry-synced.js';
import { entryUniqueCheck } from './registration/entry-unique.js';
import { registrarSelectsPodCheck } from './registrar/registrar-selects-pod.js';
import { trustDomainConsistentCheck } from './registration/trust-domain-consistent.js';
import { serverAvailableCheck } from './server/server-available.js';
import { socketMountedCheck } from './socket/socket-mounted.js';
import { socketPathMatchesCheck } from './socket/socket-path-matches.js';
import { socketReachableCheck } from './socket/socket-reachable.js';
import { federatedBundlePresentCheck } from './svid/federated-bundle-present.js';
import { jwtAudienceMatchesCheck } from './svid/jwt-audience-matches.js';
import { servedCertificateValidCheck } from './svid/served-certificate-valid.js';
import { svidIdentityExpectedCheck } from './svid/svid-identity-expected.js';
import { svidValidNowCheck } from './svid/svid-valid-now.js';
import { workloadFetchSucceedsCheck } from './svid/workload-fetch-succeeds.js';
import type { Check } from './types.js';
import { podFoundCheck } from './workload/pod-found.js';
import { podRunningCheck } from './workload/pod-running.js';

/** Every check, alphabetised by id. */
export const CHECKS = [
  agentAttestedCheck,
  agentHealthyCheck,
  agentOnNodeCheck,
  entryExistsCheck,
  entryNotExpiredCheck,
  entryParentAuthorizedCheck,
  entrySelectorsMatchCheck,
  entrySyncedCheck,
  entryUniqueCheck,
  federatedBundlePresentCheck,
  jwtAudienceMatchesCheck,
  podFoundCheck,
  podRunningCheck,
  registrarSelectsPodCheck,
  servedCertificateValidCheck,
  serverAvailableCheck,
  socketMountedCheck,
  socketPathMatchesCheck,
  socketReachableCheck,
  svidIdentityExpectedCheck,
  svidValidNowCheck,
  trustDomainConsistentCheck,
  workloadAttestedCheck,
  workloadFetchSucceedsCheck,
] as const satisfies readonly Check[];

/** Returns the check with `id`, if there is one. */
export function findCheck(id: string): Check | undefined {
  return CHECKS.find((check) => check.id === id);
}
