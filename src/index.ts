/**
 * spiffe-doctor's library API: the SPIFFE ID rules and SPIRE's behaviour that the
 * CLI's checks use, for programs that need the same results.
 */
export {
  findSpiffeId,
  formatSpiffeId,
  isMemberOf,
  isPathSegmentChar,
  isTrustDomainChar,
  isTrustDomainId,
  parseSpiffeId,
  sameSpiffeId,
  spiffeIdToJson,
  trustDomainId,
  validateSpiffeIdPath,
  type SpiffeId,
} from './spiffe/id.js';
export { findTrustDomain, parseTrustDomain } from './spiffe/trust-domain.js';
export { isSpiffeIdError, SPIFFE_ID_RULES, SpiffeIdError, type SpiffeIdRule } from './spiffe/errors.js';
export {
  BundleError,
  isBundleError,
  parseSpiffeBundle,
  type IgnoredKey,
  type JwtAuthority,
  type SpiffeBundle,
} from './spiffe/bundle.js';
export {
  parsePemCertificates,
  readCertificateFacts,
  validateX509SvidLeaf,
  verifyX509Svid,
  type CertificateFacts,
  type VerifyX509SvidOptions,
  type X509SvidProblem,
  type X509SvidProblemCode,
  type X509SvidVerification,
} from './spiffe/x509-svid.js';

export type { AgentJson, EntryJson, SelectorJson, SpiffeIdJson } from './spire/types.js';
export {
  EntryFilterError,
  EntryShapeError,
  isEntryFilterError,
  isEntryShapeError,
  isSelectorError,
  isSpireDataError,
  SelectorError,
  SpireDataError,
} from './spire/errors.js';
export {
  formatSelector,
  intersectSelectors,
  isSubset,
  parseSelector,
  parseSelectors,
  sameSelectorSet,
  selectorKey,
  selectorSet,
  sortSelectors,
} from './spire/selectors.js';
export {
  agentExpiresAt,
  agentSelectors,
  agentSpiffeId,
  entryCreatedAt,
  entryExpiresAt,
  entryParentId,
  entrySelectors,
  entrySpiffeId,
  isEntryExpired,
  isNodeAlias,
  readAgents,
  readEntries,
  SERVER_ID_PATH,
} from './spire/entries.js';
export {
  AGENT_ID_PATH_PREFIX,
  findAgentIdParts,
  isAgentIdPath,
  isServerIdPath,
  joinTokenAgentId,
  k8sPsatAgentId,
  serverSpiffeId,
  type AgentIdParts,
} from './spire/agent-ids.js';
export {
  agentAliases,
  authorizedEntries,
  createAuthorizationExplainer,
  explainAuthorization,
  type AgentIdentity,
  type AuthorizationExplanation,
  type AuthorizationPath,
} from './spire/authorization.js';
export {
  compareSelectors,
  dropDuplicateHints,
  entriesForWorkload,
  rankCandidateEntries,
  selectorKind,
  type CandidateEntry,
  type MissingSelector,
  type SelectorComparison,
} from './spire/workload-matching.js';
export {
  filterAgents,
  filterEntries,
  MATCH_BEHAVIORS,
  type AgentFilter,
  type EntryFilter,
  type MatchBehavior,
} from './spire/entry-filter.js';
export {
  attestK8sWorkload,
  containerIdHost,
  DEFAULT_MAX_POLL_ATTEMPTS,
  findWorkloadContainer,
  k8sWorkloadSelectors,
  readKubeletPodList,
  type K8sAttestationFailure,
  type K8sAttestationInput,
  type K8sAttestationResult,
  type K8sAttestorConfig,
  type K8sSelectorOptions,
} from './spire/k8s-attestor.js';
export {
  locateContainer,
  parseCgroupContainerInfo,
  parseCgroupContainerInfoLegacy,
  parseCgroupFile,
  parseCgroupPathsLegacy,
  parseLegacyCgroupPath,
  parseMountInfoContainerInfo,
  type CgroupLine,
  type ContainerInfo,
  type ContainerInfoResult,
} from './spire/k8s-cgroup.js';
export {
  attestK8sPsatAgent,
  k8sPsatNodeSelectors,
  type K8sPsatAttestationInput,
  type K8sPsatAttestationResult,
  type K8sPsatClusterConfig,
} from './spire/k8s-psat.js';
export {
  isUnixAttestationError,
  UnixAttestationError,
  unixWorkloadSelectors,
  type UnixAttestorOptions,
  type UnixProcessFacts,
} from './spire/unix-attestor.js';

export * from './spire/hcl.js';
export { formatHcl } from './spire/hcl-format.js';
export * from './spire/config.js';
export * from './spire/logs.js';
export * from './spire/controller-manager.js';
export { renderGoTemplate, GoTemplateError, isGoTemplateError, type GoTemplateData } from './spire/go-template.js';
export * from './spire/version.js';

export { diagnose, exitCodeFor, type DiagnoseOptions } from './diagnosis/diagnose.js';
export { CAUSES, type Cause } from './diagnosis/causes.js';
export type { Diagnosis, DiagnosisFinding, FleetDiagnosis, RootCause, Verdict } from './diagnosis/types.js';
export type { Evidence } from './evidence/types.js';
