/**
 * Server-side printing for `kubectl get`: kubectl requests a `meta.k8s.io/v1` Table with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,…` and prints its columns. The
 * lab builds Tables for pods and nodes with the columns a Kubernetes 1.30 server prints.
 * Other resources get their plain list, which kubectl prints as NAME and AGE.
 */
import type { ContainerStatus, KubeNode, KubePod } from '../evidence/kube-types.js';
import type { LabResource } from './resources.js';
import type { LabObject } from './scenario-types.js';

/** Content type of a Table reply. */
export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

interface Column {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly description: string;
  /** Columns above 0 show only with `-o wide`. */
  readonly priority: number;
}

type Cell = string | number;

interface TablePrinter {
  readonly columns: readonly Column[];
  readonly cells: (object: LabObject, now: Date) => Cell[];
}

const NAME_COLUMN: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name of the object.', priority: 0 };
const AGE_COLUMN: Column = { name: 'Age', type: 'string', description: 'Time since the object was created.', priority: 0 };

const PRINTERS: Readonly<Record<string, TablePrinter>> = {
  pods: {
    columns: [
      NAME_COLUMN,
      { name: 'Ready', type: 'string', description: 'Ready containers out of all containers.', priority: 0 },
      { name: 'Status', type: 'string', description: 'Pod phase, or the reason a container is not running.', priority: 0 },
      { name: 'Restarts', type: 'string', description: 'Container restarts.', priority: 0 },
      AGE_COLUMN,
      { name: 'IP', type: 'string', description: 'Pod IP address.', priority: 1 },
      { name: 'Node', type: 'string', description: 'Node the pod is scheduled on.', priority: 1 },
    ],
    cells: (object, now) => podCells(object as KubePod & LabObject, now),
  },
  nodes: {
    columns: [
      NAME_COLUMN,
      { name: 'Status', type: 'string', description: 'Ready condition and scheduling state.', priority: 0 },
      { name: 'Roles', type: 'string', description: 'Roles from node-role.kubernetes.io labels.', priority: 0 },
      AGE_COLUMN,
      { name: 'Version', type: 'string', description: 'Kubelet version.', priority: 0 },
    ],
    cells: (object, now) => nodeCells(object as KubeNode & LabObject, now),
  },
};

/** Reports whether an Accept header requests a Table. */
export function acceptsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((type) => type.includes('as=Table') && type.includes('g=meta.k8s.io'));
}

/** Builds the Table for `objects`, or undefined when the lab prints `resource` client-side. */
export function buildTable(resource: LabResource, objects: readonly LabObject[], resourceVersion: string, now: Date): Record<string, unknown> | undefined {
  const printer = PRINTERS[resource.plural];
  if (!printer) return undefined;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: printer.columns,
    rows: objects.map((object) => ({
      cells: printer.cells(object, now),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata },
    })),
  };
}

/** Formats the time since `timestamp` as kubectl's AGE column does: `45s`, `12m`, `5h3m`, `2d4h`, `400d`, `3y20d`. */
export function formatAge(timestamp: string | undefined, now: Date): string {
  if (!timestamp) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now.getTime() - new Date(timestamp).getTime()) / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (hours < 3) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (days < 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (years < 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

function podCells(pod: KubePod & LabObject, now: Date): Cell[] {
  const statuses = pod.status?.containerStatuses ?? [];
  const ready = statuses.filter((status) => status.ready).length;
  const restarts = statuses.reduce((sum, status) => sum + (status.restartCount ?? 0), 0);
  return [
    pod.metadata.name,
    `${ready}/${pod.spec?.containers?.length ?? 0}`,
    podStatusText(pod, statuses),
    String(restarts),
    formatAge(pod.metadata.creationTimestamp, now),
    pod.status?.podIP ?? '<none>',
    pod.spec?.nodeName ?? '<none>',
  ];
}

/** Returns the STATUS column: a container's waiting or terminated reason, else the pod phase. */
function podStatusText(pod: KubePod, statuses: readonly ContainerStatus[]): string {
  for (const status of statuses) {
    const reason = status.state?.waiting?.reason ?? (status.state?.terminated ? (status.state.terminated.reason ?? 'Error') : undefined);
    if (reason && reason !== 'Completed') return reason;
  }
  return pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
}

function nodeCells(node: KubeNode & LabObject, now: Date): Cell[] {
  const ready = node.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady';
  const status = node.spec?.unschedulable ? `${ready},SchedulingDisabled` : ready;
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((label) => label.startsWith('node-role.kubernetes.io/'))
    .map((label) => label.slice('node-role.kubernetes.io/'.length));
  return [node.metadata.name, status, roles.join(',') || '<none>', formatAge(node.metadata.creationTimestamp, now), node.status?.nodeInfo?.kubeletVersion ?? ''];
}
