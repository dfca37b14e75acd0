/**
 * The Kubernetes operations the probes need, as one small interface. The live
 * implementation wraps `@kubernetes/client-node`; tests use an in-memory one. Objects
 * come back in their JSON form, as `kubectl get -o json` prints them.
 */
import type { KubeCustomResource, KubeEvent, KubeNode, KubePod } from '../../evidence/kube-types.js';
import type { Duplex } from 'node:stream';
import type { KubeStatus } from './errors.js';

/** A ConfigMap as `kubectl get configmap -o json` prints it. */
export interface KubeConfigMap {
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly data?: Readonly<Record<string, string>>;
}

/** Output of a command run in a container. */
export interface ExecResult {
  /** The process exit code; undefined when the command could not be started. */
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /**
   * The final status the API server sent on the exec error channel. A `Failure` with a
   * reason other than `NonZeroExitCode` means the command did not run (for example, the
   * binary is missing from the image).
   */
  readonly status: KubeStatus | undefined;
}

/** A container to add to a running pod with `pods/ephemeralcontainers`. */
export interface EphemeralContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly volumeMounts: readonly { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
  readonly targetContainerName?: string;
}

export interface ListOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/**
 * Read access to one cluster, plus exec and ephemeral containers. Methods throw
 * `KubeApiError` for API errors and `KubeUnreachableError` when the server cannot be reached.
 */
export interface KubeSource {
  /** The API server URL, for error messages. */
  readonly serverUrl: string;
  /** The origin of the connection settings (kubeconfig path and context), for error messages. */
  readonly configDescription: string;

  readPod(namespace: string, name: string): Promise<KubePod>;
  readNode(name: string): Promise<KubeNode>;
  listPods(namespace: string, options?: ListOptions): Promise<KubePod[]>;
  listEvents(namespace: string, options?: ListOptions): Promise<KubeEvent[]>;
  listConfigMaps(namespace: string): Promise<KubeConfigMap[]>;
  /** Lists cluster-scoped custom resources; a 404 means the CRD is not installed. */
  listClusterCustomObjects(group: string, version: string, plural: string): Promise<KubeCustomResource[]>;
  /** Reads the tail of a container log; `previous` reads the log of the container's last terminated run. */
  readPodLog(namespace: string, pod: string, options: { container: string; tailLines: number; previous?: boolean }): Promise<string>;
  exec(namespace: string, pod: string, container: string, command: readonly string[], signal?: AbortSignal): Promise<ExecResult>;
  addEphemeralContainer(namespace: string, pod: string, container: EphemeralContainerSpec): Promise<KubePod>;
  /** Opens a byte stream to `port` of the pod (`pods/portforward`); optional, for the served-certificates probe. */
  openPortForward?(namespace: string, pod: string, port: number): Promise<Duplex>;
}
