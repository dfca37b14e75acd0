/**
 * The registration entry the SPIRE Controller Manager declares for a pod selected by a
 * ClusterSPIFFEID (`renderPodEntry` in `pkg/spireentry/entries.go`, spire-controller-manager
 * 430567c): SPIFFE ID from the template, parent ID
 * `spiffe://<trust domain>/spire/agent/k8s_psat/<cluster>/<node UID>` unless the config
 * sets `parentIDTemplate`, and the selector `k8s:pod-uid:<pod UID>` plus one selector per
 * `workloadSelectorTemplates` entry.
 */
import type { KubeCustomResource, KubeNode, KubePod } from '../evidence/kube-types.js';
import { isSpiffeIdError } from '../spiffe/errors.js';
import { parseSpiffeId } from '../spiffe/id.js';
import type { ControllerManagerConfig } from './controller-manager-config.js';
import { toClusterSpiffeId, type ClusterSpiffeId } from './controller-manager-resources.js';
import { isGoTemplateError, renderGoTemplate, type GoTemplateData } from './go-template.js';

/** The controller's parent ID template when the config sets none. */
export const DEFAULT_PARENT_ID_TEMPLATE = 'spiffe://{{ .TrustDomain }}/spire/agent/k8s_psat/{{ .ClusterName }}/{{ .NodeMeta.UID }}';

export interface ExpectedPodEntry {
  readonly rendered: true;
  readonly spiffeId: string;
  readonly parentId: string;
  /** `type:value` selectors, `k8s:pod-uid:<uid>` first. */
  readonly selectors: readonly string[];
  /** Rendered `dnsNameTemplates`. Names from `autoPopulateDNSNames` need Endpoints and are not included. */
  readonly dnsNames: readonly string[];
  readonly federatesWith: readonly string[];
  /** Milliseconds; 0 means the server default. */
  readonly x509SvidTtl: number;
  readonly jwtSvidTtl: number;
  readonly admin: boolean;
  readonly downstream: boolean;
  readonly hint?: string;
}

export interface EntryRenderFailure {
  readonly rendered: false;
  /**
   * - `config-incomplete`: the config has no `trustDomain` or `clusterName`;
   * - `node-missing`: the pod is not scheduled or its Node was not given
   *   (the controller counts it in `podEntryRenderFailures`);
   * - `render-failed`: a template fails or renders an invalid SPIFFE ID or selector;
   * - `wrong-trust-domain`: the rendered ID is outside the configured trust domain;
   * - `unsupported-template`: the template uses syntax spiffe-doctor does not evaluate.
   */
  readonly reason: 'config-incomplete' | 'node-missing' | 'render-failed' | 'wrong-trust-domain' | 'unsupported-template';
  readonly detail: string;
}

/**
 * Renders a ClusterSPIFFEID SPIFFE ID template (or any other ClusterSPIFFEID template)
 * with the controller's template data.
 *
 * @throws GoTemplateError when the template fails or is outside the supported subset.
 */
export function renderSpiffeIdTemplate(template: string, data: GoTemplateData): string {
  return renderGoTemplate(template, data);
}

/**
 * Computes the entry the controller would declare for `pod`, or why it would fail to
 * render one. `resource` may be typed or as `kubectl get -o json` prints it.
 *
 * @throws ControllerManagerConfigError when an untyped resource cannot be read.
 */
export function expectedEntryForPod(
  resource: ClusterSpiffeId | KubeCustomResource,
  pod: KubePod,
  node: KubeNode | undefined,
  config: Pick<ControllerManagerConfig, 'trustDomain' | 'clusterName' | 'clusterDomain' | 'parentIDTemplate'>,
): ExpectedPodEntry | EntryRenderFailure {
  const csid = toClusterSpiffeId(resource);
  const { trustDomain, clusterName } = config;
  if (!trustDomain || !clusterName) return { rendered: false, reason: 'config-incomplete', detail: 'the controller manager config sets no trustDomain or clusterName' };
  if (node === undefined || node.metadata === undefined) {
    const nodeName = pod.spec?.nodeName;
    const detail = nodeName ? `node ${nodeName} not found` : `pod ${pod.metadata?.name ?? ''} is not scheduled to a node`;
    return { rendered: false, reason: 'node-missing', detail };
  }

  const base = { TrustDomain: trustDomain, ClusterName: clusterName, ClusterDomain: config.clusterDomain ?? '', NodeMeta: node.metadata, NodeSpec: node.spec ?? {} };
  const podData: GoTemplateData = { ...base, PodMeta: pod.metadata ?? {}, PodSpec: pod.spec ?? {} };
  try {
    const parentId = renderId('parent ID', config.parentIDTemplate ?? DEFAULT_PARENT_ID_TEMPLATE, base, trustDomain);
    const spiffeId = renderId('SPIFFE ID', csid.spec.spiffeIDTemplate, podData, trustDomain);
    const workloadSelectors = csid.spec.workloadSelectorTemplates.map((template) => renderSelector(template, podData));
    const dnsNames = [...new Set(csid.spec.dnsNameTemplates.map((template) => renderGoTemplate(template, podData)))];

    return {
      rendered: true,
      spiffeId,
      parentId,
      selectors: [`k8s:pod-uid:${pod.metadata?.uid ?? ''}`, ...workloadSelectors],
      dnsNames,
      federatesWith: csid.spec.federatesWith,
      x509SvidTtl: csid.spec.ttl,
      jwtSvidTtl: csid.spec.jwtTtl,
      admin: csid.spec.admin,
      downstream: csid.spec.downstream,
      ...(csid.spec.hint === undefined ? {} : { hint: csid.spec.hint }),
    };
  } catch (error) {
    if (error instanceof RenderFailure) return { rendered: false, reason: error.reason, detail: error.message };
    if (isGoTemplateError(error)) return { rendered: false, reason: error.unsupported ? 'unsupported-template' : 'render-failed', detail: error.message };
    throw error;
  }
}

class RenderFailure extends Error {
  constructor(
    readonly reason: 'render-failed' | 'wrong-trust-domain',
    message: string,
  ) {
    super(message);
  }
}

function renderId(idName: string, template: string, data: GoTemplateData, trustDomain: string): string {
  const rendered = renderGoTemplate(template, data);
  let trustDomainOfId: string;
  try {
    trustDomainOfId = parseSpiffeId(rendered).trustDomain;
  } catch (error) {
    if (!isSpiffeIdError(error)) throw error;
    throw new RenderFailure('render-failed', `failed to render ${idName}: invalid SPIFFE ID ${JSON.stringify(rendered)}: ${error.message}`);
  }
  if (trustDomainOfId !== trustDomain) {
    throw new RenderFailure('wrong-trust-domain', `failed to render ${idName}: invalid SPIFFE ID: expected trust domain "${trustDomain}" but got "${trustDomainOfId}"`);
  }
  return rendered;
}

/** Renders a workload selector template; the result must be `type:value` with both parts non-empty. */
function renderSelector(template: string, data: GoTemplateData): string {
  const rendered = renderGoTemplate(template, data);
  const separator = rendered.indexOf(':');
  if (separator <= 0 || separator === rendered.length - 1) {
    throw new RenderFailure('render-failed', `failed to render workload selector: ${JSON.stringify(rendered)} is not of the form type:value`);
  }
  return rendered;
}
