/**
 * An in-memory KubeSource for probe tests. It stores objects, pod logs and an exec
 * handler, records every call, and raises KubeApiError for configured failures the way
 * the live adapter does.
 */
import type { KubeCustomResource, KubeEvent, KubeNode, KubePod } from '../../../src/evidence/kube-types.js';
import { KubeApiError, type KubeStatus } from '../../../src/probes/kube/errors.js';
import type {
  EphemeralContainerSpec,
  ExecResult,
  KubeConfigMap,
  KubeSource,
  ListOptions,
} from '../../../src/probes/kube/source.js';

export type ExecHandler = (call: { namespace: string; pod: string; container: string; command: readonly string[] }) => ExecResult | Promise<ExecResult>;

/** A failure to raise from one method, optionally only in one namespace. */
export interface FakeFailure {
  readonly method: keyof KubeSource;
  readonly namespace?: string;
  readonly error: Error;
}

export class FakeKubeSource implements KubeSource {
  readonly serverUrl = 'https://127.0.0.1:6443';
  readonly configDescription = 'kubeconfig /tmp/test-kubeconfig, context "test"';
  pods: KubePod[] = [];
  nodes: KubeNode[] = [];
  events: KubeEvent[] = [];
  configMaps: KubeConfigMap[] = [];
  /** Custom resources by plural; a missing plural returns 404 like an absent CRD. */
  customObjects: Record<string, KubeCustomResource[]> = {};
  /** Log text by `namespace/pod/container`, with `/previous` appended for the last terminated run. */
  logs: Record<string, string> = {};
  failures: FakeFailure[] = [];
  execHandler: ExecHandler = () => ok('');
  readonly calls: string[] = [];
  readonly execCalls: { namespace: string; pod: string; container: string; command: readonly string[] }[] = [];
  readonly ephemeralContainers: { namespace: string; pod: string; container: EphemeralContainerSpec }[] = [];

  async readPod(namespace: string, name: string): Promise<KubePod> {
    this.enter('readPod', namespace);
    const pod = this.pods.find((candidate) => candidate.metadata?.namespace === namespace && candidate.metadata?.name === name);
    if (pod === undefined) throw notFound('pods', name);
    return pod;
  }

  async readNode(name: string): Promise<KubeNode> {
    this.enter('readNode');
    const node = this.nodes.find((candidate) => candidate.metadata?.name === name);
    if (node === undefined) throw notFound('nodes', name);
    return node;
  }

  async listPods(namespace: string, options: ListOptions = {}): Promise<KubePod[]> {
    this.enter('listPods', namespace, options.labelSelector);
    return this.pods.filter((pod) => pod.metadata?.namespace === namespace && matchesLabels(pod.metadata?.labels, options.labelSelector));
  }

  async listEvents(namespace: string, options: ListOptions = {}): Promise<KubeEvent[]> {
    this.enter('listEvents', namespace, options.fieldSelector);
    return this.events.filter((event) => event.metadata?.namespace === namespace);
  }

  async listConfigMaps(namespace: string): Promise<KubeConfigMap[]> {
    this.enter('listConfigMaps', namespace);
    return this.configMaps.filter((configMap) => configMap.metadata?.namespace === namespace);
  }

  async listClusterCustomObjects(group: string, version: string, plural: string): Promise<KubeCustomResource[]> {
    this.enter('listClusterCustomObjects', undefined, `${plural}.${group}/${version}`);
    const items = this.customObjects[plural];
    if (items === undefined) throw notFound(`${plural}.${group}`, '');
    return items;
  }

  async readPodLog(namespace: string, pod: string, options: { container: string; tailLines: number; previous?: boolean }): Promise<string> {
    const key = `${namespace}/${pod}/${options.container}${options.previous ? '/previous' : ''}`;
    this.enter('readPodLog', namespace, key.slice(namespace.length + 1));
    const text = this.logs[key];
    if (text === undefined) throw notFound('pods', pod);
    return text;
  }

  async exec(namespace: string, pod: string, container: string, command: readonly string[]): Promise<ExecResult> {
    this.enter('exec', namespace, `${pod}/${container}`);
    const call = { namespace, pod, container, command };
    this.execCalls.push(call);
    return this.execHandler(call);
  }

  async addEphemeralContainer(namespace: string, pod: string, container: EphemeralContainerSpec): Promise<KubePod> {
    this.enter('addEphemeralContainer', namespace, pod);
    this.ephemeralContainers.push({ namespace, pod, container });
    return this.readPod(namespace, pod);
  }

  private enter(method: keyof KubeSource, namespace?: string, detail?: string): void {
    this.calls.push([method, namespace, detail].filter((part) => part !== undefined).join(' '));
    const failure = this.failures.find((candidate) => candidate.method === method && (candidate.namespace === undefined || candidate.namespace === namespace));
    if (failure !== undefined) throw failure.error;
  }
}

/** Returns the exec result of a command that exited 0. */
export function ok(stdout: string, stderr = ''): ExecResult {
  return { exitCode: 0, stdout, stderr, status: { status: 'Success' } };
}

/** Returns the exec result of a command that exited with `code`, with the status the API server sends. */
export function exited(code: number, stderr: string, stdout = ''): ExecResult {
  return {
    exitCode: code,
    stdout,
    stderr,
    status: {
      status: 'Failure',
      reason: 'NonZeroExitCode',
      message: `command terminated with non-zero exit code: error executing command [...], exit code ${code}`,
      details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
    },
  };
}

/** Returns the exec result when the runtime cannot start the binary (containerd wording). */
export function notStarted(binary: string): ExecResult {
  return {
    exitCode: undefined,
    stdout: '',
    stderr: '',
    status: {
      status: 'Failure',
      reason: 'InternalError',
      message: `Internal error occurred: error executing command in container: failed to exec in container: OCI runtime exec failed: exec failed: unable to start container process: exec: "${binary}": executable file not found in $PATH: unknown`,
    },
  };
}

/** Builds a 403 error with the message the API server sends. */
export function forbidden(resource: string, namespace: string, verb = 'create'): KubeApiError {
  const status: KubeStatus = {
    status: 'Failure',
    reason: 'Forbidden',
    code: 403,
    message: `${resource} is forbidden: User "system:serviceaccount:ops:doctor" cannot ${verb} resource "${resource}" in API group "" in the namespace "${namespace}"`,
  };
  return new KubeApiError(`kubernetes API request failed with HTTP 403: ${status.message}`, 403, status);
}

function notFound(resource: string, name: string): KubeApiError {
  const message = `${resource} "${name}" not found`;
  return new KubeApiError(`kubernetes API request failed with HTTP 404: ${message}`, 404, { status: 'Failure', reason: 'NotFound', code: 404, message });
}

function matchesLabels(labels: Readonly<Record<string, string>> | undefined, selector: string | undefined): boolean {
  if (selector === undefined || selector === '') return true;
  return selector.split(',').every((requirement) => {
    const [key, value] = requirement.split('=');
    return key !== undefined && labels?.[key] === value;
  });
}
