/**
 * Pods and ConfigMaps shaped like the SPIRE Kubernetes quickstart and the official Helm
 * chart, loaded into a FakeKubeSource.
 */
import type { KubePod } from '../../../src/evidence/kube-types.js';
import { FakeKubeSource, ok } from './fake-kube-source.js';

export const ENTRY_SHOW_JSON =
  '{"entries":[{"id":"e1","parent_id":{"path":"/spire/agent/k8s_psat/demo/node-a","trust_domain":"example.org"},"selectors":[{"type":"k8s","value":"ns:shop"}],"spiffe_id":{"path":"/ns/shop/sa/web","trust_domain":"example.org"},"x509_svid_ttl":3600}],"next_page_token":""}\n';
export const AGENT_LIST_JSON =
  '{"agents":[{"attestation_type":"k8s_psat","id":{"path":"/spire/agent/k8s_psat/demo/node-a","trust_domain":"example.org"},"x509svid_expires_at":"1715680000"}],"next_page_token":""}\n';
export const FETCH_X509_JSON = '{"crl":[],"federated_bundles":{},"svids":[{"bundle":"MIIB","hint":"","spiffe_id":"spiffe://example.org/ns/shop/sa/web","x509_svid":"MIIC","x509_svid_key":"MIGH"}]}\n';
export const AGENT_CONF_QUICKSTART = `agent {
  data_dir = "/run/spire"
  log_level = "DEBUG"
  server_address = "spire-server"
  server_port = "8081"
  socket_path = "/run/spire/sockets/agent.sock"
  trust_bundle_path = "/run/spire/bundle/bundle.crt"
  trust_domain = "example.org"
}
`;

interface WorkloadPodOptions {
  readonly name?: string;
  readonly nodeName?: string;
  readonly env?: { name: string; value: string }[];
  readonly mountSocket?: boolean;
  readonly csi?: boolean;
}

/** Builds a workload pod in namespace shop that mounts the agent socket directory from the host. */
export function workloadPod(options: WorkloadPodOptions = {}): KubePod {
  const mountSocket = options.mountSocket ?? true;
  const volume = options.csi
    ? { name: 'spiffe-workload-api', csi: { driver: 'csi.spiffe.io', readOnly: true } }
    : { name: 'spire-agent-socket', hostPath: { path: '/run/spire/sockets', type: 'Directory' } };

  return {
    metadata: { name: options.name ?? 'web-0', namespace: 'shop', uid: 'pod-uid-1', labels: { app: 'web' } },
    spec: {
      nodeName: options.nodeName ?? 'node-a',
      serviceAccountName: 'web',
      containers: [
        {
          name: 'web',
          image: 'registry.example.org/web:1',
          env: options.env ?? [],
          volumeMounts: mountSocket ? [{ name: volume.name, mountPath: '/spiffe-workload-api', readOnly: true }] : [],
        },
      ],
      volumes: mountSocket ? [volume] : [],
    },
    status: { phase: 'Running' },
  };
}

/** Builds an agent pod of the quickstart DaemonSet, mounting the host socket directory where agent.conf puts the socket. */
export function quickstartAgentPod(nodeName: string, name = `spire-agent-${nodeName}`): KubePod {
  return {
    metadata: { name, namespace: 'spire', labels: { app: 'spire-agent' } },
    spec: {
      nodeName,
      containers: [
        {
          name: 'spire-agent',
          image: 'ghcr.io/spiffe/spire-agent:1.15.3',
          args: ['-config', '/run/spire/config/agent.conf'],
          volumeMounts: [
            { name: 'spire-config', mountPath: '/run/spire/config', readOnly: true },
            { name: 'spire-agent-socket', mountPath: '/run/spire/sockets', readOnly: false },
          ],
        },
      ],
      volumes: [
        { name: 'spire-config', configMap: { name: 'spire-agent' } },
        { name: 'spire-agent-socket', hostPath: { path: '/run/spire/sockets', type: 'DirectoryOrCreate' } },
      ],
    },
    status: { phase: 'Running' },
  };
}

export function quickstartServerPod(): KubePod {
  return {
    metadata: { name: 'spire-server-0', namespace: 'spire', labels: { app: 'spire-server' } },
    spec: {
      nodeName: 'node-b',
      containers: [{ name: 'spire-server', image: 'ghcr.io/spiffe/spire-server:1.15.3' }],
      volumes: [{ name: 'spire-config', configMap: { name: 'spire-server' } }],
    },
    status: { phase: 'Running' },
  };
}

/**
 * A FakeKubeSource with the quickstart layout: workload web-0 in shop on node-a, agents
 * on node-a and node-b, one server, its ConfigMaps, logs, and an exec handler that
 * returns SPIRE CLI output as SPIRE 1.15 prints it.
 */
export function quickstartCluster(): FakeKubeSource {
  const source = new FakeKubeSource();
  source.pods = [workloadPod(), quickstartAgentPod('node-a'), quickstartAgentPod('node-b'), quickstartServerPod()];
  source.nodes = [{ metadata: { name: 'node-a', uid: 'node-uid-a' } }];
  source.events = [
    { metadata: { name: 'web-0.2', namespace: 'shop' }, reason: 'Started', lastTimestamp: '2024-05-14T09:50:02Z' },
    { metadata: { name: 'web-0.1', namespace: 'shop' }, reason: 'Pulled', lastTimestamp: '2024-05-14T09:50:01Z' },
  ];
  source.configMaps = [
    { metadata: { name: 'spire-agent', namespace: 'spire' }, data: { 'agent.conf': AGENT_CONF_QUICKSTART } },
    { metadata: { name: 'spire-server', namespace: 'spire' }, data: { 'server.conf': 'server {\n  trust_domain = "example.org"\n}\n' } },
  ];
  source.logs = {
    'spire/spire-agent-node-a/spire-agent': 'time="2024-05-14T09:49:00Z" level=info msg="Starting Workload and SDS APIs"\nline two\n',
    'spire/spire-server-0/spire-server': 'time="2024-05-14T09:48:00Z" level=info msg="Starting Server APIs"\n',
  };
  source.execHandler = ({ command }) => {
    const line = command.join(' ');
    if (line.includes('healthcheck')) return ok('Agent is healthy.\n');
    if (line.includes('entry show')) return ok(ENTRY_SHOW_JSON);
    if (line.includes('agent list')) return ok(AGENT_LIST_JSON);
    if (line.includes('api fetch x509')) return ok(FETCH_X509_JSON);
    return ok('');
  };
  return source;
}
