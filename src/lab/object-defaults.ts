/**
 * Fills in the fields a real cluster sets on pods and nodes (uid, timestamps, IPs,
 * container statuses), derived from the object's own names so they stay stable across
 * runs. Fields the scenario sets are never overwritten.
 */
import type { ContainerStatus, KubeNode, KubePod, PodSpec } from '../evidence/kube-types.js';
import { hexDigest, ipFromSeed, uuidFromSeed } from './deterministic-ids.js';
import type { LabObject } from './scenario-types.js';

/** Formats a time as Kubernetes writes timestamps: RFC 3339 in UTC, whole seconds. */
export function formatKubeTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Kubelet version the lab reports for nodes without one. */
const DEFAULT_KUBELET_VERSION = 'v1.30.0';

/** Completes an object's metadata: uid, creationTimestamp and resourceVersion. */
export function completeMetadata<T extends LabObject>(object: T, kind: string, createdAt: string): T {
  const metadata = object.metadata;
  const seed = `${kind}/${metadata.namespace ?? ''}/${metadata.name}`;
  return {
    ...object,
    metadata: {
      ...metadata,
      uid: metadata.uid ?? uuidFromSeed(seed),
      creationTimestamp: metadata.creationTimestamp ?? createdAt,
      resourceVersion: metadata.resourceVersion ?? '1',
    },
  };
}

/**
 * Returns the fully qualified reference a container runtime reports for `image`:
 * `nginx:1.25` becomes `docker.io/library/nginx:1.25`, and an untagged image gets `:latest`.
 */
export function qualifyImage(image: string): string {
  const firstSlash = image.indexOf('/');
  const firstSegment = firstSlash < 0 ? '' : image.slice(0, firstSlash);
  const hasRegistry = firstSegment.includes('.') || firstSegment.includes(':') || firstSegment === 'localhost';
  let qualified = image;
  if (!hasRegistry) qualified = firstSlash < 0 ? `docker.io/library/${image}` : `docker.io/${image}`;

  const lastSegment = qualified.slice(qualified.lastIndexOf('/') + 1);
  if (!lastSegment.includes(':') && !lastSegment.includes('@')) qualified = `${qualified}:latest`;
  return qualified;
}

/** Returns the image ID (`repository@sha256:…`) a runtime reports for a qualified image. */
export function imageIdFor(qualifiedImage: string): string {
  const at = qualifiedImage.indexOf('@');
  if (at >= 0) return qualifiedImage;
  const lastColon = qualifiedImage.lastIndexOf(':');
  const repository = lastColon > qualifiedImage.lastIndexOf('/') ? qualifiedImage.slice(0, lastColon) : qualifiedImage;
  return `${repository}@sha256:${hexDigest(`image/${qualifiedImage}`)}`;
}

/** Completes a node: metadata, hostname label, InternalIP address, Ready condition, kubelet info. */
export function completeNode(node: KubeNode & LabObject, createdAt: string): KubeNode & LabObject {
  const completed = completeMetadata(node, 'Node', createdAt);
  const name = completed.metadata.name;
  const status = completed.status ?? {};
  return {
    ...completed,
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { ...completed.metadata, labels: { 'kubernetes.io/hostname': name, ...completed.metadata.labels } },
    spec: completed.spec ?? {},
    status: {
      ...status,
      addresses: status.addresses ?? [
        { type: 'InternalIP', address: ipFromSeed('10.0', `node/${name}`) },
        { type: 'Hostname', address: name },
      ],
      conditions: status.conditions ?? [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      nodeInfo: status.nodeInfo ?? { kubeletVersion: DEFAULT_KUBELET_VERSION, containerRuntimeVersion: 'containerd://1.7.13', operatingSystem: 'linux', architecture: 'amd64' },
    },
  };
}

/**
 * Completes a pod: metadata, service account, phase, IPs, conditions and one container
 * status per spec container (running, with a containerd container ID and an image ID).
 */
export function completePod(pod: KubePod & LabObject, nodes: readonly KubeNode[], createdAt: string): KubePod & LabObject {
  const completed = completeMetadata(pod, 'Pod', createdAt);
  const spec: PodSpec = { ...completed.spec, serviceAccountName: completed.spec?.serviceAccountName ?? completed.spec?.serviceAccount ?? 'default' };
  const status = completed.status ?? {};
  const scheduled = typeof spec.nodeName === 'string' && spec.nodeName !== '';
  const phase = status.phase ?? (scheduled ? 'Running' : 'Pending');
  const node = nodes.find((candidate) => candidate.metadata?.name === spec.nodeName);
  const podSeed = `${completed.metadata.namespace ?? ''}/${completed.metadata.name}`;
  const statusTemplate = { phase, createdAt, podSeed, scheduled };

  return {
    ...completed,
    apiVersion: 'v1',
    kind: 'Pod',
    spec,
    status: {
      ...status,
      phase,
      ...(scheduled ? { hostIP: status.hostIP ?? internalIpOf(node), podIP: status.podIP ?? ipFromSeed('10.244', `pod/${podSeed}`) } : {}),
      startTime: status.startTime ?? (scheduled ? createdAt : undefined),
      conditions: status.conditions ?? podConditions(phase, scheduled),
      containerStatuses: completeStatuses(spec.containers ?? [], status.containerStatuses, statusTemplate),
      ...(spec.initContainers ? { initContainerStatuses: completeStatuses(spec.initContainers, status.initContainerStatuses, { ...statusTemplate, init: true }) } : {}),
    },
  };
}

interface StatusTemplate {
  readonly phase: string;
  readonly createdAt: string;
  readonly podSeed: string;
  readonly scheduled: boolean;
  readonly init?: boolean;
}

function internalIpOf(node: KubeNode | undefined): string | undefined {
  return node?.status?.addresses?.find((address) => address.type === 'InternalIP')?.address;
}

function podConditions(phase: string, scheduled: boolean): { type: string; status: string }[] {
  if (!scheduled) return [{ type: 'PodScheduled', status: 'False' }];
  const ready = phase === 'Running' ? 'True' : 'False';
  return [
    { type: 'PodScheduled', status: 'True' },
    { type: 'Initialized', status: 'True' },
    { type: 'ContainersReady', status: ready },
    { type: 'Ready', status: ready },
  ];
}

function completeStatuses(
  containers: readonly { readonly name?: string; readonly image?: string }[],
  given: readonly ContainerStatus[] | undefined,
  template: StatusTemplate,
): ContainerStatus[] | undefined {
  if (given) return given.map((status) => completeStatus(status, containers, template));
  if (!template.scheduled) return undefined;
  return containers.map((container) => completeStatus({ name: container.name }, containers, template));
}

function completeStatus(status: ContainerStatus, containers: readonly { readonly name?: string; readonly image?: string }[], template: StatusTemplate): ContainerStatus {
  const specImage = containers.find((container) => container.name === status.name)?.image ?? 'unknown';
  const image = status.image ?? qualifyImage(specImage);
  const running = template.phase === 'Running' && !template.init;
  return {
    ...status,
    image,
    imageID: status.imageID ?? imageIdFor(image),
    containerID: status.containerID ?? `containerd://${hexDigest(`container/${template.podSeed}/${status.name ?? ''}`)}`,
    ready: status.ready ?? running,
    started: status.started ?? running,
    restartCount: status.restartCount ?? 0,
    state: status.state ?? defaultState(template, running),
  };
}

function defaultState(template: StatusTemplate, running: boolean): ContainerStatus['state'] {
  if (running) return { running: { startedAt: template.createdAt } };
  if (template.init || template.phase === 'Succeeded') {
    return { terminated: { reason: 'Completed', exitCode: 0, startedAt: template.createdAt, finishedAt: template.createdAt } };
  }
  if (template.phase === 'Failed') return { terminated: { reason: 'Error', exitCode: 1, startedAt: template.createdAt, finishedAt: template.createdAt } };
  return { waiting: { reason: 'ContainerCreating' } };
}
