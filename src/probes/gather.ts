/**
 * The gather service: the one function the commands call to get evidence, whatever its
 * source (a saved evidence file, a live cluster, the lab, or a process on this host).
 * It optionally saves what it gathered, redacted, for `--save-evidence`.
 */
import { loadEvidenceFile, saveEvidenceFile } from '../evidence/file.js';
import type { Evidence } from '../evidence/types.js';
import { loadLabScenario, startLab } from '../lab/index.js';
import { gatherProcessEvidence, type ProcessGatherOptions, type ProcessGatherRequest } from './host/gather-process.js';
import { ClientNodeSource } from './kube/client-node-source.js';
import { gatherNamespaceEvidence, type NamespaceGatherOptions, type NamespaceGatherRequest } from './kube/gather-namespace.js';
import { gatherPodEvidence, type PodGatherOptions, type PodGatherRequest } from './kube/gather-pod.js';
import { loadKubeConfig } from './kube/kube-config.js';

/** The source of the evidence. */
export type EvidenceSource =
  /** A file written by `--save-evidence` or by hand (`--from-evidence`). */
  | { readonly kind: 'evidence-file'; readonly path: string }
  /** One pod of a live cluster reached through a kubeconfig. */
  | ({ readonly kind: 'cluster'; readonly kubeconfigPath?: string; readonly context?: string } & PodGatherRequest)
  /** Every workload pod of a namespace of a live cluster (`check`). */
  | ({ readonly kind: 'cluster-namespace'; readonly kubeconfigPath?: string; readonly context?: string } & NamespaceGatherRequest)
  /** One pod of a lab started for this request from a bundled scenario name or a scenario file, and stopped afterwards. */
  | ({ readonly kind: 'lab'; readonly scenario: string } & PodGatherRequest)
  /** Every workload pod of a namespace of a lab (`check --lab`). */
  | ({ readonly kind: 'lab-namespace'; readonly scenario: string } & NamespaceGatherRequest)
  /** A process on this host (`--pid`). */
  | ({ readonly kind: 'process' } & ProcessGatherRequest);

export interface GatherOptions {
  readonly pod?: PodGatherOptions;
  readonly namespace?: NamespaceGatherOptions;
  readonly process?: ProcessGatherOptions;
  /** Also write the evidence, redacted, to this path (`--save-evidence`). */
  readonly saveEvidencePath?: string;
  /** Overrides the evidence's `expectedSpiffeId` (`--expect-id`), also for evidence files. */
  readonly expectedSpiffeId?: string;
}

/**
 * Gathers evidence from `source` and saves it when asked. The returned evidence is not
 * redacted, because checks may need a JWT's claims. Only the saved file is redacted.
 *
 * @throws UserError when the source cannot be read: a bad evidence file, no kubeconfig,
 *   an unknown pod or process, an unreachable API server, an unknown lab scenario.
 */
export async function gatherEvidence(source: EvidenceSource, options: GatherOptions = {}): Promise<Evidence> {
  const gathered = await gatherFrom(source, options);
  const evidence = options.expectedSpiffeId === undefined ? gathered : { ...gathered, expectedSpiffeId: options.expectedSpiffeId };

  if (options.saveEvidencePath !== undefined) await saveEvidenceFile(options.saveEvidencePath, evidence);
  return evidence;
}

async function gatherFrom(source: EvidenceSource, options: GatherOptions): Promise<Evidence> {
  switch (source.kind) {
    case 'evidence-file':
      return loadEvidenceFile(source.path);
    case 'cluster': {
      const { config, description } = loadKubeConfig({ kubeconfigPath: source.kubeconfigPath, context: source.context });
      return gatherPodEvidence(source, new ClientNodeSource(config, description), options.pod);
    }
    case 'cluster-namespace': {
      const { config, description } = loadKubeConfig({ kubeconfigPath: source.kubeconfigPath, context: source.context });
      return gatherNamespaceEvidence(source, new ClientNodeSource(config, description), options.namespace);
    }
    case 'lab':
      return withLab(source.scenario, (kube) => gatherPodEvidence(source, kube, options.pod));
    case 'lab-namespace':
      return withLab(source.scenario, (kube) => gatherNamespaceEvidence(source, kube, options.namespace));
    case 'process':
      return gatherProcessEvidence(source, options.process);
  }
}

async function withLab(scenario: string, gather: (source: ClientNodeSource) => Promise<Evidence>): Promise<Evidence> {
  const lab = await startLab(await loadLabScenario(scenario));
  try {
    const { config } = loadKubeConfig({ kubeconfigPath: lab.kubeconfigPath, env: {} });
    return await gather(new ClientNodeSource(config, `the lab (scenario ${scenario})`));
  } finally {
    await lab.stop();
  }
}
