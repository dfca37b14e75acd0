/**
 * The shared helpers: gRPC status and dial error reading, text sanitising, taint
 * toleration, agent failure classes and the per-pod agent log facts.
 */
import { describe, expect, it } from 'vitest';
import { classifyAgentError } from '../../src/checks/support/agent-failures.js';
import { collectAgentLogFacts } from '../../src/checks/support/agent-log-facts.js';
import { findDialFailure, parseGrpcStatus } from '../../src/checks/support/grpc-status.js';
import { parseLogRecords } from '../../src/checks/support/log-records.js';
import { MAX_QUOTE_LENGTH, sanitizeText } from '../../src/checks/support/sanitize-text.js';
import { findUntoleratedTaints, formatTaint } from '../../src/checks/support/tolerations.js';
import { POD_UID, WORKLOAD_SELECTORS, logLine, loggedSelectors, makePod } from './fixtures.js';

describe('parseGrpcStatus', () => {
  it.each([
    { name: 'permission denied', text: 'rpc error: code = PermissionDenied desc = no identity issued\n', code: 'PermissionDenied', message: 'no identity issued' },
    { name: 'nested desc', text: 'rpc error: code = Unavailable desc = connection error: desc = "transport: x"', code: 'Unavailable', message: 'connection error: desc = "transport: x"' },
    { name: 'deadline', text: 'rpc error: code = DeadlineExceeded desc = context deadline exceeded', code: 'DeadlineExceeded', message: 'context deadline exceeded' },
  ])('$name', ({ text, code, message }) => {
    expect(parseGrpcStatus(text)).toEqual({ code, message });
  });

  it('returns undefined without a status', () => {
    expect(parseGrpcStatus('audience must be specified')).toBeUndefined();
  });
});

describe('findDialFailure', () => {
  it.each([
    { reason: 'no-such-file', text: 'no such file or directory' },
    { reason: 'connection-refused', text: 'connection refused' },
    { reason: 'permission-denied', text: 'permission denied' },
    { reason: 'other', text: 'resource temporarily unavailable' },
  ])('$reason', ({ reason, text }) => {
    const failure = findDialFailure(`rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /run/spire/sockets/agent.sock: connect: ${text}"`);

    expect(failure?.path).toBe('/run/spire/sockets/agent.sock');
    expect(failure?.reason).toBe(reason);
  });
});

describe('sanitizeText', () => {
  it.each([
    { name: 'colour codes', input: '\u001b[31mred\u001b[0m label', output: 'red label' },
    { name: 'window title OSC', input: 'x\u001b]0;pwned\u0007y', output: 'xy' },
    { name: 'newlines folded', input: 'line one\nline two\r\n', output: 'line one line two' },
    { name: 'bare controls', input: 'a\u0000b\u0008c\u0085d', output: 'abcd' },
    { name: '8-bit CSI sequence', input: 'a\u009b31mb', output: 'ab' },
    { name: 'plain text kept', input: 'k8s:ns:shop', output: 'k8s:ns:shop' },
  ])('$name', ({ input, output }) => {
    expect(sanitizeText(input)).toBe(output);
  });

  it('cuts long text', () => {
    const text = sanitizeText('x'.repeat(MAX_QUOTE_LENGTH * 2));

    expect(text).toHaveLength(MAX_QUOTE_LENGTH);
    expect(text.endsWith('…')).toBe(true);
  });
});

describe('findUntoleratedTaints', () => {
  const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

  it.each([
    { name: 'no tolerations', tolerations: [], blocked: 1 },
    { name: 'exists for any key', tolerations: [{ operator: 'Exists' }], blocked: 0 },
    { name: 'exists for the key', tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }], blocked: 0 },
    { name: 'equal with value', tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }], blocked: 0 },
    { name: 'equal with other value', tolerations: [{ key: 'dedicated', value: 'cpu' }], blocked: 1 },
    { name: 'other effect', tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }], blocked: 1 },
  ])('$name', ({ tolerations, blocked }) => {
    expect(findUntoleratedTaints([taint], tolerations)).toHaveLength(blocked);
  });

  it('ignores PreferNoSchedule', () => {
    expect(findUntoleratedTaints([{ key: 'a', effect: 'PreferNoSchedule' }], [])).toEqual([]);
  });

  it('formats like kubectl', () => {
    expect(formatTaint(taint)).toBe('dedicated=gpu:NoSchedule');
  });
});

describe('classifyAgentError', () => {
  it.each([
    { kind: 'server-address-unresolvable', text: 'lookup spire-server.spire-system.svc on 10.96.0.10:53: no such host' },
    { kind: 'stale-trust-bundle', text: 'context deadline exceeded: x509: certificate signed by unknown authority' },
    { kind: 'agent-svid-rejected', text: 'authentication handshake failed: remote error: tls: bad certificate' },
    { kind: 'server-tls-internal', text: 'remote error: tls: internal error' },
    { kind: 'join-token-used', text: 'failed to attest: join token does not exist or has already been used' },
    { kind: 'server-unreachable', text: 'dial tcp 10.0.0.5:8081: connect: connection refused' },
    { kind: 'other', text: 'unknown configurations detected: api_server' },
    { kind: 'trust-domain-mismatch', text: 'authentication handshake failed: expected server SPIFFE ID "spiffe://corp.test/spire/server"; got [spiffe://prod.corp.test/spire/server]' },
    { kind: 'node-attestation-rejected', text: 'failed to receive attestation response: rpc error: code = Internal desc = nodeattestor(k8s_psat): unable to validate token with TokenReview API: Unauthorized' },
    { kind: 'node-attestation-rejected', text: 'failed to receive attestation response: rpc error: code = PermissionDenied desc = something new' },
  ])('$kind', ({ kind, text }) => {
    expect(classifyAgentError(text)).toBe(kind);
  });
});

describe('collectAgentLogFacts', () => {
  const lines = [
    logLine('2024-05-14T09:00:00Z', 'debug', 'Entry created', { entry: 'e1', spiffe_id: 'spiffe://example.org/ns/shop/sa/web' }),
    logLine('2024-05-14T09:55:00Z', 'error', 'No identity issued', { method: 'FetchX509Bundles', pid: '4412', registered: 'false' }),
    logLine('2024-05-14T09:55:12Z', 'debug', 'PID attested to have selectors', { pid: '48211', selectors: loggedSelectors(WORKLOAD_SELECTORS) }),
    logLine('2024-05-14T09:55:12Z', 'error', 'No identity issued', { method: 'FetchX509SVID', pid: '48211', registered: 'false' }),
  ];
  const facts = collectAgentLogFacts(parseLogRecords(lines), makePod());

  it('ties PIDs to the pod by UID', () => {
    expect([...facts.workloadPids]).toEqual(['48211']);
    expect(facts.workloadSelectors).toContain(`k8s:pod-uid:${POD_UID}`);
  });

  it('ignores other PIDs', () => {
    expect(facts.workloadNoIdentity.map((record) => record.fields.pid)).toEqual(['48211']);
  });

  it('records entries and time span', () => {
    expect([...facts.entriesSeen]).toEqual(['e1']);
    expect(facts.logsEntryEvents).toBe(true);
    expect(facts.firstTime?.toISOString()).toBe('2024-05-14T09:00:00.000Z');
    expect(facts.lastTime?.toISOString()).toBe('2024-05-14T09:55:12.000Z');
  });
});
