/**
 * The command or source for each evidence field, quoted in the fix of a skipped check
 * so the reader can add the field to the evidence file by hand.
 */
import type { EvidenceField } from '../types.js';

const HOW_TO_GATHER: Readonly<Partial<Record<EvidenceField, string>>> = {
  pod: 'kubectl get pod NAME -n NS -o json',
  pods: 'kubectl get pods -A -o json (the .items array)',
  process: 'read /proc/PID on the workload host (uid, gid, exe path)',
  events: 'kubectl get events -n NS --field-selector involvedObject.name=NAME -o json (the .items array)',
  node: 'kubectl get node NODE -o json',
  entries: 'spire-server entry show -output json',
  agents: 'spire-server agent list -output json',
  agentPods: 'kubectl get pods -n spire -l app=spire-agent -o json (the .items array)',
  agentHealth: 'spire-agent healthcheck in the agent pod on the workload node',
  agentLogs: "kubectl logs of the agent pod on the workload's node",
  serverLogs: 'kubectl logs of the SPIRE server pod',
  serverPods: 'kubectl get pods -n spire -l app=spire-server -o json (the .items array)',
  agentConfig: 'the agent.conf text from the agent ConfigMap',
  serverConfig: 'the server.conf text from the server ConfigMap',
  workloadFetch: 'spire-agent api fetch x509 run inside the workload pod (exit code, stdout, stderr)',
  servedCertificates: 'openssl s_client -showcerts against the workload port',
  expectedSpiffeId: 'the SPIFFE ID the workload or its peers expect (--expect-id)',
  clusterSPIFFEIDs: 'kubectl get clusterspiffeids -o json (the .items array)',
  clusterStaticEntries: 'kubectl get clusterstaticentries -o json (the .items array)',
  controllerManagerConfig: "the SPIRE Controller Manager's config file from its ConfigMap",
  gatheredAt: 'the RFC 3339 time the evidence was taken',
};

/** Returns the command or source that provides `field`, for "gather it with …" hints. */
export function describeEvidenceSource(field: EvidenceField): string {
  return HOW_TO_GATHER[field] ?? `the ${field} field of the evidence file`;
}
