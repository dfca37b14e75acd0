/**
 * The evidence record: everything spiffe-doctor saw about one workload, and what it
 * could not gather and why. It is the `--save-evidence` / `--from-evidence` file
 * (apiVersion `spiffe-doctor/v1`). Each field contains what the real tool prints,
 * unmodified, so a user can assemble a file by hand; a missing field means "not
 * gathered".
 */
import type { KubeCustomResource, KubeEvent, KubeNode, KubePod } from './kube-types.js';
import type { AgentJson, EntryJson } from '../spire/types.js';

export const EVIDENCE_API_VERSION = 'spiffe-doctor/v1';

/** Facts about a workload process outside Kubernetes, read from `/proc/<pid>` on its host. */
export interface ProcessFacts {
  readonly pid?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly user?: string;
  readonly group?: string;
  readonly path?: string;
  readonly sha256?: string;
  /** Supplementary group ids from the `Groups:` line of `/proc/<pid>/status`. */
  readonly supplementaryGids?: readonly number[];
  /** The text of `/proc/<pid>/cgroup`, when read. */
  readonly cgroup?: string;
}

/** Result of `spire-agent healthcheck` run in the agent pod. */
export interface AgentHealth {
  readonly node?: string;
  readonly healthy: boolean;
  readonly output?: string;
}

/** Result of `spire-agent api fetch x509` run inside the workload. */
export interface WorkloadFetch {
  readonly exitCode: number;
  readonly stdout?: string;
  readonly stderr?: string;
  /** The socket path the fetch used (`-socketPath`). */
  readonly socketPath?: string;
  /** The container the fetch ran in. */
  readonly container?: string;
  /**
   * True when the fetch ran in an ephemeral debug container rather than in the workload
   * container, whose `k8s:container-*` selectors then differ from the workload's.
   */
  readonly viaDebugContainer?: boolean;
  /** What a reader must know to interpret this fetch (for example, how the debug container differs). */
  readonly note?: string;
}

export interface ServedCertificate {
  readonly port: number;
  readonly pem: string;
}

/** Per-node values for fleet evidence (`check`), keyed by node name. */
export type ByNode<T> = Readonly<Record<string, T>>;

export interface Evidence {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly pod?: KubePod;
  readonly pods?: readonly KubePod[];
  readonly process?: ProcessFacts;
  readonly events?: readonly KubeEvent[];
  readonly node?: KubeNode;
  readonly entries?: readonly EntryJson[] | { readonly entries: readonly EntryJson[] };
  readonly agents?: readonly AgentJson[] | { readonly agents: readonly AgentJson[] };
  readonly agentPods?: readonly KubePod[];
  readonly agentHealth?: AgentHealth | ByNode<AgentHealth>;
  readonly agentLogs?: readonly string[] | ByNode<readonly string[]>;
  readonly serverLogs?: readonly string[];
  /** The SPIRE server pods (`kubectl get pods -n spire -l app=spire-server -o json`, the .items array). */
  readonly serverPods?: readonly KubePod[];
  readonly agentConfig?: string | ByNode<string>;
  readonly serverConfig?: string;
  readonly workloadFetch?: WorkloadFetch;
  readonly servedCertificates?: readonly ServedCertificate[];
  readonly expectedSpiffeId?: string;
  readonly clusterSPIFFEIDs?: readonly KubeCustomResource[];
  readonly clusterStaticEntries?: readonly KubeCustomResource[];
  readonly controllerManagerConfig?: string;
  readonly gatherErrors?: Readonly<Record<string, string>>;
  /** RFC 3339; time-based checks use it as "now". */
  readonly gatheredAt?: string;
  /** Fields a later version may add are kept when a file is loaded and saved again. */
  readonly [extra: string]: unknown;
}
