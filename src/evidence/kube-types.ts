/**
 * The parts of Kubernetes objects that spiffe-doctor reads, typed as they appear in
 * `kubectl get -o json`: every field optional, because hand-written evidence files
 * and partial API answers are normal. Unknown fields are kept.
 */

export interface OwnerReference {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly uid?: string;
  readonly controller?: boolean;
}

export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly OwnerReference[];
  readonly creationTimestamp?: string;
  readonly [key: string]: unknown;
}

export interface EnvVar {
  readonly name?: string;
  readonly value?: string;
  readonly valueFrom?: unknown;
}

export interface VolumeMount {
  readonly name?: string;
  readonly mountPath?: string;
  readonly subPath?: string;
  readonly readOnly?: boolean;
}

export interface Container {
  readonly name?: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly volumeMounts?: readonly VolumeMount[];
  readonly securityContext?: Readonly<Record<string, unknown>>;
  readonly lifecycle?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export interface Volume {
  readonly name?: string;
  readonly hostPath?: { readonly path?: string; readonly type?: string };
  readonly csi?: { readonly driver?: string; readonly readOnly?: boolean; readonly volumeAttributes?: Record<string, string> };
  readonly emptyDir?: Readonly<Record<string, unknown>>;
  readonly configMap?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

export interface PodSpec {
  readonly serviceAccountName?: string;
  readonly serviceAccount?: string;
  readonly nodeName?: string;
  readonly hostPID?: boolean;
  readonly hostNetwork?: boolean;
  readonly runtimeClassName?: string;
  readonly containers?: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly ephemeralContainers?: readonly Container[];
  readonly volumes?: readonly Volume[];
  readonly tolerations?: readonly Toleration[];
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly securityContext?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export interface ContainerState {
  readonly running?: { readonly startedAt?: string };
  readonly waiting?: { readonly reason?: string; readonly message?: string };
  readonly terminated?: {
    readonly reason?: string;
    readonly message?: string;
    readonly exitCode?: number;
    readonly startedAt?: string;
    readonly finishedAt?: string;
  };
}

export interface ContainerStatus {
  readonly name?: string;
  readonly image?: string;
  readonly imageID?: string;
  readonly containerID?: string;
  readonly ready?: boolean;
  readonly started?: boolean;
  readonly restartCount?: number;
  readonly state?: ContainerState;
  readonly lastState?: ContainerState;
  readonly [key: string]: unknown;
}

export interface PodCondition {
  readonly type?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface PodStatus {
  readonly phase?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly hostIP?: string;
  readonly podIP?: string;
  readonly conditions?: readonly PodCondition[];
  readonly containerStatuses?: readonly ContainerStatus[];
  readonly initContainerStatuses?: readonly ContainerStatus[];
  readonly ephemeralContainerStatuses?: readonly ContainerStatus[];
  readonly [key: string]: unknown;
}

export interface KubePod {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMeta;
  readonly spec?: PodSpec;
  readonly status?: PodStatus;
}

export interface Taint {
  readonly key?: string;
  readonly value?: string;
  readonly effect?: string;
}

export interface KubeNode {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMeta;
  readonly spec?: { readonly taints?: readonly Taint[]; readonly unschedulable?: boolean; readonly [key: string]: unknown };
  readonly status?: {
    readonly conditions?: readonly PodCondition[];
    readonly nodeInfo?: Readonly<Record<string, string>>;
    readonly addresses?: readonly { readonly type?: string; readonly address?: string }[];
    readonly [key: string]: unknown;
  };
}

export interface KubeEvent {
  readonly metadata?: ObjectMeta;
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly count?: number;
  readonly firstTimestamp?: string;
  readonly lastTimestamp?: string;
  readonly eventTime?: string;
  readonly involvedObject?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** A custom resource as `kubectl get -o json` prints it (ClusterSPIFFEID, ClusterStaticEntry). */
export interface KubeCustomResource {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: ObjectMeta;
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly status?: Readonly<Record<string, unknown>>;
}
