/**
 * Shared helpers for the lab tests: start a lab, build clients from its kubeconfig,
 * run exec through client-node and read ApiException bodies as Status objects.
 */
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { loadLabScenario, parseLabScenario, startLab, type LabHandle, type StartLabOptions } from '../../src/lab/index.js';

/** A running lab and clients for it. */
export interface LabClients {
  readonly lab: LabHandle;
  readonly kubeConfig: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly custom: k8s.CustomObjectsApi;
}

/** Starts a lab from a bundled scenario name or inline YAML text and connects clients to it. */
export async function startLabClients(scenario: string, options: StartLabOptions = {}): Promise<LabClients> {
  const loaded = scenario.includes('\n') ? parseLabScenario(scenario, 'inline.yaml') : await loadLabScenario(scenario);
  const lab = await startLab(loaded, options);
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(lab.kubeconfigPath);
  return {
    lab,
    kubeConfig,
    core: kubeConfig.makeApiClient(k8s.CoreV1Api),
    apps: kubeConfig.makeApiClient(k8s.AppsV1Api),
    custom: kubeConfig.makeApiClient(k8s.CustomObjectsApi),
  };
}

/** What an exec returned through client-node. */
export interface ExecOutcome {
  readonly status: k8s.V1Status;
  readonly stdout: string;
  readonly stderr: string;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs `command` in a container through client-node's Exec and waits for the status. */
export async function execInPod(kubeConfig: k8s.KubeConfig, namespace: string, pod: string, container: string, command: string[]): Promise<ExecOutcome> {
  const stdout = collector();
  const stderr = collector();
  const exec = new k8s.Exec(kubeConfig);
  const status = await new Promise<k8s.V1Status>((resolve, reject) => {
    exec.exec(namespace, pod, container, command, stdout.stream, stderr.stream, null, false, resolve).catch(reject);
  });
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}

/** The code and parsed Status body of the ApiException `action` throws. */
export interface ApiFailure {
  readonly code: number;
  readonly body: Record<string, unknown> | undefined;
}

/** Runs `action`, expecting an ApiException, and returns its code and parsed body. */
export async function captureApiFailure(action: () => Promise<unknown>): Promise<ApiFailure> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof k8s.ApiException)) throw error;
    const body = typeof error.body === 'string' && error.body !== '' ? (JSON.parse(error.body) as Record<string, unknown>) : undefined;
    return { code: error.code, body };
  }
  throw new Error('expected the request to fail');
}
