/**
 * The findings catalog: one entry per check with its stable finding code, what it
 * looks at, what it concludes and the fix. Codes are never reused: a check that is
 * removed keeps its entry here, marked retired. `docs/checks.md` is generated from
 * this file (`renderCatalogMarkdown`), and `spiffe-doctor explain` prints an entry.
 *
 * Codes: SD01xx workload, SD02xx server, SD03xx agent, SD04xx socket, SD05xx
 * workload attestation, SD06xx registration, SD07xx registrar, SD08xx SVID.
 */

export interface CatalogEntry {
  /** Stable finding code, for example `SD0101`. */
  readonly code: string;
  readonly checkId: string;
  /** The healthy condition, as the check's title states it. */
  readonly title: string;
  /** The evidence fields and signals the check reads. */
  readonly looksAt: string;
  /** Meaning of a failure. */
  readonly concludes: string;
  /** The fix, with `{name}` placeholders filled from the finding's context when known. */
  readonly fix: string;
  /** Heading anchor in docs/checks.md. */
  readonly anchor: string;
  /** True for the entry of a check that no longer exists; its code stays reserved. */
  readonly retired?: boolean;
}

type EntryText = Omit<CatalogEntry, 'anchor'>;

const ENTRIES: readonly EntryText[] = [
  {
    code: 'SD0101',
    checkId: 'pod-found',
    title: 'Workload pod exists',
    looksAt: 'the `pod` evidence field and the gatherer\'s `gatherErrors.pod`.',
    concludes: '`pod-not-found`: no pod by that name in the namespace, so nothing else can be judged.',
    fix: 'List the pods (`kubectl get pods -n {namespace}`) and pass the current name; a Deployment replaces pods under new names.',
  },
  {
    code: 'SD0102',
    checkId: 'pod-running',
    title: "Workload pod's containers are running",
    looksAt: '`pod.status.phase`, each container state, postStart hooks and `FailedPostStartHook` events.',
    concludes: '`pod-not-running`: a container that is waiting, has terminated or is held by a postStart hook has no container ID the attestor can find.',
    fix: 'Fix why the container does not run (`kubectl describe pod {pod} -n {namespace}`); never wait for the SVID in a postStart hook, or set `disable_container_selectors = true`.',
  },
  {
    code: 'SD0201',
    checkId: 'server-available',
    title: 'SPIRE server is up and can sign',
    looksAt: 'error lines in `serverLogs`: datastore failures, CA and TLS-config failures, "Server crashed".',
    concludes: '`server-unavailable`: agents cannot attest or sync while the server cannot use its datastore or sign.',
    fix: 'Restore the datastore or CA named in the server log, restart the server, and confirm `spire-server healthcheck` prints "Server is healthy."',
  },
  {
    code: 'SD0301',
    checkId: 'agent-on-node',
    title: "A SPIRE agent runs on the workload's node",
    looksAt: '`agentPods` by node, the `node` taints and labels against the agent pods\' tolerations and nodeSelector.',
    concludes: '`agent-not-on-node`: nothing serves the Workload API socket on that node.',
    fix: 'Add a toleration for the node taint to the spire-agent DaemonSet (and the CSI driver DaemonSet), or fix its nodeSelector, then wait for an agent pod on {node}.',
  },
  {
    code: 'SD0302',
    checkId: 'agent-healthy',
    title: "The agent on the workload's node is healthy",
    looksAt: "the agent pod's container states and restarts, `agentHealth`, and the agent's last \"Agent crashed\" line.",
    concludes: '`agent-unhealthy`: the agent is crash-looping, not ready, or fails its health check; a crash caused by the server or by a rejected agent identity is left to those checks.',
    fix: "Read the agent's last error (`kubectl logs --previous`); an unresolvable `server_address` needs the server Service's real name.",
  },
  {
    code: 'SD0303',
    checkId: 'agent-attested',
    title: "The agent on the workload's node is attested and its SVID is current",
    looksAt: "`agents` (banned, `x509svid_expires_at` against the evidence time, presence of the node's agent) and the agent's crash and sync errors.",
    concludes: '`agent-not-attested`: the agent cannot sync because its own SVID expired, it was banned or evicted, its join token was used, or its cached trust bundle is stale.',
    fix: 'Restart the agent so it attests again; for a stale bundle, delete the cached bundle in its data_dir first; check a fresh expiry in `spire-server agent list`.',
  },
  {
    code: 'SD0401',
    checkId: 'socket-mounted',
    title: 'Workload API socket is mounted into the workload',
    looksAt: "the workload container's socket path (SPIFFE_ENDPOINT_SOCKET, the fetch, Istio's convention) and the volume mounted there.",
    concludes: '`socket-not-mounted`: no hostPath or CSI volume provides the socket directory; an emptyDir is private to the pod.',
    fix: 'Mount the agent socket directory: a `csi.spiffe.io` CSI volume or a hostPath of the agent socket directory, at the directory of the socket path.',
  },
  {
    code: 'SD0402',
    checkId: 'socket-path-matches',
    title: "The workload's socket path is where the agent serves",
    looksAt: "the workload's socket path against the agent's `socket_path` (agent.conf or its start log) and, for hostPath volumes, the host directories.",
    concludes: '`socket-path-mismatch`: the workload dials a file name or directory where the agent does not serve.',
    fix: 'Set SPIFFE_ENDPOINT_SOCKET (and `-socketPath`) to the agent socket file name in the mounted directory, or change the agent `socket_path`.',
  },
  {
    code: 'SD0403',
    checkId: 'socket-reachable',
    title: 'The workload can connect to the Workload API socket',
    looksAt: "the fetch's `connect: permission denied`, SELinux options and denials, and sandboxed runtime classes (Kata, gVisor).",
    concludes: '`socket-unreachable`: the kernel or the sandbox refuses the connection before the agent sees it.',
    fix: 'Relabel the socket directory to a type containers may use (`container_file_t`), fix the socket permissions, or run the workload with the default runtime class.',
  },
  {
    code: 'SD0501',
    checkId: 'workload-attested',
    title: 'The agent attests the workload with its Kubernetes selectors',
    looksAt: 'workload attestor errors in `agentLogs`, callers attested with only `unix` selectors, DeadlineExceeded fetches and the agent pod\'s hostPID.',
    concludes: '`workload-attestation-failed`: the kubelet is unreachable or refuses the agent, the container is not found, or the agent lacks hostPID.',
    fix: 'Point the k8s attestor at a kubelet address it can reach (node_name_env with the downward API, hostNetwork), grant nodes/proxy, or set hostPID: true.',
  },
  {
    code: 'SD0601',
    checkId: 'entry-exists',
    title: 'A registration entry exists for the workload',
    looksAt: "`entries` against the workload's selectors (attested or predicted from the pod).",
    concludes: '`entry-missing`: no entry matches the workload or was written for it.',
    fix: 'Create one: `spire-server entry create -parentID {parentId} -spiffeID {spiffeId} -selector k8s:ns:{namespace} -selector k8s:sa:{serviceAccount}`.',
  },
  {
    code: 'SD0602',
    checkId: 'entry-selectors-match',
    title: "The workload's entry selectors match what the agent attests",
    looksAt: 'the nearest entry written for the workload and each of its selectors the workload lacks.',
    concludes: '`selector-mismatch`: the entry asks for a selector value the workload does not have (for example another namespace).',
    fix: 'Change the entry selectors to what the workload has (`spire-server entry update`), or run the workload where the entry expects it.',
  },
  {
    code: 'SD0603',
    checkId: 'entry-parent-authorized',
    title: "The entry's parent ID authorises the agent on the workload's node",
    looksAt: "the matching entry's parent chain, node aliases and their selectors against the node agent's selectors.",
    concludes: '`parent-id-mismatch`: the server never sends the entry to this agent (an alias the agent is not a member of, or another agent\'s ID).',
    fix: "Make the node alias selectors a subset of the agent's node selectors, or parent the entry to this node's agent.",
  },
  {
    code: 'SD0604',
    checkId: 'entry-not-expired',
    title: "The workload's entry has not expired",
    looksAt: '`expires_at` of the matching entries against the evidence time.',
    concludes: '`entry-expired`: every matching entry has expired.',
    fix: 'Recreate the entry without `-entryExpiry`, or update it with a later expiry.',
  },
  {
    code: 'SD0605',
    checkId: 'entry-synced',
    title: "The workload's entry has reached the agent",
    looksAt: "\"Entry created\" lines in `agentLogs` against the entry's `created_at`, when the log covers its creation.",
    concludes: '`entry-not-synced`: the entry exists and is authorised, but the server has not delivered it to the agent long after the usual 10 seconds.',
    fix: 'Restart the server replicas to rebuild their entry cache and watch the agent log for "Entry created"; check the server release notes for entry cache fixes.',
  },
  {
    code: 'SD0606',
    checkId: 'entry-unique',
    title: 'Exactly one SPIFFE ID matches the workload',
    looksAt: 'the SPIFFE IDs of all entries matching the workload.',
    concludes: '`wrong-identity` (warning): several identities match, and a client taking the first may present the wrong one.',
    fix: 'Make the entries\' selectors disjoint, or set hints and pick the SVID by hint.',
  },
  {
    code: 'SD0607',
    checkId: 'trust-domain-consistent',
    title: 'Server, agent, entry and SVID share one trust domain',
    looksAt: 'trust domains in server.conf, agent.conf, the agent ID, the matching entries, the fetched SVID and the expected ID.',
    concludes: '`trust-domain-mismatch`: one of them names another trust domain, so entries are ignored or SVIDs are rejected.',
    fix: 'Use one trust domain everywhere: recreate entries under spiffe://{trustDomain}/… or correct trust_domain.',
  },
  {
    code: 'SD0701',
    checkId: 'registrar-selects-pod',
    title: 'A ClusterSPIFFEID selects the workload pod',
    looksAt: '`clusterSPIFFEIDs` (className, namespaceSelector, podSelector, fallback) and `controllerManagerConfig` (className, ignoreNamespaces) against the pod.',
    concludes: '`registrar-mismatch`: the SPIRE Controller Manager declares no entry for the pod, and why (an ignored namespace, another className, a selector that excludes it).',
    fix: "Anchor ignoreNamespaces patterns, align className, or add a ClusterSPIFFEID whose selectors take the pod.",
  },
  {
    code: 'SD0801',
    checkId: 'workload-fetch-succeeds',
    title: 'The workload receives an SVID from the Workload API',
    looksAt: '`workloadFetch`: exit code, printed SVIDs, the gRPC status and socket dial errors.',
    concludes: 'The symptom: what the failed fetch means (no socket, nothing listening, no identity issued); ranking ties it to the root cause.',
    fix: 'Follow the root cause; this finding only records what the workload sees.',
  },
  {
    code: 'SD0802',
    checkId: 'svid-identity-expected',
    title: 'The workload gets the SPIFFE ID it is expected to have',
    looksAt: 'the issued SPIFFE ID (fetch, agent log, matching entries) against `expectedSpiffeId` or Istio\'s /ns/<ns>/sa/<sa> convention.',
    concludes: '`wrong-identity`: the workload gets another SPIFFE ID than it or its peers expect.',
    fix: 'Change the entry or the ClusterSPIFFEID spiffeIDTemplate to name {expectedSpiffeId}.',
  },
  {
    code: 'SD0803',
    checkId: 'svid-valid-now',
    title: "The workload's SVID is within its validity period",
    looksAt: 'the fetched SVIDs\' validity against the evidence time.',
    concludes: '`svid-expired`: the agent serves an expired or not-yet-valid SVID (rotation stuck, clock skew).',
    fix: 'Restore agent-to-server connectivity so rotation resumes, and synchronise the node clock.',
  },
  {
    code: 'SD0804',
    checkId: 'served-certificate-valid',
    title: 'The workload serves a current SVID with the expected ID',
    looksAt: '`servedCertificates`: validity against the evidence time and the URI SAN against the expected ID.',
    concludes: '`svid-expired` or `wrong-identity`: the workload presents an old or wrong certificate although it may hold a fresh SVID.',
    fix: 'Make the workload reload its SVID on rotation (watch the Workload API stream, or spiffe-helper).',
  },
  {
    code: 'SD0805',
    checkId: 'federated-bundle-present',
    title: 'Bundles of federated trust domains reach the workload',
    looksAt: '"Federated bundle contents missing" and "no keys found for trust domain" in the agent log and fetch, and bundle refresh errors in the server log.',
    concludes: '`federation-bundle-missing`: the agent has no bundle for a trust domain the workload federates with.',
    fix: 'Bootstrap the remote bundle (`spire-server bundle set -format spiffe -id spiffe://{trustDomain}`) or a ClusterFederatedTrustDomain trustDomainBundle.',
  },
  {
    code: 'SD0806',
    checkId: 'jwt-audience-matches',
    title: 'JWT-SVIDs carry the audience their validator expects',
    looksAt: '"expected audience in […] (audience=[…])" in the agent log or the fetch.',
    concludes: '`jwt-audience-mismatch`: a JWT-SVID was requested for another audience than its validator checks.',
    fix: "Request the JWT-SVID with the validator's audience, or validate with the audience the client uses.",
  },
];

/** Every catalog entry, retired ones included, in code order. */
export const CATALOG: readonly CatalogEntry[] = [...ENTRIES]
  .sort((a, b) => a.code.localeCompare(b.code))
  .map((entry) => ({ ...entry, anchor: entry.checkId }));

/** Returns the catalog entry of a check, if it has one. */
export function findCatalogEntry(checkId: string): CatalogEntry | undefined {
  return CATALOG.find((entry) => entry.checkId === checkId);
}

/** Fills `{name}` placeholders of a fix template; unknown names stay as they are. */
export function fillFixTemplate(template: string, values: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => values[name] ?? placeholder);
}
