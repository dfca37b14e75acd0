/**
 * The `pods/log` subresource: plain-text container logs with the `PodLogOptions` query
 * parameters (`container`, `previous`, `tailLines`, `sinceSeconds`, `sinceTime`,
 * `timestamps`, `limitBytes`, `follow`) and the kubelet's 400 messages for containers
 * that have no log to show (Kubernetes 1.30 `pkg/kubelet/kubelet_pods.go`).
 */
import type { ServerResponse } from 'node:http';
import type { ContainerStatus, KubePod } from '../evidence/kube-types.js';
import { badRequest } from './api-status.js';
import { logKey, type LabState, type LogLine } from './lab-state.js';
import { resolvePodContainer } from './pod-container.js';

/** Parsed `PodLogOptions`. */
export interface PodLogOptions {
  readonly container: string;
  readonly previous: boolean;
  readonly follow: boolean;
  readonly timestamps: boolean;
  readonly tailLines?: number;
  readonly sinceSeconds?: number;
  readonly sinceTime?: Date;
  readonly limitBytes?: number;
}

/**
 * Reads the log options from a query string.
 * @throws ApiStatusError 400 for values that are not valid numbers or times.
 */
export function parsePodLogOptions(query: URLSearchParams): PodLogOptions {
  const sinceTimeText = query.get('sinceTime');
  const sinceTime = sinceTimeText ? new Date(sinceTimeText) : undefined;
  if (sinceTime && Number.isNaN(sinceTime.getTime())) throw badRequest(`invalid sinceTime "${sinceTimeText}": must be RFC 3339`);
  const options = {
    container: query.get('container') ?? '',
    previous: query.get('previous') === 'true',
    follow: query.get('follow') === 'true',
    timestamps: query.get('timestamps') === 'true',
    tailLines: optionalInteger(query, 'tailLines', 0),
    sinceSeconds: optionalInteger(query, 'sinceSeconds', 1),
    sinceTime,
    limitBytes: optionalInteger(query, 'limitBytes', 1),
  };
  if (options.sinceSeconds !== undefined && sinceTime) throw badRequest('at most one of sinceTime or sinceSeconds may be specified');
  return options;
}

function optionalInteger(query: URLSearchParams, name: string, minimum: number): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) throw badRequest(`invalid ${name} "${text}": must be an integer of at least ${minimum}`);
  return value;
}

/**
 * Writes a container's log to `response`. With `follow`, the response stays open and
 * new lines are streamed until the client disconnects or `closed` resolves.
 * @throws ApiStatusError before anything is written when the pod or container is invalid.
 */
export function servePodLog(state: LabState, namespace: string, podName: string, options: PodLogOptions, response: ServerResponse, closed: Promise<void>): void {
  const { pod, containerName } = resolvePodContainer(state, namespace, podName, options.container);
  checkLogAvailable(pod, podName, containerName, options.previous);

  const key = logKey(namespace, podName, containerName, options.previous);
  const lines = selectLines(state.readLog(key), options, state.now());
  response.writeHead(200, { 'Content-Type': 'text/plain' });
  response.flushHeaders();
  response.write(limitBytes(lines.map((line) => formatLine(line, options)).join(''), options.limitBytes));
  if (!options.follow || options.previous) {
    response.end();
    return;
  }

  const onLine = (lineKey: string, line: LogLine) => {
    if (lineKey === key) response.write(formatLine(line, options));
  };
  state.logEvents.on('line', onLine);
  const stop = () => {
    state.logEvents.off('line', onLine);
    response.end();
  };
  response.on('close', stop);
  void closed.then(stop);
}

function checkLogAvailable(pod: KubePod, podName: string, containerName: string, previous: boolean): void {
  const status = findContainerStatus(pod, containerName);
  if (previous) {
    if (!status?.lastState?.terminated) throw badRequest(`previous terminated container "${containerName}" in pod "${podName}" not found`);
    return;
  }
  if (!status) throw badRequest(`container "${containerName}" in pod "${podName}" is not available`);
  const waiting = status.state?.waiting;
  if (waiting && !status.lastState?.terminated) throw badRequest(`container "${containerName}" in pod "${podName}" is waiting to start: ${waitingReason(waiting.reason)}`);
}

function findContainerStatus(pod: KubePod, containerName: string): ContainerStatus | undefined {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  return statuses.find((status) => status.name === containerName);
}

function waitingReason(reason: string | undefined): string {
  if (reason === 'ErrImagePull' || reason === 'ImagePullBackOff') return "image can't be pulled";
  if (reason === 'ImageInspectError' || reason === 'ErrImageNeverPull') return 'trying and failing to pull image';
  return reason ?? 'ContainerCreating';
}

function selectLines(lines: readonly LogLine[], options: PodLogOptions, now: Date): readonly LogLine[] {
  let since = options.sinceTime;
  if (options.sinceSeconds !== undefined) since = new Date(now.getTime() - options.sinceSeconds * 1000);
  const recent = since ? lines.filter((line) => line.time.getTime() >= (since as Date).getTime()) : lines;
  if (options.tailLines === undefined) return recent;
  return options.tailLines === 0 ? [] : recent.slice(-options.tailLines);
}

function formatLine(line: LogLine, options: PodLogOptions): string {
  return options.timestamps ? `${formatRfc3339Nano(line.time)} ${line.text}\n` : `${line.text}\n`;
}

/** Formats a time as Go's RFC3339Nano does: fraction digits without trailing zeros. */
export function formatRfc3339Nano(time: Date): string {
  return time.toISOString().replace(/\.(\d*?)0*Z$/, (_match, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

function limitBytes(text: string, limit: number | undefined): string {
  if (limit === undefined) return text;
  return Buffer.from(text, 'utf8').subarray(0, limit).toString('utf8');
}
