/**
 * The basic shape of an evidence file (apiVersion `spiffe-doctor/v1`): which fields are
 * strings, numbers, arrays or objects. Only the structure is checked here; whether the
 * content makes sense (a selector that matches, a SPIFFE ID that parses) is for the checks.
 */
import {
  aBoolean,
  aDateTime,
  anInt64,
  anInteger,
  anyObject,
  arrayOf,
  aNumber,
  aString,
  eitherOf,
  isPlainObject,
  objectOf,
  recordOf,
  theString,
  type ShapeProblem,
  type ShapeRule,
} from './shape.js';
import { EVIDENCE_API_VERSION } from './types.js';

const strings = arrayOf(aString);

const objectMeta = objectOf({
  name: aString,
  namespace: aString,
  uid: aString,
  labels: recordOf(aString),
  annotations: recordOf(aString),
  ownerReferences: arrayOf(objectOf({ apiVersion: aString, kind: aString, name: aString, uid: aString, controller: aBoolean })),
  creationTimestamp: aString,
});

const container = objectOf({
  name: aString,
  image: aString,
  command: strings,
  args: strings,
  env: arrayOf(objectOf({ name: aString, value: aString })),
  volumeMounts: arrayOf(objectOf({ name: aString, mountPath: aString, subPath: aString, readOnly: aBoolean })),
});

const containerStatus = objectOf({
  name: aString,
  image: aString,
  imageID: aString,
  containerID: aString,
  ready: aBoolean,
  started: aBoolean,
  restartCount: aNumber,
  state: anyObject,
  lastState: anyObject,
});

const kubePod = objectOf({
  metadata: objectMeta,
  spec: objectOf({
    serviceAccountName: aString,
    nodeName: aString,
    hostPID: aBoolean,
    containers: arrayOf(container),
    initContainers: arrayOf(container),
    ephemeralContainers: arrayOf(container),
    volumes: arrayOf(objectOf({ name: aString, hostPath: objectOf({ path: aString }), csi: objectOf({ driver: aString }) })),
  }),
  status: objectOf({
    phase: aString,
    conditions: arrayOf(anyObject),
    containerStatuses: arrayOf(containerStatus),
    initContainerStatuses: arrayOf(containerStatus),
    ephemeralContainerStatuses: arrayOf(containerStatus),
  }),
});

const kubeObject = objectOf({ metadata: objectMeta, spec: anyObject, status: anyObject });

const spiffeIdJson = objectOf({ trust_domain: aString, path: aString }, ['trust_domain', 'path']);
const selectorJson = objectOf({ type: aString, value: aString }, ['type', 'value']);

const entryJson = objectOf(
  {
    id: aString,
    spiffe_id: spiffeIdJson,
    parent_id: spiffeIdJson,
    selectors: arrayOf(selectorJson),
    x509_svid_ttl: aNumber,
    jwt_svid_ttl: aNumber,
    federates_with: strings,
    admin: aBoolean,
    downstream: aBoolean,
    expires_at: anInt64,
    dns_names: strings,
    revision_number: anInt64,
    store_svid: aBoolean,
    hint: aString,
    created_at: anInt64,
  },
  ['spiffe_id', 'parent_id', 'selectors'],
);

const agentJson = objectOf(
  {
    id: spiffeIdJson,
    attestation_type: aString,
    x509svid_serial_number: aString,
    x509svid_expires_at: anInt64,
    selectors: arrayOf(selectorJson),
    banned: aBoolean,
    can_reattest: aBoolean,
    agent_version: aString,
  },
  ['id'],
);

const agentHealth = objectOf({ node: aString, healthy: aBoolean, output: aString }, ['healthy']);

/** Accepts a single value, or (for fleet evidence) an object keyed by node name. */
function perNode(single: ShapeRule, isSingle: (value: unknown) => boolean): ShapeRule {
  return eitherOf(single, recordOf(single), (value) => (isPlainObject(value) && !isSingle(value) ? 'second' : 'first'));
}

/** Accepts a bare array, or the whole CLI output object that wraps it under `key`. */
function listOrWrapped(key: string, item: ShapeRule): ShapeRule {
  return eitherOf(arrayOf(item), objectOf({ [key]: arrayOf(item) }, [key]), (value) =>
    Array.isArray(value) ? 'first' : 'second',
  );
}

const evidenceFields: Readonly<Record<string, ShapeRule>> = {
  apiVersion: theString(EVIDENCE_API_VERSION),
  kind: theString('Evidence'),
  pod: kubePod,
  pods: arrayOf(kubePod),
  process: objectOf({
    pid: anInteger,
    uid: anInteger,
    gid: anInteger,
    user: aString,
    group: aString,
    path: aString,
    sha256: aString,
    supplementaryGids: arrayOf(anInteger),
    cgroup: aString,
  }),
  events: arrayOf(kubeObject),
  node: kubeObject,
  entries: listOrWrapped('entries', entryJson),
  agents: listOrWrapped('agents', agentJson),
  agentPods: arrayOf(kubePod),
  serverPods: arrayOf(kubePod),
  agentHealth: perNode(agentHealth, (value) => isPlainObject(value) && 'healthy' in value),
  agentLogs: perNode(strings, Array.isArray),
  serverLogs: strings,
  agentConfig: perNode(aString, (value) => typeof value === 'string'),
  serverConfig: aString,
  workloadFetch: objectOf(
    {
      exitCode: anInteger,
      stdout: aString,
      stderr: aString,
      socketPath: aString,
      container: aString,
      viaDebugContainer: aBoolean,
      note: aString,
    },
    ['exitCode'],
  ),
  servedCertificates: arrayOf(objectOf({ port: anInteger, pem: aString }, ['port', 'pem'])),
  expectedSpiffeId: aString,
  clusterSPIFFEIDs: arrayOf(kubeObject),
  clusterStaticEntries: arrayOf(kubeObject),
  controllerManagerConfig: aString,
  gatherErrors: recordOf(aString),
  gatheredAt: aDateTime,
};

function hasPodName(pod: Record<string, unknown>): boolean {
  const metadata = pod.metadata;
  return isPlainObject(metadata) && typeof metadata.name === 'string' && metadata.name !== '';
}

/**
 * Validates a parsed evidence document against the evidence-v1 shape and returns every
 * problem found (empty when the document is valid). A document needs a workload:
 * `pod` (with a name), `pods` or `process`.
 */
export function validateEvidence(value: unknown): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  objectOf(evidenceFields)(value, '', problems);
  if (!isPlainObject(value)) return problems.map((problem) => ({ ...problem, path: '(document)' }));

  if (value.pod === undefined && value.pods === undefined && value.process === undefined) {
    problems.push({ path: 'pod', expected: 'the workload: "pod", "pods" or "process"', found: 'none of them' });
  }
  if (isPlainObject(value.pod) && !hasPodName(value.pod)) {
    problems.push({ path: 'pod.metadata.name', expected: 'the pod name (the output of kubectl get pod NAME -n NS -o json)', found: 'nothing' });
  }
  return problems;
}
