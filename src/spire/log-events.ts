/**
 * Classified SPIRE log events: one `kind` per known SPIRE agent or server message.
 * Each event keeps its record and, when the line has an `error` field, the facts read
 * from that text. Message texts are from SPIRE 1.16.0-dev (ef8527ec9); comments name
 * the versions of messages that older releases print.
 */
import type { KubeletFailure, LoggedErrorProblem, LoggedGrpcStatus } from './log-error-text.js';
import type { SpireLogRecord } from './log-line.js';

/** Fields every event carries. */
export interface SpireLogEventBase {
  readonly record: SpireLogRecord;
  /** The `error` field, when logged. */
  readonly error?: string;
  /** The root problem named by the error text (or by the message when there is no error). */
  readonly problem?: LoggedErrorProblem;
  /** The innermost gRPC status in the error text. */
  readonly grpcStatus?: LoggedGrpcStatus;
}

/** Workload API call that got PermissionDenied `no identity issued` ("No identity issued"). */
export interface NoIdentityIssuedEvent extends SpireLogEventBase {
  readonly kind: 'no-identity-issued';
  readonly pid?: string;
  /** `FetchX509SVID`, `FetchJWTSVID`, `FetchX509Bundles` or `FetchJWTBundles`. */
  readonly method?: string;
  /**
   * Selectors when the line logs them: all of them in SPIRE 1.13.0 to 1.14.2, none in
   * 1.14.3 to 1.15.1, and only those matching `log_selectors` from 1.15.2 on.
   */
  readonly selectors?: readonly string[];
}

/** "PID attested to have selectors" (debug level): the full selector set of a workload process. */
export interface PidAttestedEvent extends SpireLogEventBase {
  readonly kind: 'pid-attested';
  readonly pid?: string;
  /** `type:value` selectors; undefined when the field could not be read. */
  readonly selectors?: readonly string[];
}

/** "Container id not found; will retry after backoff" (debug) or "…; giving up" (warning). */
export interface ContainerNotFoundEvent extends SpireLogEventBase {
  readonly kind: 'container-not-found';
  readonly givingUp: boolean;
  readonly podUid?: string;
  readonly containerId?: string;
  readonly attempt?: number;
}

/** "Unable to get pod list; will retry after backoff" or "…; giving up": kubelet requests failing. */
export interface PodListFailedEvent extends SpireLogEventBase {
  readonly kind: 'pod-list-failed';
  readonly givingUp: boolean;
  readonly kubelet?: KubeletFailure;
}

/**
 * A workload attestor plugin failed: `workload attestor "<name>" failed` (SPIRE 1.15.2 on),
 * or "Failed to collect all selectors" / "Failed to collect all selectors for PID"
 * (SPIRE 1.15.1 and earlier, and 1.15.2 on when another plugin succeeded).
 */
export interface WorkloadAttestorFailedEvent extends SpireLogEventBase {
  readonly kind: 'workload-attestor-failed';
  /** True for the "Failed to collect all selectors" forms: attestation went on with fewer selectors. */
  readonly partial: boolean;
  readonly attestor?: string;
  readonly pid?: string;
  readonly kubelet?: KubeletFailure;
}

/** "Timed out collecting selectors": the caller's context ended before attestation finished. */
export interface SelectorCollectionTimedOutEvent extends SpireLogEventBase {
  readonly kind: 'selector-collection-timed-out';
  readonly pid?: string;
}

/** "Workload attestation failed": the workload got an error instead of "no identity issued". */
export interface WorkloadAttestationFailedEvent extends SpireLogEventBase {
  readonly kind: 'workload-attestation-failed';
  readonly pid?: string;
  readonly method?: string;
  readonly durationMs?: number;
}

/** "Synchronize failed": the agent could not fetch its entries from the server. */
export interface SyncFailedEvent extends SpireLogEventBase {
  readonly kind: 'sync-failed';
  /** True for "Synchronize failed, non-recoverable error". */
  readonly nonRecoverable: boolean;
}

/** "Agent crashed": the agent process is exiting. */
export interface AgentCrashedEvent extends SpireLogEventBase {
  readonly kind: 'agent-crashed';
  /** True when the error shows the crash happened while attesting to the server. */
  readonly duringNodeAttestation: boolean;
}

/** Agent node attestation progress and outcome, and server-side attestation rejections. */
export interface NodeAttestationEvent extends SpireLogEventBase {
  readonly kind: 'node-attestation-started' | 'node-attestation-succeeded' | 'node-attestation-failed';
  /** The agent's SPIFFE ID, on success. */
  readonly spiffeId?: string;
}

/** Agent cache changes: "Entry created", "Entry updated", "Entry removed" (debug level). */
export interface EntryEvent extends SpireLogEventBase {
  readonly kind: 'entry-created' | 'entry-updated' | 'entry-removed';
  readonly entryId?: string;
  readonly spiffeId?: string;
  readonly selectorsAdded?: number;
  readonly selectorsRemoved?: number;
}

/** "Creating X509-SVID" and "Renewing X509-SVID": the agent requests a workload SVID. */
export interface SvidMintEvent extends SpireLogEventBase {
  readonly kind: 'x509-svid-creating' | 'x509-svid-renewing';
  readonly entryId?: string;
  readonly spiffeId?: string;
}

/** "Fetched X.509 SVID" and "Fetched JWT SVID" (debug): a workload received an SVID. */
export interface SvidFetchedEvent extends SpireLogEventBase {
  readonly kind: 'x509-svid-fetched' | 'jwt-svid-fetched';
  readonly pid?: string;
  readonly spiffeId?: string;
  readonly ttlSeconds?: number;
  readonly count?: number;
}

/** Agent SVID rotation: "Could not rotate agent SVID" / "Could not reattest agent", or success. */
export interface AgentSvidRotationEvent extends SpireLogEventBase {
  readonly kind: 'agent-svid-rotation-failed' | 'agent-svid-rotated';
  /** True when the agent re-attests instead of renewing (reattestable node attestors). */
  readonly reattest: boolean;
}

/** Workload SVID problems: "SVID sync failed" (X509-SVID minting for cached entries) and "Could not fetch JWT-SVID". */
export interface WorkloadSvidFailedEvent extends SpireLogEventBase {
  readonly kind: 'x509-svid-sync-failed' | 'jwt-svid-mint-failed';
  readonly pid?: string;
}

/** "Waiting for SVID to get cached": entries match but their SVIDs are not minted yet, so the workload waits. */
export interface WaitingForSvidEvent extends SpireLogEventBase {
  readonly kind: 'waiting-for-svid';
  readonly selectors?: readonly string[];
}

/** The agent attests again without restarting ("Agent needs to re-attest; will attempt to re-attest", "Reattesting node"). */
export interface AgentReattestingEvent extends SpireLogEventBase {
  readonly kind: 'agent-reattesting';
}

/** The agent removes its SVID and stops: banned, asked to re-attest, or failed to re-attest. */
export interface AgentShutdownEvent extends SpireLogEventBase {
  readonly kind: 'agent-shutting-down';
  readonly reason: 'banned' | 'reattest-required' | 'reattest-failed';
}

/** "Trust Bundle and Server don't agree, …": the agent's bootstrap bundle does not verify the server. */
export interface TrustBundleMismatchEvent extends SpireLogEventBase {
  readonly kind: 'trust-bundle-mismatch';
}

/** Federation: missing federated bundle on the agent, bundle endpoint polling on the server. */
export interface FederationEvent extends SpireLogEventBase {
  readonly kind: 'federated-bundle-missing' | 'federated-bundle-update-failed' | 'federated-bundle-refreshed';
  readonly trustDomain?: string;
  readonly entryId?: string;
  readonly spiffeId?: string;
}

/** "Failed to validate JWT" on the Workload API. */
export interface JwtValidationFailedEvent extends SpireLogEventBase {
  readonly kind: 'jwt-validation-failed';
  readonly pid?: string;
  readonly audience?: string;
}

/** A line whose error text shows certificate verification failed, and no other kind fits. */
export interface CertificateVerificationFailedEvent extends SpireLogEventBase {
  readonly kind: 'certificate-verification-failed';
}

/** A server line whose error comes from the SQL datastore. */
export interface DatastoreErrorEvent extends SpireLogEventBase {
  readonly kind: 'datastore-error';
  /** The line's message: what the server was doing. */
  readonly operation: string;
  readonly readOnly: boolean;
}

/** Server CA manager lines ("X509 CA prepared", "X509 CA activated", "JWT key activated", …). */
export interface ServerCaEvent extends SpireLogEventBase {
  readonly kind: 'server-ca';
  readonly action: ServerCaAction;
}

export type ServerCaAction =
  | 'x509-ca-prepared'
  | 'x509-ca-activated'
  | 'jwt-key-prepared'
  | 'jwt-key-activated'
  | 'x509-authority-tainted'
  | 'x509-authority-revoked'
  | 'ca-error';

/** "Starting agent", with the version from SPIRE's `version` field. */
export interface AgentStartedEvent extends SpireLogEventBase {
  readonly kind: 'agent-started';
  readonly version?: string;
  readonly dataDir?: string;
}

/** An API starts listening: the agent's Workload API or the server's APIs. */
export interface ApiListeningEvent extends SpireLogEventBase {
  readonly kind: 'api-listening';
  readonly api: 'workload' | 'server';
  /** Socket path or `host:port`. */
  readonly address?: string;
  /** `unix` or `tcp`. */
  readonly network?: string;
}

/** "Plugin loaded". */
export interface PluginLoadedEvent extends SpireLogEventBase {
  readonly kind: 'plugin-loaded';
  readonly pluginType?: string;
  readonly pluginName?: string;
  readonly external?: boolean;
}

/** "Bundle loaded" (agent bootstrap bundle read from disk or data dir). */
export interface BundleLoadedEvent extends SpireLogEventBase {
  readonly kind: 'bundle-loaded';
  readonly trustDomainId?: string;
}

/** Any other line. */
export interface OtherEvent extends SpireLogEventBase {
  readonly kind: 'other';
}

export type SpireLogEvent =
  | NoIdentityIssuedEvent
  | PidAttestedEvent
  | ContainerNotFoundEvent
  | PodListFailedEvent
  | WorkloadAttestorFailedEvent
  | SelectorCollectionTimedOutEvent
  | WorkloadAttestationFailedEvent
  | SyncFailedEvent
  | AgentCrashedEvent
  | NodeAttestationEvent
  | EntryEvent
  | SvidMintEvent
  | SvidFetchedEvent
  | AgentSvidRotationEvent
  | WorkloadSvidFailedEvent
  | WaitingForSvidEvent
  | AgentReattestingEvent
  | AgentShutdownEvent
  | TrustBundleMismatchEvent
  | FederationEvent
  | JwtValidationFailedEvent
  | CertificateVerificationFailedEvent
  | DatastoreErrorEvent
  | ServerCaEvent
  | AgentStartedEvent
  | ApiListeningEvent
  | PluginLoadedEvent
  | BundleLoadedEvent
  | OtherEvent;

export type SpireLogEventKind = SpireLogEvent['kind'];
