/**
 * The live {@link KubeSource}: `@kubernetes/client-node` 1.4 against a real cluster or
 * the lab. Typed API results are serialised back to their JSON form so evidence contains
 * what `kubectl get -o json` prints.
 */
import { Duplex, PassThrough, Writable } from 'node:stream';

import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  Exec,
  FetchError,
  PatchStrategy,
  PortForward,
  setHeaderOptions,
  type KubeConfig,
  type V1Status,
} from '@kubernetes/client-node';
// The serializer and the WebSocket handler are not re-exported from the package root.
// client-node 1.4 has no exports map, so these deep paths resolve.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import WebSocket from 'ws';

import type { KubeCustomResource, KubeEvent, KubeNode, KubePod } from '../../evidence/kube-types.js';
import { KubeApiError, KubeUnreachableError, type KubeStatus } from './errors.js';
import { exitCodeFromStatus } from './exec-status.js';
import type { EphemeralContainerSpec, ExecResult, KubeConfigMap, KubeSource, ListOptions } from './source.js';

/** A {@link KubeSource} backed by `@kubernetes/client-node`. */
export class ClientNodeSource implements KubeSource {
  readonly serverUrl: string;
  readonly configDescription: string;
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(
    private readonly config: KubeConfig,
    configDescription: string,
  ) {
    this.serverUrl = config.getCurrentCluster()?.server ?? '(no server)';
    this.configDescription = configDescription;
    this.core = config.makeApiClient(CoreV1Api);
    this.custom = config.makeApiClient(CustomObjectsApi);
  }

  async readPod(namespace: string, name: string): Promise<KubePod> {
    const pod = await this.call(() => this.core.readNamespacedPod({ namespace, name }));
    return toJson(pod, 'V1Pod') as KubePod;
  }

  async readNode(name: string): Promise<KubeNode> {
    const node = await this.call(() => this.core.readNode({ name }));
    return toJson(node, 'V1Node') as KubeNode;
  }

  async listPods(namespace: string, options: ListOptions = {}): Promise<KubePod[]> {
    const list = await this.call(() => this.core.listNamespacedPod({ namespace, ...options }));
    return list.items.map((pod) => toJson(pod, 'V1Pod') as KubePod);
  }

  async listEvents(namespace: string, options: ListOptions = {}): Promise<KubeEvent[]> {
    const list = await this.call(() => this.core.listNamespacedEvent({ namespace, ...options }));
    return list.items.map((event) => toJson(event, 'CoreV1Event') as KubeEvent);
  }

  async listConfigMaps(namespace: string): Promise<KubeConfigMap[]> {
    const list = await this.call(() => this.core.listNamespacedConfigMap({ namespace }));
    return list.items.map((configMap) => toJson(configMap, 'V1ConfigMap') as KubeConfigMap);
  }

  async listClusterCustomObjects(group: string, version: string, plural: string): Promise<KubeCustomResource[]> {
    const list: unknown = await this.call(() => this.custom.listClusterCustomObject({ group, version, plural }));
    const items = (list as { items?: unknown } | undefined)?.items;
    return Array.isArray(items) ? (items as KubeCustomResource[]) : [];
  }

  async readPodLog(namespace: string, pod: string, options: { container: string; tailLines: number; previous?: boolean }): Promise<string> {
    return this.call(() => this.core.readNamespacedPodLog({ namespace, name: pod, ...options }));
  }

  async addEphemeralContainer(namespace: string, pod: string, container: EphemeralContainerSpec): Promise<KubePod> {
    const body = { spec: { ephemeralContainers: [{ ...container, command: [...container.command] }] } };
    const patched = await this.call(() =>
      this.core.patchNamespacedPodEphemeralcontainers(
        { namespace, name: pod, body },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    return toJson(patched, 'V1Pod') as KubePod;
  }

  // TODO: run this against the lab once it serves pods/portforward; only a fake source has driven the probe (remove once a lab test covers it).
  async openPortForward(namespace: string, pod: string, port: number): Promise<Duplex> {
    const fromPod = new PassThrough();
    const toPod = new PassThrough();
    try {
      await new PortForward(this.config).portForward(namespace, pod, [port], fromPod, null, toPod);
    } catch (error) {
      throw this.translate(unwrapErrorEvent(error));
    }
    return Duplex.from({ readable: fromPod, writable: toPod });
  }

  async exec(namespace: string, pod: string, container: string, command: readonly string[], signal?: AbortSignal): Promise<ExecResult> {
    let rejectedUpgrade: KubeApiError | undefined;
    const handler = new WebSocketHandler(this.config, (uri: string, protocols: string[], options: WebSocket.ClientOptions) => {
      const socket = new WebSocket(uri, protocols, options);
      socket.on('unexpected-response', (_request, response) => {
        readBody(response, (body) => {
          rejectedUpgrade = apiErrorFromResponse(response.statusCode ?? 0, body);
          socket.terminate();
        });
      });
      return socket;
    });

    const stdout = new TextCollector();
    const stderr = new TextCollector();
    let status: V1Status | undefined;

    try {
      const socket = await new Exec(this.config, handler).exec(namespace, pod, container, [...command], stdout, stderr, null, false, (received) => {
        status = received;
      });
      await waitForClose(socket, signal);
    } catch (error) {
      if (rejectedUpgrade !== undefined) throw rejectedUpgrade;
      throw this.translate(unwrapErrorEvent(error));
    }

    const execStatus = status as KubeStatus | undefined;
    return { exitCode: exitCodeFromStatus(execStatus), stdout: stdout.text(), stderr: stderr.text(), status: execStatus };
  }

  // NOTE: a probe timeout ends the wait but not these HTTP requests, which run until the server responds.
  // Only exec listens to the abort signal, because client-node 1.4's typed API takes no AbortSignal.
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** Maps client-node failures to this module's errors; anything unexpected passes through unchanged. */
  private translate(error: unknown): unknown {
    if (error instanceof ApiException) {
      return apiErrorFromResponse(error.code, typeof error.body === 'string' ? error.body : undefined, error);
    }
    if (error instanceof FetchError || isSystemError(error)) {
      const reason = error instanceof Error ? error.message : String(error);
      return new KubeUnreachableError(`could not reach the Kubernetes API server at ${this.serverUrl}: ${reason}`, this.serverUrl, {
        cause: error,
      });
    }
    return error;
  }
}

/**
 * Serialises a typed client-node object back to API JSON. The serialiser prints dates
 * with milliseconds, so whole-second `metav1.Time` fields are trimmed back to the API
 * server's form (`2024-05-14T09:50:00Z`), which is what kubectl shows.
 */
function toJson(value: unknown, type: string): unknown {
  return trimWholeSecondTimes(ObjectSerializer.serialize(value, type, ''));
}

/** Fields of type `metav1.Time` in the objects read here (Kubernetes `core/v1` and `meta/v1` types). */
const TIME_FIELDS = new Set([
  'creationTimestamp',
  'deletionTimestamp',
  'startedAt',
  'finishedAt',
  'startTime',
  'lastTransitionTime',
  'lastProbeTime',
  'lastHeartbeatTime',
  'firstTimestamp',
  'lastTimestamp',
  'time',
]);

function trimWholeSecondTimes(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && TIME_FIELDS.has(key) && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/.test(value)) {
    return `${value.slice(0, 19)}Z`;
  }
  if (Array.isArray(value)) return value.map((item) => trimWholeSecondTimes(item));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([name, field]) => [name, trimWholeSecondTimes(field, name)]));
}

function apiErrorFromResponse(code: number, body: string | undefined, cause?: unknown): KubeApiError {
  const status = parseStatus(body);
  const message = status?.message ?? (body?.trim() || `HTTP ${code}`);
  return new KubeApiError(`kubernetes API request failed with HTTP ${code}: ${message}`, code, status, { cause });
}

function parseStatus(body: string | undefined): KubeStatus | undefined {
  if (body === undefined || body === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as KubeStatus) : undefined;
  } catch {
    return undefined;
  }
}

function readBody(response: NodeJS.ReadableStream, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
  response.on('error', () => done(Buffer.concat(chunks).toString('utf8')));
}

function waitForClose(socket: WebSocket, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.readyState === WebSocket.CLOSED) {
      resolve();
      return;
    }
    const onAbort = () => {
      socket.terminate();
      reject(signal?.reason ?? new Error('exec aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** The `ws` `onerror` callback receives an ErrorEvent; the underlying error is its `error` field. */
function unwrapErrorEvent(error: unknown): unknown {
  if (typeof error === 'object' && error !== null && 'error' in error && error.error !== undefined) return error.error;
  return error;
}

function isSystemError(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return false;
  return /^(E[A-Z]+|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_)/.test(error.code);
}

/** A writable stream that keeps what is written to it as text. */
class TextCollector extends Writable {
  private readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    callback();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
