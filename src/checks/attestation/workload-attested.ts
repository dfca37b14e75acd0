/**
 * The agent attests the workload with its Kubernetes selectors. Message and error
 * texts read from SPIRE v1.15.3 (`pkg/agent/attestor/workload`, the k8s workload
 * attestor and its kubelet client). Absence is evidence too: when the agent log shows
 * a caller attested with only `unix` selectors while the k8s attestor is configured,
 * the k8s attestor failed for it.
 */
import type { KubePod } from '../../evidence/kube-types.js';
import { findKubeletFailure } from '../../spire/logs.js';
import { readAgentConfigSafely } from '../support/config-readers.js';
import { failed, passed, skippedFor } from '../support/finding-builders.js';
import type { LogRecord } from '../support/log-records.js';
import { SANDBOX_RUNTIME } from '../support/workload-socket.js';
import { viewWorkload, type WorkloadView } from '../support/workload-view.js';
import type { Check, Finding } from '../types.js';

type AttestationFault =
  | 'kubelet-refused'
  | 'kubelet-untrusted'
  | 'kubelet-client-disabled'
  | 'kubelet-unreachable'
  | 'container-not-found'
  | 'missing-host-pid'
  | 'other';

// Go's crypto/x509 and crypto/tls texts for a kubelet serving certificate the agent does not trust.
const KUBELET_CERTIFICATE_REJECTED = /x509: certificate (signed by unknown authority|is valid for|has expired|is not valid)|tls: failed to verify certificate|cannot validate certificate/;
// SPIRE v1.15.3 rejects PID attestation with FailedPrecondition "kubelet client is disabled" when disable_kubelet_client is set.
const KUBELET_CLIENT_DISABLED = /kubelet client is disabled/;

const ATTESTOR_MESSAGES = [
  /^Failed to collect all selectors( for PID)?$/,
  /^workload attestor ".*" failed$/,
  /^Workload attestation failed$/,
  /^Timed out collecting selectors$/,
  /^Container id not found; giving up$/,
  /^Unable to get pod list; giving up$/,
];

// The attestor's own messages when it gives up on finding the caller's container.
const CONTAINER_NOT_FOUND = /no selectors found after max poll attempts|Container id not found|Timed out collecting selectors/;

const FAULT_TEXT: Readonly<Record<AttestationFault, { summary: string; fix: string[] }>> = {
  'kubelet-unreachable': {
    summary: "the agent's Kubernetes workload attestor cannot reach the kubelet, so it produces no k8s selectors and no entry can match",
    fix: [
      'Point the k8s workload attestor at an address the kubelet listens on: inject MY_NODE_NAME from the downward API (spec.nodeName) and keep node_name_env = "MY_NODE_NAME", or set node_name; run the agent with hostNetwork: true when it uses 127.0.0.1.',
      'Restart the agent DaemonSet and look for "PID attested to have selectors" lines with k8s selectors.',
    ],
  },
  'kubelet-untrusted': {
    summary: "the agent reaches the kubelet but rejects its serving certificate, so the Kubernetes workload attestor produces no k8s selectors and no entry can match",
    fix: [
      'Give the k8s workload attestor the CA that signed the kubelet serving certificates (kubelet_ca_path), or enable kubelet serving certificates signed by the cluster CA (serverTLSBootstrap); skip_kubelet_verification = true works only as a stop-gap.',
      'When the attestor names the node (node_name or node_name_env), the certificate must also be valid for that name or address.',
    ],
  },
  'kubelet-client-disabled': {
    summary: 'the k8s workload attestor runs with disable_kubelet_client = true, so it cannot attest any process by PID',
    fix: ['Remove disable_kubelet_client from the k8s workload attestor config (it is meant for broker-only agents), then restart the agent DaemonSet.'],
  },
  'kubelet-refused': {
    summary: 'the kubelet rejects the agent (401/403): its service account may not read pods from the kubelet',
    fix: ["Grant the agent's service account get on nodes/proxy (and nodes), and make sure the kubelet accepts bearer tokens (--authentication-token-webhook)."],
  },
  'container-not-found': {
    summary: "the attestor never found the caller's container in the kubelet's pod list (the container has not started, a postStart hook is still running, or the agent cannot read the container ID from the caller's cgroup, as with some cgroup v2 layouts)",
    fix: ['If the container is still starting or runs a postStart hook, set disable_container_selectors = true in the k8s workload attestor so pod selectors suffice.', 'Check that the agent runs with hostPID: true and can read /proc/<pid>/cgroup of the workload.'],
  },
  'missing-host-pid': {
    summary: "the agent pod does not share the host PID namespace (hostPID), so it cannot read the caller's /proc entry",
    fix: ['Set hostPID: true in the spire-agent DaemonSet pod spec.'],
  },
  other: {
    summary: 'the workload attestor failed',
    fix: ["Read the agent's workload_attestor errors quoted above and fix the attestor configuration they name."],
  },
};

function classify(record: LogRecord): AttestationFault {
  const error = record.fields.error ?? '';
  const kubelet = findKubeletFailure(error);
  if (kubelet?.statusCode === 401 || kubelet?.statusCode === 403) {
    return 'kubelet-refused';
  }
  if (KUBELET_CLIENT_DISABLED.test(`${record.message} ${error}`)) {
    return 'kubelet-client-disabled';
  }
  if (KUBELET_CERTIFICATE_REJECTED.test(error)) {
    return 'kubelet-untrusted';
  }
  if (CONTAINER_NOT_FOUND.test(`${record.message} ${error}`)) {
    return 'container-not-found';
  }
  return kubelet !== undefined || record.message.startsWith('Unable to get pod list') ? 'kubelet-unreachable' : 'other';
}

function hasK8sAttestor(view: WorkloadView): boolean {
  const read = view.agentConfigText === undefined ? undefined : readAgentConfigSafely(view.agentConfigText);
  const plugins = read?.config?.plugins;
  // Without a config to read, assume the usual Kubernetes setup: the k8s attestor is configured.
  return plugins === undefined || plugins.some((plugin) => plugin.type === 'WorkloadAttestor' && plugin.name === 'k8s');
}

function lacksHostPid(agentPod: KubePod | undefined): boolean {
  return agentPod?.spec !== undefined && agentPod.spec.hostPID !== true && (agentPod.spec.containers?.length ?? 0) > 0;
}

function hasPostStartHook(pod: KubePod | undefined): boolean {
  return (pod?.spec?.containers ?? []).some((container) => container.lifecycle?.postStart !== undefined);
}

function fault(checkId: string, kind: AttestationFault, confidence: 'certain' | 'likely', evidence: string[], view: WorkloadView): Finding {
  const text = FAULT_TEXT[kind];
  const hook = kind === 'container-not-found' && hasPostStartHook(view.pod) ? ' The workload container has a postStart hook, and Kubernetes reports no container ID until it returns.' : '';
  const runtimeClass = view.pod?.spec?.runtimeClassName;
  const sandbox = runtimeClass !== undefined && SANDBOX_RUNTIME.test(runtimeClass)
    ? ` The pod runs in sandboxed runtime class ${runtimeClass}, so the caller PID the agent sees belongs to the sandbox, whose cgroup does not name the workload container.`
    : '';
  return failed(checkId, {
    cause: 'workload-attestation-failed',
    confidence,
    summary: `Workload attestation failed on node ${view.node ?? '?'}: ${text.summary}.${hook}${sandbox}`,
    evidence,
    fix: text.fix,
    explainedBy: ['pod-running'],
  });
}

export const workloadAttestedCheck = {
  id: 'workload-attested',
  category: 'attestation',
  title: 'The agent attests the workload with its Kubernetes selectors',
  severity: 'error',
  requires: [],
  requiresAnyOf: ['agentLogs', 'workloadFetch'],
  dependsOn: ['pod-found'],
  run({ evidence }) {
    const view = viewWorkload(evidence);
    const facts = view.agentLog;
    if (view.fetch?.succeeded === true || (facts?.workloadFetched.length ?? 0) > 0) {
      return [passed(this.id, 'The workload received an SVID, so the agent attested it.')];
    }
    if (facts?.workloadSelectors !== undefined && facts.workloadSelectors.some((selector) => selector.startsWith('k8s:'))) {
      return [passed(this.id, `The agent attested PID ${[...facts.workloadPids].join(', ')} as this pod (${facts.workloadSelectors.length} selectors).`)];
    }

    const errors = (facts?.records ?? []).filter((record) => ATTESTOR_MESSAGES.some((pattern) => pattern.test(record.message)));
    const unixOnly = view.pod === undefined ? [] : (facts?.attestations ?? []).filter((attestation) => attestation.selectors.every((selector) => !selector.startsWith('k8s:')));
    const absenceLines = hasK8sAttestor(view) ? unixOnly.map((attestation) => `PID ${attestation.pid} attested with only ${attestation.selectors.join(', ') || 'no selectors'}`) : [];
    const lastError = errors.at(-1);
    if (lastError !== undefined) {
      // The last line is often the generic "Workload attestation failed"; the plugin's own error comes before it.
      const specific = [...errors].reverse().find((record) => classify(record) !== 'other') ?? lastError;
      const quoted = specific === lastError ? errors.slice(-2) : [specific, lastError];
      return [fault(this.id, classify(specific), 'certain', [...quoted.map((record) => record.raw), ...absenceLines], view)];
    }
    if (absenceLines.length > 0) {
      return [fault(this.id, lacksHostPid(view.agentPodsOnNode?.[0]) ? 'missing-host-pid' : 'kubelet-unreachable', 'likely', absenceLines, view)];
    }
    if (view.fetch?.status?.code === 'DeadlineExceeded') {
      return [fault(this.id, 'container-not-found', 'likely', [`fetch: ${view.fetch.stderr}`], view)];
    }
    if (lacksHostPid(view.agentPodsOnNode?.[0])) {
      return [fault(this.id, 'missing-host-pid', 'likely', ['agent pod spec has no hostPID: true'], view)];
    }

    return [skippedFor(this.id, 'The agent log shows no attestation of this pod, successful or failed: no request from it reached the agent, or the log level hides attestation (it needs DEBUG).')];
  },
} satisfies Check;
