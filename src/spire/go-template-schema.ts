/**
 * The Go types behind ClusterSPIFFEID template data, so field paths resolve the way
 * Go's text/template resolves them against `metav1.ObjectMeta`, `corev1.PodSpec` and
 * `corev1.NodeSpec` (k8s.io/api, field lists as of Kubernetes 1.33). Values come from the
 * objects' JSON form, so each Go field name maps to its JSON name.
 */

/** Kind of a template value: a Go struct of a known type, a string map, or anything else. */
export type GoValueKind = 'objectMeta' | 'podSpec' | 'nodeSpec' | 'stringMap' | 'other';

interface GoStructType {
  /** Go field name to JSON name and the field's kind. */
  readonly fields: ReadonlyMap<string, { readonly json: string; readonly kind: GoValueKind; readonly zero: string | undefined }>;
}

/** Builds the field table. A `zero` of undefined means the field's zero value is not text. */
function structType(fields: ReadonlyArray<readonly [goName: string, kind?: GoValueKind | 'string', json?: string]>): GoStructType {
  return {
    fields: new Map(
      fields.map(([goName, kind = 'other', json]) => [
        goName,
        { json: json ?? lowerFirst(goName), kind: kind === 'string' ? 'other' : kind, zero: kind === 'string' ? '' : undefined },
      ]),
    ),
  };
}

function lowerFirst(name: string): string {
  if (/^[A-Z]+$/.test(name)) return name.toLowerCase();
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export const GO_STRUCT_TYPES: Readonly<Record<'objectMeta' | 'podSpec' | 'nodeSpec', GoStructType>> = {
  objectMeta: structType([
    ['Name', 'string'],
    ['GenerateName', 'string'],
    ['Namespace', 'string'],
    ['SelfLink', 'string'],
    ['UID', 'string'],
    ['ResourceVersion', 'string'],
    ['Generation'],
    ['CreationTimestamp'],
    ['DeletionTimestamp'],
    ['DeletionGracePeriodSeconds'],
    ['Labels', 'stringMap'],
    ['Annotations', 'stringMap'],
    ['OwnerReferences'],
    ['Finalizers'],
    ['ManagedFields'],
  ]),
  podSpec: structType([
    ['Volumes'],
    ['InitContainers'],
    ['Containers'],
    ['EphemeralContainers'],
    ['RestartPolicy', 'string'],
    ['TerminationGracePeriodSeconds'],
    ['ActiveDeadlineSeconds'],
    ['DNSPolicy', 'string', 'dnsPolicy'],
    ['NodeSelector', 'stringMap'],
    ['ServiceAccountName', 'string'],
    ['DeprecatedServiceAccount', 'string', 'serviceAccount'],
    ['AutomountServiceAccountToken'],
    ['NodeName', 'string'],
    ['HostNetwork'],
    ['HostPID', 'other', 'hostPID'],
    ['HostIPC', 'other', 'hostIPC'],
    ['ShareProcessNamespace'],
    ['SecurityContext'],
    ['ImagePullSecrets'],
    ['Hostname', 'string'],
    ['Subdomain', 'string'],
    ['Affinity'],
    ['SchedulerName', 'string'],
    ['Tolerations'],
    ['HostAliases'],
    ['PriorityClassName', 'string'],
    ['Priority'],
    ['DNSConfig', 'other', 'dnsConfig'],
    ['ReadinessGates'],
    ['RuntimeClassName'],
    ['EnableServiceLinks'],
    ['PreemptionPolicy'],
    ['Overhead'],
    ['TopologySpreadConstraints'],
    ['SetHostnameAsFQDN', 'other', 'setHostnameAsFQDN'],
    ['OS', 'other', 'os'],
    ['HostUsers'],
    ['SchedulingGates'],
    ['ResourceClaims'],
    ['Resources'],
  ]),
  nodeSpec: structType([
    ['PodCIDR', 'string', 'podCIDR'],
    ['PodCIDRs', 'other', 'podCIDRs'],
    ['ProviderID', 'string', 'providerID'],
    ['Unschedulable'],
    ['Taints'],
    ['ConfigSource'],
    ['DoNotUseExternalID', 'string', 'externalID'],
  ]),
};
