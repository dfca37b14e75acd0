/**
 * The lab scenario: one YAML or JSON document (apiVersion `spiffe-doctor.lab/v1`)
 * that describes a simulated cluster and the SPIRE deployment inside it.
 *
 * Top-level fields (all lists optional unless noted):
 * - `metadata.name`, `metadata.description`: a name and a one-line summary.
 * - `namespaces`: Namespace objects. Namespaces named by any other object are added.
 * - `nodes`: Node objects (`metadata.name` required).
 * - `pods`: Pod objects (`metadata.name` required). Missing boilerplate is filled in:
 *   uid, creationTimestamp, phase, IPs and container statuses with container and image
 *   IDs derived from the spec, so the same file always yields the same objects.
 * - `configMaps`, `serviceAccounts`, `daemonSets`, `events`: plain Kubernetes objects.
 *   Service accounts named by pods are added.
 * - `clusterSPIFFEIDs`, `clusterStaticEntries`: SPIRE Controller Manager resources.
 * - `logs`: container log lines keyed by `namespace/pod/container`, and by
 *   `namespace/pod/container/previous` for the previous (terminated) instance.
 * - `spire`: the SPIRE state behind the simulated CLIs (see {@link LabSpire}).
 * - `rbac`: requests the lab rejects with 403 Forbidden (see {@link LabRbac}).
 */
import type { KubeCustomResource, KubeEvent, KubeNode, KubePod, ObjectMeta } from '../evidence/kube-types.js';
import type { AgentJson, EntryJson } from '../spire/types.js';

export const LAB_SCENARIO_API_VERSION = 'spiffe-doctor.lab/v1';

/** Any Kubernetes object the lab serves as it is stored. */
export interface LabObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta & { readonly name: string };
  readonly [key: string]: unknown;
}

/** One node's SPIRE agent: its attested record on the server and its health. */
export interface LabAgent {
  /** The node the agent runs on. */
  readonly nodeName: string;
  /**
   * The attested agent record as `spire-server agent list -output json` prints it.
   * Default: a k8s_psat agent whose ID and selectors are derived from the node and the
   * agent pod on it.
   */
  readonly agent?: AgentJson;
  /** Result of `spire-agent healthcheck` on that node. Default: true. */
  readonly healthy?: boolean;
}

/** Location of the Workload API socket that agents create on each node. */
export interface LabAgentSocket {
  /** Host directory that contains the socket. Default `/run/spire/agent-sockets`. */
  readonly hostDir: string;
  /** Socket file name inside `hostDir`. Default `spire-agent.sock`. */
  readonly fileName: string;
}

/** The SPIRE deployment the simulated `spire-server` and `spire-agent` CLIs report. */
export interface LabSpire {
  readonly trustDomain: string;
  /** k8s_psat cluster name used in agent IDs. Default `lab`. */
  readonly clusterName: string;
  /** Registration entries in the `entry show -output json` shape. Missing fields are filled in. */
  readonly entries: readonly EntryJson[];
  /** Agents per node. Nodes with a running agent pod and no record here get a default record. */
  readonly agents: readonly LabAgent[];
  readonly agentSocket: LabAgentSocket;
  /** The agents' `disable_container_selectors` setting: attest pods without container selectors. Default false. */
  readonly disableContainerSelectors: boolean;
  /** Server API socket inside the server container. Default `/tmp/spire-server/private/api.sock`. */
  readonly serverSocketPath: string;
  /**
   * Containers, as `namespace/pod/container`, whose image contains the `spire-agent`
   * binary besides the agent pods' own containers.
   */
  readonly agentBinaryContainers: readonly string[];
}

/** A request the lab rejects with 403 Forbidden. */
export interface LabForbiddenRule {
  /** Kubernetes verb: get, list, watch, create (exec uses create) or patch (ephemeral containers). */
  readonly verb: string;
  /** Resource plural, with a subresource after `/`: `pods`, `pods/log`, `pods/exec`. */
  readonly resource: string;
  /** Namespace the rule applies to; absent means every namespace and the cluster scope. */
  readonly namespace?: string;
}

export interface LabRbac {
  /** User name in Forbidden messages. Default `system:serviceaccount:default:spiffe-doctor`. */
  readonly user: string;
  readonly forbidden: readonly LabForbiddenRule[];
}

/** A validated scenario with every default filled in. */
export interface LabScenario {
  readonly apiVersion: typeof LAB_SCENARIO_API_VERSION;
  readonly name: string;
  readonly description: string;
  /** File the scenario was read from, if any. */
  readonly source?: string;
  readonly namespaces: readonly LabObject[];
  readonly nodes: readonly (KubeNode & LabObject)[];
  readonly pods: readonly (KubePod & LabObject)[];
  readonly configMaps: readonly LabObject[];
  readonly serviceAccounts: readonly LabObject[];
  readonly daemonSets: readonly LabObject[];
  readonly events: readonly (KubeEvent & LabObject)[];
  readonly clusterSPIFFEIDs: readonly (KubeCustomResource & LabObject)[];
  readonly clusterStaticEntries: readonly (KubeCustomResource & LabObject)[];
  /** Log lines keyed by `namespace/pod/container` (plus `/previous` for the previous instance). */
  readonly logs: Readonly<Record<string, readonly string[]>>;
  readonly spire: LabSpire;
  readonly rbac: LabRbac;
}
