/**
 * Classification of parsed SPIRE log records into {@link SpireLogEvent}s. A record is
 * matched on its exact message first. Lines with no known message are then checked for
 * datastore errors, node attestation rejections and certificate verification errors.
 */
import { findErrorProblem, findFailedAttestor, findGrpcStatus, findKubeletFailure } from './log-error-text.js';
import type { ServerCaAction, SpireLogEvent, SpireLogEventBase } from './log-events.js';
import type { SpireLogRecord } from './log-line.js';
import { parseLoggedSelectors } from './log-selectors.js';

type EventBuilder = (record: SpireLogRecord, base: SpireLogEventBase) => SpireLogEvent;

const SERVER_CA_MESSAGES: Readonly<Record<string, ServerCaAction>> = {
  'X509 CA prepared': 'x509-ca-prepared',
  'X509 CA activated': 'x509-ca-activated',
  'JWT key prepared': 'jwt-key-prepared',
  'JWT key activated': 'jwt-key-activated',
  'X.509 authority tainted': 'x509-authority-tainted',
  'X.509 authority revoked': 'x509-authority-revoked',
  'Unable to append X509 CA to journal': 'ca-error',
  'Unable to append JWT key to journal': 'ca-error',
  'Failed to update status on X509CA journal entry': 'ca-error',
  'Failed to update to activated status on X509CA journal entry': 'ca-error',
};

const BUILDERS: ReadonlyMap<string, EventBuilder> = new Map<string, EventBuilder>([
  ['No identity issued', noIdentityIssued],
  ['PID attested to have selectors', (record, base) => ({ ...base, kind: 'pid-attested', ...text(record, 'pid', 'pid'), ...selectorsOf(record) })],
  ['Container id not found; will retry after backoff', (record, base) => containerNotFound(record, base, false)],
  ['Container id not found; giving up', (record, base) => containerNotFound(record, base, true)],
  ['Unable to get pod list; will retry after backoff', (record, base) => podListFailed(base, false)],
  ['Unable to get pod list; giving up', (record, base) => podListFailed(base, true)],
  ['Failed to collect all selectors', (record, base) => attestorFailed(record, base, true)],
  ['Failed to collect all selectors for PID', (record, base) => attestorFailed(record, base, true)],
  ['Timed out collecting selectors', (record, base) => ({ ...base, kind: 'selector-collection-timed-out', ...text(record, 'pid', 'pid') })],
  ['Workload attestation failed', workloadAttestationFailed],
  ['Synchronize failed', (record, base) => ({ ...base, kind: 'sync-failed', nonRecoverable: false })],
  ['Synchronize failed, non-recoverable error', (record, base) => ({ ...base, kind: 'sync-failed', nonRecoverable: true })],
  ['Agent crashed', agentCrashed],
  ['SVID is not found. Starting node attestation', (record, base) => ({ ...base, kind: 'node-attestation-started' })],
  ['No pre-existing agent SVID found. Will perform node attestation', (record, base) => ({ ...base, kind: 'node-attestation-started' })],
  ['Node attestation was successful', (record, base) => ({ ...base, kind: 'node-attestation-succeeded', ...text(record, 'spiffe_id', 'spiffeId') })],
  ['Entry created', (record, base) => entryEvent(record, base, 'entry-created')],
  ['Entry updated', (record, base) => entryEvent(record, base, 'entry-updated')],
  ['Entry removed', (record, base) => entryEvent(record, base, 'entry-removed')],
  ['Creating X509-SVID', (record, base) => svidMint(record, base, 'x509-svid-creating')],
  ['Renewing X509-SVID', (record, base) => svidMint(record, base, 'x509-svid-renewing')],
  ['Fetched X.509 SVID', (record, base) => svidFetched(record, base, 'x509-svid-fetched')],
  ['Fetched JWT SVID', (record, base) => svidFetched(record, base, 'jwt-svid-fetched')],
  ['Could not rotate agent SVID', (record, base) => ({ ...base, kind: 'agent-svid-rotation-failed', reattest: false })],
  ['Could not reattest agent', (record, base) => ({ ...base, kind: 'agent-svid-rotation-failed', reattest: true })],
  ['Successfully rotated agent SVID', (record, base) => ({ ...base, kind: 'agent-svid-rotated', reattest: false })],
  ['Successfully reattested node', (record, base) => ({ ...base, kind: 'agent-svid-rotated', reattest: true })],
  ['SVID sync failed', (record, base) => ({ ...base, kind: 'x509-svid-sync-failed', ...text(record, 'pid', 'pid') })],
  ['Could not fetch JWT-SVID', (record, base) => ({ ...base, kind: 'jwt-svid-mint-failed', ...text(record, 'pid', 'pid') })],
  ['Waiting for SVID to get cached', (record, base) => ({ ...base, kind: 'waiting-for-svid', ...selectorsOf(record) })],
  ['Agent needs to re-attest; will attempt to re-attest', (record, base) => ({ ...base, kind: 'agent-reattesting' })],
  ['Reattesting node', (record, base) => ({ ...base, kind: 'agent-reattesting' })],
  ['Agent is banned: removing SVID and shutting down', (record, base) => ({ ...base, kind: 'agent-shutting-down', reason: 'banned' })],
  ['Agent needs to re-attest: removing SVID and shutting down', (record, base) => ({ ...base, kind: 'agent-shutting-down', reason: 'reattest-required' })],
  ['Agent failed re-attestation; removing SVID and shutting down', (record, base) => ({ ...base, kind: 'agent-shutting-down', reason: 'reattest-failed' })],
  ['Federated bundle contents missing', federatedBundleMissing],
  ['Error updating bundle', (record, base) => ({ ...base, kind: 'federated-bundle-update-failed', ...text(record, 'trust_domain', 'trustDomain') })],
  ['Bundle refreshed', (record, base) => ({ ...base, kind: 'federated-bundle-refreshed', ...text(record, 'trust_domain', 'trustDomain') })],
  ['Failed to validate JWT', (record, base) => ({ ...base, kind: 'jwt-validation-failed', ...text(record, 'pid', 'pid'), ...text(record, 'audience', 'audience') })],
  ['Starting agent', (record, base) => ({ ...base, kind: 'agent-started', ...text(record, 'version', 'version'), ...text(record, 'data_dir', 'dataDir') })],
  ['Starting Workload and SDS APIs', (record, base) => apiListening(record, base, 'workload')],
  ['Starting workload API', (record, base) => apiListening(record, base, 'workload')],
  ['Starting Server APIs', (record, base) => apiListening(record, base, 'server')],
  ['Plugin loaded', pluginLoaded],
  ['Bundle loaded', (record, base) => ({ ...base, kind: 'bundle-loaded', ...text(record, 'trust_domain_id', 'trustDomainId') })],
  ...Object.entries(SERVER_CA_MESSAGES).map(([message, action]): [string, EventBuilder] => [message, (record, base) => ({ ...base, kind: 'server-ca', action })]),
]);

/** Messages starting with "Trust Bundle and Server don't agree" (the suffix varies by SPIRE version and setting). */
const TRUST_BUNDLE_MISMATCH_PREFIX = "Trust Bundle and Server don't agree";
/**
 * Server-side node attestation rejections. The server logs an attestor's error text as
 * the message itself, capitalized, and prefixes InvalidArgument errors with "Invalid
 * argument: " (`MakeErr` in `pkg/common/api/status.go`, SPIRE 1.16.0-dev).
 */
const NODE_ATTESTATION_REJECTED = /failed to attest|not configured for cluster|is not an allowed service account|token not authenticated according to TokenReview API/i;

/** Classifies one parsed SPIRE log record. */
export function classifySpireLog(record: SpireLogRecord): SpireLogEvent {
  const base = eventBase(record);
  const builder = BUILDERS.get(record.message);
  if (builder !== undefined) return builder(record, base);

  if (/^workload attestor "[^"]+" failed/.test(record.message)) return attestorFailed(record, base, false);
  if (record.message.startsWith(TRUST_BUNDLE_MISMATCH_PREFIX)) return { ...base, kind: 'trust-bundle-mismatch' };
  if (/datastore-sql|datastore:/i.test(base.error ?? '')) return datastoreError(record, base);
  if (record.level === 'error' && NODE_ATTESTATION_REJECTED.test(`${record.message} ${base.error ?? ''}`)) {
    return { ...base, kind: 'node-attestation-failed' };
  }
  if (isCertificateProblem(base)) return { ...base, kind: 'certificate-verification-failed' };
  return { ...base, kind: 'other' };
}

function eventBase(record: SpireLogRecord): SpireLogEventBase {
  const error = record.fields.error;
  const problem = findErrorProblem(error ?? record.message);
  const grpcStatus = findGrpcStatus(error);
  return {
    record,
    ...(error === undefined ? {} : { error }),
    ...(problem === undefined ? {} : { problem }),
    ...(grpcStatus === undefined ? {} : { grpcStatus }),
  };
}

function noIdentityIssued(record: SpireLogRecord, base: SpireLogEventBase): SpireLogEvent {
  const selectorsText = record.fields.selectors;
  const selectors = selectorsText === undefined ? undefined : parseLoggedSelectors(selectorsText);
  return {
    ...base,
    kind: 'no-identity-issued',
    ...text(record, 'pid', 'pid'),
    ...text(record, 'method', 'method'),
    ...(selectors === undefined ? {} : { selectors }),
  };
}

function selectorsOf(record: SpireLogRecord): { selectors?: string[] } {
  const selectors = parseLoggedSelectors(record.fields.selectors ?? '');
  return selectors === undefined ? {} : { selectors };
}

function containerNotFound(record: SpireLogRecord, base: SpireLogEventBase, givingUp: boolean): SpireLogEvent {
  return {
    ...base,
    kind: 'container-not-found',
    givingUp,
    ...text(record, 'pod_uid', 'podUid'),
    ...text(record, 'container_id', 'containerId'),
    ...numeric(record, 'attempt', 'attempt'),
  };
}

function podListFailed(base: SpireLogEventBase, givingUp: boolean): SpireLogEvent {
  const kubelet = findKubeletFailure(base.error);
  return { ...base, kind: 'pod-list-failed', givingUp, ...(kubelet === undefined ? {} : { kubelet }) };
}

function attestorFailed(record: SpireLogRecord, base: SpireLogEventBase, partial: boolean): SpireLogEvent {
  const attestor = findFailedAttestor(record.message) ?? findFailedAttestor(base.error) ?? record.fields.attestor;
  const kubelet = findKubeletFailure(base.error);
  return {
    ...base,
    kind: 'workload-attestor-failed',
    partial,
    ...(attestor === undefined ? {} : { attestor }),
    ...text(record, 'pid', 'pid'),
    ...(kubelet === undefined ? {} : { kubelet }),
  };
}

function workloadAttestationFailed(record: SpireLogRecord, base: SpireLogEventBase): SpireLogEvent {
  return {
    ...base,
    kind: 'workload-attestation-failed',
    ...text(record, 'pid', 'pid'),
    ...text(record, 'method', 'method'),
    ...numeric(record, 'duration_ms', 'durationMs'),
  };
}

function agentCrashed(record: SpireLogRecord, base: SpireLogEventBase): SpireLogEvent {
  const duringNodeAttestation = /attestation|failed to get SVID|failed to attest/i.test(base.error ?? '');
  return { ...base, kind: 'agent-crashed', duringNodeAttestation };
}

function entryEvent(record: SpireLogRecord, base: SpireLogEventBase, kind: 'entry-created' | 'entry-updated' | 'entry-removed'): SpireLogEvent {
  return {
    ...base,
    kind,
    ...text(record, 'entry', 'entryId'),
    ...text(record, 'spiffe_id', 'spiffeId'),
    ...numeric(record, 'selectors_added', 'selectorsAdded'),
    ...numeric(record, 'selectors_removed', 'selectorsRemoved'),
  };
}

function svidMint(record: SpireLogRecord, base: SpireLogEventBase, kind: 'x509-svid-creating' | 'x509-svid-renewing'): SpireLogEvent {
  return { ...base, kind, ...text(record, 'entry_id', 'entryId'), ...text(record, 'spiffe_id', 'spiffeId') };
}

function svidFetched(record: SpireLogRecord, base: SpireLogEventBase, kind: 'x509-svid-fetched' | 'jwt-svid-fetched'): SpireLogEvent {
  return {
    ...base,
    kind,
    ...text(record, 'pid', 'pid'),
    ...text(record, 'spiffe_id', 'spiffeId'),
    ...numeric(record, 'ttl', 'ttlSeconds'),
    ...numeric(record, 'count', 'count'),
  };
}

function federatedBundleMissing(record: SpireLogRecord, base: SpireLogEventBase): SpireLogEvent {
  return {
    ...base,
    kind: 'federated-bundle-missing',
    ...text(record, 'federated_bundle', 'trustDomain'),
    ...text(record, 'entry_id', 'entryId'),
    ...text(record, 'spiffe_id', 'spiffeId'),
  };
}

function apiListening(record: SpireLogRecord, base: SpireLogEventBase, api: 'workload' | 'server'): SpireLogEvent {
  return { ...base, kind: 'api-listening', api, ...text(record, 'address', 'address'), ...text(record, 'network', 'network') };
}

function pluginLoaded(record: SpireLogRecord, base: SpireLogEventBase): SpireLogEvent {
  const external = record.fields.external;
  return {
    ...base,
    kind: 'plugin-loaded',
    ...text(record, 'plugin_type', 'pluginType'),
    ...text(record, 'plugin_name', 'pluginName'),
    ...(external === 'true' || external === 'false' ? { external: external === 'true' } : {}),
  };
}

function datastoreError(record: SpireLogRecord, base: SpireLogEventBase): SpireLogEvent {
  return { ...base, kind: 'datastore-error', operation: record.message, readOnly: base.problem === 'datastore-read-only' };
}

function isCertificateProblem(base: SpireLogEventBase): boolean {
  const problem = base.problem;
  return problem === 'unknown-authority' || problem === 'certificate-expired' || problem === 'tls-bad-certificate' || problem === 'tls-internal-error';
}

/** Copies a text field under a new name, or nothing when it is absent. */
function text<K extends string>(record: SpireLogRecord, field: string, key: K): { [P in K]?: string } {
  const value = Object.hasOwn(record.fields, field) ? record.fields[field] : undefined;
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** Copies a numeric field under a new name, or nothing when it is absent or not a number. */
function numeric<K extends string>(record: SpireLogRecord, field: string, key: K): { [P in K]?: number } {
  const raw = Object.hasOwn(record.fields, field) ? record.fields[field] : undefined;
  const value = raw === undefined || raw.trim() === '' ? Number.NaN : Number(raw);
  return (Number.isFinite(value) ? { [key]: value } : {}) as { [P in K]?: number };
}
