/**
 * Builders for evidence in the shapes the real tools print: pods as `kubectl get pod
 * -o json`, entries and agents as `spire-server ... -output json`, log lines in
 * logrus text format. Each builder takes overrides so a test states only what
 * matters to it.
 */
import type { KubePod } from '../../src/evidence/kube-types.js';
import type { Evidence } from '../../src/evidence/types.js';
import type { AgentJson, EntryJson } from '../../src/spire/types.js';

export const TRUST_DOMAIN = 'example.org';
export const NODE = 'node-a';
export const NODE_UID = '6f1c2a9e-3b7d-4c21-9a55-0d2e8b7f1a10';
export const POD_UID = '0b5d7e31-8c2f-4e0a-b6a1-2f9c3d4e5a61';
export const AGENT_ID_PATH = `/spire/agent/k8s_psat/demo/${NODE_UID}`;

export function makePod(overrides: { namespace?: string; serviceAccount?: string; env?: Record<string, string>; volume?: Record<string, unknown>; mountPath?: string; status?: KubePod['status']; runtimeClassName?: string } = {}): KubePod {
  const env = Object.entries(overrides.env ?? { SPIFFE_ENDPOINT_SOCKET: 'unix:///spiffe-workload-api/spire-agent.sock' }).map(([name, value]) => ({ name, value }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-7c9d8b6f5-q2x7k', namespace: overrides.namespace ?? 'shop', uid: POD_UID, labels: { app: 'web' } },
    spec: {
      serviceAccountName: overrides.serviceAccount ?? 'web',
      nodeName: NODE,
      ...(overrides.runtimeClassName === undefined ? {} : { runtimeClassName: overrides.runtimeClassName }),
      containers: [
        {
          name: 'web',
          image: 'registry.example.org/shop/web:2.3.0',
          env,
          volumeMounts: [{ name: 'spiffe-workload-api', mountPath: overrides.mountPath ?? '/spiffe-workload-api', readOnly: true }],
        },
      ],
      volumes: [{ name: 'spiffe-workload-api', ...(overrides.volume ?? { csi: { driver: 'csi.spiffe.io', readOnly: true } }) }],
    },
    status: overrides.status ?? {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'web',
          image: 'registry.example.org/shop/web:2.3.0',
          imageID: 'registry.example.org/shop/web@sha256:abab',
          ready: true,
          started: true,
          restartCount: 0,
          containerID: 'containerd://3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00998877665544332211',
          state: { running: { startedAt: '2024-05-14T09:50:00Z' } },
        },
      ],
    },
  };
}

export function makeAgentPod(overrides: { node?: string; status?: KubePod['status']; tolerations?: unknown[]; hostPID?: boolean } = {}): KubePod {
  return {
    metadata: { name: 'spire-agent-4kq8d', namespace: 'spire', labels: { app: 'spire-agent' } },
    spec: {
      nodeName: overrides.node ?? NODE,
      serviceAccountName: 'spire-agent',
      hostPID: overrides.hostPID ?? true,
      containers: [{ name: 'spire-agent', image: 'ghcr.io/spiffe/spire-agent:1.9.6' }],
      tolerations: (overrides.tolerations ?? []) as never,
    },
    status: overrides.status ?? {
      phase: 'Running',
      containerStatuses: [{ name: 'spire-agent', ready: true, restartCount: 0, state: { running: { startedAt: '2024-05-14T08:00:00Z' } } }],
    },
  };
}

export function makeEntry(overrides: { id?: string; path?: string; parentPath?: string; selectors?: string[]; createdAt?: number; expiresAt?: number; trustDomain?: string; federatesWith?: string[] } = {}): EntryJson {
  const trustDomain = overrides.trustDomain ?? TRUST_DOMAIN;
  return {
    id: overrides.id ?? 'entry-web',
    spiffe_id: { trust_domain: trustDomain, path: overrides.path ?? '/ns/shop/sa/web' },
    parent_id: { trust_domain: trustDomain, path: overrides.parentPath ?? AGENT_ID_PATH },
    selectors: (overrides.selectors ?? ['k8s:ns:shop', 'k8s:sa:web']).map((selector) => {
      const colon = selector.indexOf(':');
      return { type: selector.slice(0, colon), value: selector.slice(colon + 1) };
    }),
    x509_svid_ttl: 3600,
    federates_with: overrides.federatesWith ?? [],
    created_at: String(overrides.createdAt ?? 1715600000),
    expires_at: String(overrides.expiresAt ?? 0),
  };
}

export function makeAgent(overrides: { expiresAt?: number; banned?: boolean; selectors?: string[]; path?: string; version?: string } = {}): AgentJson {
  return {
    id: { trust_domain: TRUST_DOMAIN, path: overrides.path ?? AGENT_ID_PATH },
    attestation_type: 'k8s_psat',
    x509svid_serial_number: '1234567890',
    x509svid_expires_at: String(overrides.expiresAt ?? 1715683200),
    selectors: (overrides.selectors ?? ['k8s_psat:cluster:demo', 'k8s_psat:agent_ns:spire', `k8s_psat:agent_node_name:${NODE}`, `k8s_psat:agent_node_uid:${NODE_UID}`]).map((selector) => {
      const colon = selector.indexOf(':');
      return { type: selector.slice(0, colon), value: selector.slice(colon + 1) };
    }),
    banned: overrides.banned ?? false,
    can_reattest: true,
    agent_version: overrides.version ?? '1.9.6',
  };
}

/** Formats a logrus text line as SPIRE prints it. */
export function logLine(time: string, level: string, message: string, fields: Record<string, string> = {}): string {
  const rendered = Object.entries(fields)
    .map(([key, value]) => `${key}=${/^[\w./:-]+$/.test(value) ? value : JSON.stringify(value)}`)
    .join(' ');
  return `time="${time}" level=${level} msg=${JSON.stringify(message)}${rendered === '' ? '' : ` ${rendered}`}`;
}

/** Formats a selector list the way the agent logs "PID attested to have selectors". */
export function loggedSelectors(selectors: readonly string[]): string {
  return `[${selectors
    .map((selector) => {
      const colon = selector.indexOf(':');
      return `type:"${selector.slice(0, colon)}" value:"${selector.slice(colon + 1)}"`;
    })
    .join(' ')}]`;
}

export const WORKLOAD_SELECTORS = ['k8s:sa:web', 'k8s:ns:shop', `k8s:node-name:${NODE}`, `k8s:pod-uid:${POD_UID}`, 'k8s:pod-name:web-7c9d8b6f5-q2x7k', 'k8s:container-name:web'];

/** Builds healthy baseline evidence: pod, matching entry, attested agent, healthy agent pod and clean logs. */
export function makeEvidence(overrides: Partial<Evidence> = {}): Evidence {
  return {
    apiVersion: 'spiffe-doctor/v1',
    kind: 'Evidence',
    gatheredAt: '2024-05-14T10:00:00Z',
    pod: makePod(),
    entries: [makeEntry()],
    agents: [makeAgent()],
    agentPods: [makeAgentPod()],
    agentHealth: { node: NODE, healthy: true, output: 'Agent is healthy.' },
    agentLogs: [
      logLine('2024-05-14T09:00:00Z', 'debug', 'Entry created', { entry: 'entry-web', selectors_added: '2', spiffe_id: 'spiffe://example.org/ns/shop/sa/web', subsystem_name: 'cache_manager' }),
      logLine('2024-05-14T09:55:12Z', 'debug', 'PID attested to have selectors', { pid: '48211', selectors: loggedSelectors(WORKLOAD_SELECTORS), subsystem_name: 'workload_attestor' }),
      logLine('2024-05-14T09:55:12Z', 'debug', 'Fetched X.509 SVID', { count: '1', method: 'FetchX509SVID', pid: '48211', registered: 'true', service: 'WorkloadAPI', spiffe_id: 'spiffe://example.org/ns/shop/sa/web', subsystem_name: 'endpoints', ttl: '3581.2' }),
    ],
    ...overrides,
  };
}
