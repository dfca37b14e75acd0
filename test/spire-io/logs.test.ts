import { describe, expect, it } from 'vitest';

import {
  classifySpireLog,
  parseLoggedSelectors,
  parseSpireLogLine,
  summarizeAgentLog,
  summarizeServerLog,
  type SpireLogEvent,
} from '../../src/spire/logs.js';
import * as cases from './fixtures/case-log-lines.js';

function classify(line: string): SpireLogEvent {
  const record = parseSpireLogLine(line);
  if (record === undefined) throw new Error(`test line is not a SPIRE log record: ${line}`);
  return classifySpireLog(record);
}

/** Drops the record so expectations list only the classified fields. */
function withoutRecord(event: SpireLogEvent): Omit<SpireLogEvent, 'record'> {
  const { record: _record, ...rest } = event;
  return rest;
}

describe('parseSpireLogLine', () => {
  it('reads a logrus text line', () => {
    const record = parseSpireLogLine(cases.c01AgentLines[3] ?? '');

    expect(record?.time?.toISOString()).toBe('2024-05-14T09:55:12.000Z');
    expect(record?.level).toBe('error');
    expect(record?.message).toBe('No identity issued');
    expect(record?.format).toBe('text');
    expect(record?.fields).toEqual({
      method: 'FetchX509SVID',
      pid: '48211',
      registered: 'false',
      service: 'WorkloadAPI',
      subsystem_name: 'endpoints',
    });
  });

  it('decodes Go-quoted values', () => {
    const record = parseSpireLogLine(cases.c11AgentLines[2] ?? '');

    expect(record?.fields.error).toBe(
      'create attestation client: failed to dial dns:///spire-server.spire.svc:8081: context deadline exceeded: connection error: desc = "transport: authentication handshake failed: x509svid: could not verify leaf certificate: x509: certificate signed by unknown authority (possibly because of \\"x509: ECDSA verification failure\\" while trying to verify candidate authority certificate \\"spire-server-ca\\")"',
    );
  });

  it('reads a JSON line', () => {
    const line = '{"level":"debug","msg":"Fetched X.509 SVID","count":1,"pid":4242,"spiffe_id":"spiffe://example.org/ns/a/sa/b","subsystem_name":"endpoints","time":"2025-03-01T10:00:00Z","ttl":3599.5}';

    const record = parseSpireLogLine(line);

    expect(record?.format).toBe('json');
    expect(record?.level).toBe('debug');
    expect(record?.message).toBe('Fetched X.509 SVID');
    expect(record?.time?.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    expect(record?.fields).toEqual({ count: '1', pid: '4242', spiffe_id: 'spiffe://example.org/ns/a/sa/b', subsystem_name: 'endpoints', ttl: '3599.5' });
  });

  it.each([
    { name: 'kubectl timestamp', prefix: '2024-05-14T09:55:12.123456789Z ' },
    { name: 'kubectl pod prefix', prefix: '[pod/spire-agent-7xk2p/spire-agent] ' },
    { name: 'both kubectl prefixes', prefix: '[pod/spire-agent-7xk2p/spire-agent] 2024-05-14T09:55:12.123456789Z ' },
  ])('strips $name', ({ prefix }) => {
    const line = `${prefix}${cases.c01AgentLines[3] ?? ''}`;

    const record = parseSpireLogLine(line);

    expect(record?.message).toBe('No identity issued');
    expect(record?.time?.toISOString()).toBe('2024-05-14T09:55:12.000Z');
    expect(record?.raw).toBe(line);
  });

  it('takes kubectl time when line has none', () => {
    const record = parseSpireLogLine('2024-05-14T09:55:12.5Z level=info msg="Starting agent"');

    expect(record?.time?.toISOString()).toBe('2024-05-14T09:55:12.500Z');
  });

  it.each([
    { name: 'warn as warning', line: 'level=warn msg=x', level: 'warning' },
    { name: 'upper case level', line: '{"level":"ERROR","msg":"x"}', level: 'error' },
    { name: 'missing level', line: 'msg=x', level: 'unknown' },
  ])('normalizes $name', ({ line, level }) => {
    expect(parseSpireLogLine(line)?.level).toBe(level);
  });

  it.each([
    { name: 'blank line', line: '' },
    { name: 'Go stack trace', line: 'goroutine 1 [running]:' },
    { name: 'JSON without msg', line: '{"level":"info"}' },
    { name: 'JSON array', line: '[1,2]' },
    { name: 'broken JSON', line: '{"msg": "x"' },
  ])('ignores $name', ({ line }) => {
    expect(parseSpireLogLine(line)).toBeUndefined();
  });

  it.each([
    {
      name: 'coloured terminal line',
      line: '\x1b[36mINFO\x1b[0m[0000] Starting agent                                \x1b[36mdata_dir\x1b[0m=/var/lib/spire \x1b[36mversion\x1b[0m=1.9.6',
      expected: { level: 'info', message: 'Starting agent', fields: { data_dir: '/var/lib/spire', version: '1.9.6' }, time: undefined },
    },
    {
      name: 'terminal line with timestamp',
      line: 'ERRO[2025-06-01T08:00:05Z] No identity issued                            method=FetchX509SVID pid=42 registered=false',
      expected: { level: 'error', message: 'No identity issued', fields: { method: 'FetchX509SVID', pid: '42', registered: 'false' }, time: '2025-06-01T08:00:05.000Z' },
    },
    {
      name: 'long terminal message',
      line: 'WARN[0003] Container id not found; will retry after backoff attempt=2 pod_uid=abc',
      expected: { level: 'warning', message: 'Container id not found; will retry after backoff', fields: { attempt: '2', pod_uid: 'abc' }, time: undefined },
    },
  ])('reads $name', ({ line, expected }) => {
    const record = parseSpireLogLine(line);

    expect(record?.format).toBe('terminal');
    expect(record?.level).toBe(expected.level);
    expect(record?.message).toBe(expected.message);
    expect(record?.fields).toEqual(expected.fields);
    expect(record?.time?.toISOString()).toBe(expected.time);
  });

  it('decodes Go escapes', () => {
    const record = parseSpireLogLine(String.raw`level=info msg="tab\there \u00e9 \xc3\xa9 \303\251 \"q\""`);

    expect(record?.message).toBe('tab\there é é é "q"');
  });
});

describe('parseLoggedSelectors', () => {
  it.each([
    {
      name: 'protobuf text',
      text: '[type:"unix" value:"uid:0" type:"k8s" value:"ns:default"]',
      expected: ['unix:uid:0', 'k8s:ns:default'],
    },
    {
      name: 'protobuf text with extra spaces',
      text: '[type:"k8s"  value:"pod-label:app:web"  type:"k8s"  value:"sa:web"]',
      expected: ['k8s:pod-label:app:web', 'k8s:sa:web'],
    },
    { name: 'escaped quote in value', text: String.raw`[type:"k8s" value:"pod-label:note:a\"b"]`, expected: ['k8s:pod-label:note:a"b'] },
    { name: 'JSON objects', text: '[{"type":"k8s","value":"ns:default"},{"type":"unix","value":"uid:0"}]', expected: ['k8s:ns:default', 'unix:uid:0'] },
    { name: 'comma list', text: 'k8s:ns:default,unix:user:root', expected: ['k8s:ns:default', 'unix:user:root'] },
    { name: 'empty list', text: '[]', expected: [] },
    { name: 'empty text', text: '', expected: [] },
    { name: 'Go pointer list', text: '[0xc0001a2b40 0xc0001a2b80]', expected: undefined },
    { name: 'protobuf text missing value', text: '[type:"k8s"]', expected: undefined },
  ])('reads $name', ({ text, expected }) => {
    expect(parseLoggedSelectors(text)).toEqual(expected);
  });
});

describe('classifySpireLog', () => {
  it.each([
    {
      name: 'entry created',
      line: cases.c01AgentLines[0],
      expected: { kind: 'entry-created', entryId: '3c1f9a7e-0d2b-4f6a-8e4d-1a2b3c4d5e02', spiffeId: 'spiffe://example.org/ns/shop/sa/web', selectorsAdded: 2 },
    },
    {
      name: 'X509-SVID creation',
      line: cases.c01AgentLines[1],
      expected: { kind: 'x509-svid-creating', entryId: '3c1f9a7e-0d2b-4f6a-8e4d-1a2b3c4d5e02', spiffeId: 'spiffe://example.org/ns/shop/sa/web' },
    },
    {
      name: 'no identity issued',
      line: cases.c01AgentLines[3],
      expected: { kind: 'no-identity-issued', pid: '48211', method: 'FetchX509SVID' },
    },
    {
      name: 'node attestation success',
      line: cases.c02AgentLines[0],
      expected: { kind: 'node-attestation-succeeded', spiffeId: 'spiffe://example.org/spire/agent/k8s_sat/demo-cluster/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' },
    },
    {
      name: 'debug workload API start',
      line: cases.c02AgentLines[1],
      expected: { kind: 'api-listening', api: 'workload' },
    },
    {
      name: 'agent crash on unknown authority',
      line: cases.c11AgentLines[2],
      expected: { kind: 'agent-crashed', duringNodeAttestation: true, problem: 'unknown-authority' },
    },
    {
      name: 'agent start with version',
      line: cases.c11AgentLines[0],
      expected: { kind: 'agent-started', version: '1.8.2', dataDir: '/var/lib/spire' },
    },
    {
      name: 'bundle loaded',
      line: cases.c11AgentLines[1],
      expected: { kind: 'bundle-loaded', trustDomainId: 'spiffe://example.org' },
    },
    {
      name: 'workload API socket',
      line: cases.c13AgentLines[0],
      expected: { kind: 'api-listening', api: 'workload', address: '/tmp/spire-agent/public/spire-agent.sock', network: 'unix' },
    },
    {
      name: 'sync failure with bad certificate',
      line: cases.c26AgentLines[0],
      expected: { kind: 'sync-failed', nonRecoverable: false, problem: 'tls-bad-certificate', grpcStatus: { code: 'Unavailable', message: 'connection error: desc = "transport: authentication handshake failed: remote error: tls: bad certificate"' } },
    },
    {
      name: 'node attestation start',
      line: cases.d02AgentLines[6],
      expected: { kind: 'node-attestation-started' },
    },
    {
      name: 'agent crash on DNS failure',
      line: cases.d02AgentLines[7],
      expected: { kind: 'agent-crashed', duringNodeAttestation: true, problem: 'dns-lookup-failed' },
    },
    {
      name: 'plugin loaded',
      line: cases.d02AgentLines[2],
      expected: { kind: 'plugin-loaded', pluginType: 'NodeAttestor', pluginName: 'k8s_psat', external: false },
    },
    {
      name: 'umask warning',
      line: cases.d02AgentLines[0],
      expected: { kind: 'other' },
    },
    {
      name: 'server CA activation',
      line: cases.d02ServerLines[1],
      expected: { kind: 'server-ca', action: 'x509-ca-activated' },
    },
    {
      name: 'server API socket',
      line: cases.d02ServerLines[3],
      expected: { kind: 'api-listening', api: 'server', address: '/tmp/spire-server/private/api.sock', network: 'unix' },
    },
    {
      name: 'agent crash on TLS internal error',
      line: cases.d04AgentLines[2],
      expected: {
        kind: 'agent-crashed',
        duringNodeAttestation: true,
        problem: 'tls-internal-error',
        grpcStatus: { code: 'Unavailable', message: 'connection error: desc = "transport: authentication handshake failed: remote error: tls: internal error"' },
      },
    },
    {
      name: 'read-only datastore on TLS setup',
      line: cases.d04ServerLines[0],
      expected: { kind: 'datastore-error', operation: 'Could not generate TLS config for gRPC client', readOnly: true, problem: 'datastore-read-only' },
    },
    {
      name: 'read-only datastore on pruning',
      line: cases.d04ServerLines[1],
      expected: { kind: 'datastore-error', operation: 'Failed pruning registration entries', readOnly: true, problem: 'datastore-read-only' },
    },
    {
      name: 'X.509 SVID served',
      line: cases.d12AgentLines[2],
      expected: { kind: 'x509-svid-fetched', pid: '70233', spiffeId: 'spiffe://corp.test/ns/shop/sa/productpage', ttlSeconds: 3581.2, count: 1 },
    },
    {
      name: 'federated bundle missing',
      line: cases.d14AgentLines[1],
      expected: { kind: 'federated-bundle-missing', trustDomain: 'east.corp.test', entryId: '5f6a7b8c-1401-4d9e-8f0a-1b2c3d4e5f01', spiffeId: 'spiffe://west.corp.test/ns/accounts/sa/accounts-api' },
    },
    {
      name: 'JWT validation failure',
      line: cases.d14AgentLines[2],
      expected: { kind: 'jwt-validation-failed', pid: '31770', audience: 'accounts-api' },
    },
    {
      name: 'federated bundle update failure',
      line: cases.d14ServerLines[0],
      expected: { kind: 'federated-bundle-update-failed', trustDomain: 'east.corp.test' },
    },
    {
      name: 'bundle call without identity',
      line: cases.d17AgentLines[0],
      expected: { kind: 'no-identity-issued', pid: '4412', method: 'FetchX509Bundles' },
    },
  ])('classifies $name', ({ line, expected }) => {
    const event = classify(line ?? '');

    expect(withoutRecord(event)).toMatchObject(expected);
    expect(event.kind).toBe(expected.kind);
  });

  it('reads attested selectors', () => {
    const event = classify(cases.c16AgentLines[0] ?? '');

    expect(event.kind).toBe('pid-attested');
    expect(event.kind === 'pid-attested' ? event.selectors : undefined).toEqual([
      'k8s:sa:echo',
      'k8s:ns:spire-demo',
      'k8s:node-name:lab-node-2',
      'k8s:pod-uid:33445566-7788-4990-8aab-bccddeeff001',
      'k8s:pod-name:echo-5c6d7e8f9-w3e4r',
      'k8s:pod-label:app:echo',
    ]);
  });

  it('reads kubelet failure from 1.15.1 line', () => {
    const event = classify(cases.c03AgentLines[1] ?? '');

    expect(withoutRecord(event)).toMatchObject({
      kind: 'workload-attestor-failed',
      partial: true,
      attestor: 'k8s',
      pid: '2639581',
      problem: 'connection-refused',
      grpcStatus: { code: 'Internal' },
      kubelet: { url: 'https://127.0.0.1:10250/pods', detail: 'dial tcp 127.0.0.1:10250: connect: connection refused' },
    });
  });

  // Lines below are written in SPIRE's formats for messages the cases do not contain;
  // message and field names are from SPIRE 1.15.3.
  it.each([
    {
      name: 'container retry',
      line: 'time="2025-06-01T08:00:00Z" level=debug msg="Container id not found; will retry after backoff" attempt=3 container_id=5f1e2d3c4b5a69788796a5b4c3d2e1f05f1e2d3c4b5a69788796a5b4c3d2e1f0 pod_uid=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d retry_interval=500ms subsystem_name=built-in_plugin.k8s',
      expected: { kind: 'container-not-found', givingUp: false, attempt: 3, podUid: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' },
    },
    {
      name: 'container give-up',
      line: 'time="2025-06-01T08:00:30Z" level=warning msg="Container id not found; giving up" container_id=5f1e2d3c4b5a69788796a5b4c3d2e1f05f1e2d3c4b5a69788796a5b4c3d2e1f0 pod_uid=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d subsystem_name=built-in_plugin.k8s',
      expected: { kind: 'container-not-found', givingUp: true },
    },
    {
      name: 'kubelet 403 retry',
      line: 'time="2025-06-01T08:00:00Z" level=warning msg="Unable to get pod list; will retry after backoff" error="unexpected status code on pods response: 403 Forbidden (user=system:serviceaccount:spire:spire-agent, verb=get, resource=nodes, subresource=proxy)" subsystem_name=built-in_plugin.k8s',
      expected: {
        kind: 'pod-list-failed',
        givingUp: false,
        kubelet: { statusCode: 403, detail: 'Forbidden (user=system:serviceaccount:spire:spire-agent, verb=get, resource=nodes, subresource=proxy)' },
      },
    },
    {
      name: 'kubelet give-up',
      line: 'time="2025-06-01T08:00:30Z" level=warning msg="Unable to get pod list; giving up" error="unexpected status code on pods response: 401 Unauthorized" subsystem_name=built-in_plugin.k8s',
      expected: { kind: 'pod-list-failed', givingUp: true, kubelet: { statusCode: 401, detail: 'Unauthorized' } },
    },
    {
      name: '1.15.2 attestor failure',
      line: 'time="2025-06-01T08:00:30Z" level=error msg="workload attestor \\"k8s\\" failed" error="rpc error: code = DeadlineExceeded desc = workloadattestor(k8s): no selectors found after max poll attempts" pid=5120 subsystem_name=workload_attestor',
      expected: { kind: 'workload-attestor-failed', partial: false, attestor: 'k8s', pid: '5120', grpcStatus: { code: 'DeadlineExceeded' }, problem: 'deadline-exceeded' },
    },
    {
      name: 'selector timeout',
      line: 'time="2025-06-01T08:00:05Z" level=error msg="Timed out collecting selectors" error="context deadline exceeded" pid=5120 subsystem_name=workload_attestor',
      expected: { kind: 'selector-collection-timed-out', pid: '5120', problem: 'deadline-exceeded' },
    },
    {
      name: 'workload attestation failure',
      line: 'time="2025-06-01T08:00:05Z" level=error msg="Workload attestation failed" duration_ms=5001 error="context deadline exceeded" method=FetchX509SVID pid=5120 service=WorkloadAPI subsystem_name=endpoints',
      expected: { kind: 'workload-attestation-failed', pid: '5120', method: 'FetchX509SVID', durationMs: 5001 },
    },
    {
      name: '1.15.2 no identity with selectors',
      line: 'time="2025-06-01T08:00:05Z" level=error msg="No identity issued" method=FetchX509SVID pid=5120 registered=false selectors="k8s:ns:default,unix:user:root" service=WorkloadAPI subsystem_name=endpoints',
      expected: { kind: 'no-identity-issued', pid: '5120', selectors: ['k8s:ns:default', 'unix:user:root'] },
    },
    {
      name: 'rotation failure on expired SVID',
      line: 'time="2025-06-01T08:00:05Z" level=error msg="Could not rotate agent SVID" error="rpc error: code = Unavailable desc = connection error: desc = \\"transport: authentication handshake failed: remote error: tls: expired certificate\\"" subsystem_name=svid_rotator',
      expected: { kind: 'agent-svid-rotation-failed', reattest: false, problem: 'certificate-expired' },
    },
    {
      name: 'workload SVID sync failure',
      line: 'time="2025-06-01T08:00:05Z" level=error msg="SVID sync failed" error="rpc error: code = Unavailable desc = connection error" subsystem_name=manager',
      expected: { kind: 'x509-svid-sync-failed', grpcStatus: { code: 'Unavailable', message: 'connection error' } },
    },
    {
      name: 'JWT-SVID mint failure',
      line: 'time="2025-06-01T08:00:05Z" level=error msg="Could not fetch JWT-SVID" error="rpc error: code = PermissionDenied desc = not authorized" method=FetchJWTSVID pid=5120 service=WorkloadAPI subsystem_name=endpoints',
      expected: { kind: 'jwt-svid-mint-failed', pid: '5120', problem: 'permission-denied' },
    },
    {
      name: 'wait for SVID cache',
      line: 'time="2025-06-01T08:00:05Z" level=info msg="Waiting for SVID to get cached" selectors="[type:\\"k8s\\" value:\\"ns:default\\"]" subsystem_name=cache_manager',
      expected: { kind: 'waiting-for-svid', selectors: ['k8s:ns:default'] },
    },
    {
      name: 'reattestation in place',
      line: 'time="2025-06-01T08:00:05Z" level=warning msg="Agent needs to re-attest; will attempt to re-attest" subsystem_name=manager',
      expected: { kind: 'agent-reattesting' },
    },
    {
      name: 'ban shutdown',
      line: 'time="2025-06-01T08:00:05Z" level=error msg="Agent is banned: removing SVID and shutting down" subsystem_name=manager',
      expected: { kind: 'agent-shutting-down', reason: 'banned' },
    },
    {
      name: 'trust bundle disagreement',
      line: 'time="2025-06-01T08:00:05Z" level=warning msg="Trust Bundle and Server don\'t agree, rebootstrapping" subsystem_name=attestor',
      expected: { kind: 'trust-bundle-mismatch' },
    },
    {
      name: 'server psat rejection',
      line: 'time="2025-06-01T08:00:05Z" level=error msg="Nodeattestor(k8s_psat): not configured for cluster \\"prod\\"" caller_addr="10.0.0.7:51234" subsystem_name=api',
      expected: { kind: 'node-attestation-failed' },
    },
    {
      name: 'server join token rejection',
      line: 'time="2025-06-01T08:00:05Z" level=error msg="Invalid argument: failed to attest: join token does not exist or has already been used" caller_addr="10.0.0.7:51234" subsystem_name=api',
      expected: { kind: 'node-attestation-failed' },
    },
    {
      name: 'unknown authority elsewhere',
      line: 'time="2025-06-01T08:00:05Z" level=error msg="Failed to fetch bundle" error="x509: certificate signed by unknown authority"',
      expected: { kind: 'certificate-verification-failed', problem: 'unknown-authority' },
    },
    {
      name: 'JSON no identity',
      line: '{"level":"error","method":"FetchJWTSVID","msg":"No identity issued","pid":77,"registered":false,"service":"WorkloadAPI","subsystem_name":"endpoints","time":"2025-06-01T08:00:05Z"}',
      expected: { kind: 'no-identity-issued', pid: '77', method: 'FetchJWTSVID' },
    },
    {
      name: 'JSON selector list',
      line: '{"level":"debug","msg":"PID attested to have selectors","pid":77,"selectors":[{"type":"k8s","value":"ns:default"}],"time":"2025-06-01T08:00:05Z"}',
      expected: { kind: 'pid-attested', pid: '77', selectors: ['k8s:ns:default'] },
    },
  ])('classifies $name', ({ line, expected }) => {
    const event = classify(line);

    expect(withoutRecord(event)).toMatchObject(expected);
  });

  it('leaves few case lines unclassified', () => {
    const events = Object.values(cases).flat().map(classify);
    const unclassified = events.filter((event) => event.kind === 'other').map((event) => event.record.message);

    expect(unclassified).toEqual(['Current umask 0022 is too permissive; setting umask 0027', 'Connected to SQL database']);
  });
});

describe('summarizeAgentLog', () => {
  it('collects per-PID facts', () => {
    const summary = summarizeAgentLog(cases.c01AgentLines, { pid: '48211' });

    expect(summary.pid?.selectors).toContain('k8s:ns:platform');
    expect(summary.pid?.noIdentity).toHaveLength(1);
    expect(summary.pid?.bundleCallsOnly).toBe(false);
    expect(summary.noIdentityPids).toEqual(['48211']);
    expect(summary.entries.get('3c1f9a7e-0d2b-4f6a-8e4d-1a2b3c4d5e02')).toEqual({
      entryId: '3c1f9a7e-0d2b-4f6a-8e4d-1a2b3c4d5e02',
      spiffeId: 'spiffe://example.org/ns/shop/sa/web',
      state: 'svid-requested',
    });
    expect(summary.debugEnabled).toBe(true);
    expect(summary.counts).toEqual({ 'entry-created': 1, 'x509-svid-creating': 1, 'pid-attested': 1, 'no-identity-issued': 1 });
  });

  it('marks health probe PIDs', () => {
    const summary = summarizeAgentLog(cases.d17AgentLines);

    expect(summary.pids.get('4412')?.bundleCallsOnly).toBe(true);
    expect(summary.pids.get('113402')?.bundleCallsOnly).toBe(false);
    expect(summary.pids.get('113402')?.fetched).toHaveLength(1);
    expect(summary.noIdentityPids).toEqual(['4412']);
  });

  it('keeps last sync error', () => {
    const summary = summarizeAgentLog(cases.c26AgentLines);

    expect(summary.lastSyncError?.problem).toBe('tls-bad-certificate');
    expect(summary.syncRecovered).toBe(false);
  });

  it('notes recovery after sync error', () => {
    const summary = summarizeAgentLog([...(cases.c26AgentLines.slice(0, 1)), ...cases.c01AgentLines.slice(0, 1)]);

    expect(summary.lastSyncError).toBeDefined();
    expect(summary.syncRecovered).toBe(true);
  });

  it('reports crash during attestation', () => {
    const summary = summarizeAgentLog(cases.d02AgentLines);

    expect(summary.crashes).toHaveLength(1);
    expect(summary.crashes[0]?.problem).toBe('dns-lookup-failed');
    expect(summary.nodeAttestation).toBe('failed');
    expect(summary.agentVersion).toBe('1.11.2');
    expect(summary.firstTime?.toISOString()).toBe('2025-02-11T10:36:40.000Z');
    expect(summary.lastTime?.toISOString()).toBe('2025-02-11T10:37:10.000Z');
  });

  it('reports agent ID after attestation', () => {
    const summary = summarizeAgentLog(cases.c02AgentLines);

    expect(summary.nodeAttestation).toBe('succeeded');
    expect(summary.agentSpiffeId).toBe('spiffe://example.org/spire/agent/k8s_sat/demo-cluster/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d');
  });

  it('reports workload API address', () => {
    expect(summarizeAgentLog(cases.c13AgentLines).workloadApiAddress).toBe('/tmp/spire-agent/public/spire-agent.sock');
  });

  it('collects kubelet problems', () => {
    const lines = [
      'time="2025-06-01T08:00:00Z" level=warning msg="Unable to get pod list; will retry after backoff" error="unexpected status code on pods response: 403 Forbidden" subsystem_name=built-in_plugin.k8s',
      'time="2025-06-01T08:00:01Z" level=debug msg="Container id not found; will retry after backoff" attempt=1 pod_uid=abc subsystem_name=built-in_plugin.k8s',
    ];

    const summary = summarizeAgentLog(lines);

    expect(summary.kubernetesAttestorProblems.map((event) => event.kind)).toEqual(['pod-list-failed', 'container-not-found']);
    expect(summary.pids.size).toBe(0);
  });

  it('handles an empty log', () => {
    const summary = summarizeAgentLog([]);

    expect(summary.records).toEqual([]);
    expect(summary.debugEnabled).toBe(false);
    expect(summary.firstTime).toBeUndefined();
    expect(summary.pid).toBeUndefined();
  });
});

describe('summarizeServerLog', () => {
  it('reports read-only datastore', () => {
    const summary = summarizeServerLog(cases.d04ServerLines);

    expect(summary.datastoreErrors).toHaveLength(5);
    expect(summary.datastoreReadOnly).toBe(true);
    expect(summary.counts).toEqual({ 'datastore-error': 5 });
  });

  it('counts federation failures', () => {
    const summary = summarizeServerLog(cases.d14ServerLines);
    const east = summary.federation.get('east.corp.test');

    expect(east?.failures).toBe(4);
    expect(east?.lastFailure?.error).toBe("can't perform SPIFFE Authentication: local copy of bundle not found");
    expect(east?.lastRefresh).toBeUndefined();
  });

  it('keeps refresh after failure', () => {
    const refreshed = 'time="2023-06-22T05:40:04Z" level=info msg="Bundle refreshed" subsystem_name=bundle_client trust_domain=east.corp.test';

    const summary = summarizeServerLog([...cases.d14ServerLines, refreshed]);

    expect(summary.federation.get('east.corp.test')?.lastRefresh?.record.raw).toBe(refreshed);
  });

  it('lists CA events and rejections', () => {
    const rejection = 'time="2025-02-11T10:00:00Z" level=error msg="Invalid argument: failed to attest: join token does not exist or has already been used" subsystem_name=api';

    const summary = summarizeServerLog([...cases.d02ServerLines, rejection]);

    expect(summary.caEvents.map((event) => event.action)).toEqual(['x509-ca-activated']);
    expect(summary.nodeAttestationRejections).toHaveLength(1);
    expect(summary.datastoreReadOnly).toBe(false);
    expect(summary.lastTime?.toISOString()).toBe('2025-02-11T10:00:00.000Z');
  });
});
