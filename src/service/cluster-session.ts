/**
 * A connection to the cluster a pod lives in, kept open for the whole `why` run: a live
 * cluster through a kubeconfig, or a lab started from a scenario and stopped on close.
 * The interactive pick list and the gather share it, so the lab starts only once.
 */
import { loadLabScenario, startLab } from '../lab/index.js';
import { ClientNodeSource } from '../probes/kube/client-node-source.js';
import { loadKubeConfig } from '../probes/kube/kube-config.js';
import type { KubeSource } from '../probes/kube/source.js';

export type ClusterTarget =
  | { readonly kind: 'cluster'; readonly kubeconfigPath?: string; readonly context?: string }
  | { readonly kind: 'lab'; readonly scenario: string };

export interface ClusterSession {
  readonly source: KubeSource;
  /** The kubeconfig the gather should use; for a lab, the file the lab wrote. */
  readonly kubeconfigPath: string | undefined;
  readonly context: string | undefined;
  /** The namespace of the kubeconfig's current context, if it names one. */
  readonly contextNamespace: string | undefined;
  close(): Promise<void>;
}

/**
 * Opens a session to a live cluster or starts a lab.
 *
 * @throws UserError for a missing kubeconfig, an unknown context or an unknown scenario.
 */
export async function openClusterSession(target: ClusterTarget): Promise<ClusterSession> {
  if (target.kind === 'cluster') {
    const { config, description } = loadKubeConfig({ kubeconfigPath: target.kubeconfigPath, context: target.context });
    return {
      source: new ClientNodeSource(config, description),
      kubeconfigPath: target.kubeconfigPath,
      context: target.context,
      contextNamespace: config.getContextObject(config.getCurrentContext())?.namespace,
      close: async () => {},
    };
  }

  const lab = await startLab(await loadLabScenario(target.scenario));
  try {
    const { config } = loadKubeConfig({ kubeconfigPath: lab.kubeconfigPath, env: {} });
    return {
      source: new ClientNodeSource(config, `the lab (scenario ${target.scenario})`),
      kubeconfigPath: lab.kubeconfigPath,
      context: undefined,
      contextNamespace: undefined,
      close: () => lab.stop(),
    };
  } catch (error) {
    await lab.stop();
    throw error;
  }
}
