/**
 * The kubeconfig that points clients at a running lab: cluster, context and user all
 * named `lab`, a bearer token, and the lab CA as `certificate-authority-data`.
 */
import { stringify } from 'yaml';

/** Name of the lab's cluster, context and user in the kubeconfig. */
export const LAB_CONTEXT_NAME = 'lab';

/** Inputs of {@link renderKubeconfig}. */
export interface KubeconfigInput {
  readonly serverUrl: string;
  readonly caPem: string;
  readonly token: string;
  /** Default namespace of the context. Default `default`. */
  readonly namespace?: string;
}

/** Renders the kubeconfig YAML. */
export function renderKubeconfig(input: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: LAB_CONTEXT_NAME, cluster: { server: input.serverUrl, 'certificate-authority-data': Buffer.from(input.caPem).toString('base64') } }],
    contexts: [{ name: LAB_CONTEXT_NAME, context: { cluster: LAB_CONTEXT_NAME, user: LAB_CONTEXT_NAME, namespace: input.namespace ?? 'default' } }],
    'current-context': LAB_CONTEXT_NAME,
    users: [{ name: LAB_CONTEXT_NAME, user: { token: input.token } }],
    preferences: {},
  });
}
