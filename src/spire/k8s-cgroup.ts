/**
 * Locating a workload's pod UID and container ID from its `/proc/<pid>/cgroup` text,
 * as SPIRE's Kubernetes workload attestor does before it requests the pod list from the kubelet.
 *
 * Two locators exist (SPIRE v1.15.3). The new one (`use_new_container_locator`,
 * default true, `pkg/common/containerinfo`) walks each cgroup path backwards for a
 * 64-hex container ID, then further back for `pod<UID>`. The legacy one
 * (`k8s_posix.go`) matches whole paths against two patterns. A cgroup with no
 * container ID means "not in a pod": attestation succeeds with no k8s selectors.
 */

/** One line of `/proc/<pid>/cgroup`: `hierarchy-ID:controller-list:cgroup-path`. */
export interface CgroupLine {
  readonly hierarchyId: string;
  readonly controllers: string;
  readonly path: string;
}

/** The pod UID and container ID a locator found; both empty when the process is not in a container. */
export interface ContainerInfo {
  /** Canonical pod UID with dashes, or empty when the cgroup does not name the pod (cri-o). */
  readonly podUid: string;
  readonly containerId: string;
}

/** The result of locating a container: found (possibly empty), or a conflict SPIRE rejects. */
export type ContainerInfoResult =
  | ({ readonly ok: true } & ContainerInfo)
  | { readonly ok: false; readonly grpcCode: 'FailedPrecondition'; readonly message: string };

/**
 * Splits `/proc/<pid>/cgroup` text into lines. The path is everything after the
 * second `:`, since it may itself contain colons (`...slice:cri-containerd:<id>`).
 * Blank lines and lines with fewer than two colons are skipped.
 */
export function parseCgroupFile(text: string): CgroupLine[] {
  const lines: CgroupLine[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = first < 0 ? -1 : line.indexOf(':', first + 1);
    if (second < 0) {
      continue;
    }
    lines.push({ hierarchyId: line.slice(0, first), controllers: line.slice(first + 1, second), path: line.slice(second + 1) });
  }
  return lines;
}

const CONTAINER_ID_PATTERN = /\b([0-9a-fA-F]{64})\b/;
const POD_UID_PATTERN = /\bpod([0-9a-fA-F]{8}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{12})\b/;

/**
 * Finds the pod UID and container ID in cgroup text with SPIRE's new container
 * locator. Each path is searched from its last segment backwards. The first 64-hex
 * word is the container ID, and the search for `pod<UID>` continues from there
 * (systemd's `_` separators become `-`). A path that yields a pod UID replaces
 * earlier ones without, and once a pod UID is known, paths without one are ignored.
 * Differing pod UIDs or container IDs are a conflict.
 *
 * SPIRE also reads cgroup mounts from `/proc/<pid>/mountinfo` when the cgroup file
 * yields no container ID; that fallback is not reproduced here.
 */
export function parseCgroupContainerInfo(cgroupText: string): ContainerInfoResult {
  let podUid = '';
  let containerId = '';
  for (const line of parseCgroupFile(cgroupText)) {
    const found = extractFromPath(line.path);
    if (found.containerId === '' || (podUid !== '' && found.podUid === '')) {
      continue;
    }
    if (podUid === '' && found.podUid !== '') {
      podUid = found.podUid;
      containerId = found.containerId;
    }

    if (found.podUid !== '' && found.podUid !== podUid) {
      return conflict(`multiple pod UIDs found (${JSON.stringify(podUid)}, ${JSON.stringify(found.podUid)})`);
    }
    if (containerId !== '' && found.containerId !== containerId) {
      return conflict(`multiple container IDs found (${JSON.stringify(containerId)}, ${JSON.stringify(found.containerId)})`);
    }
    containerId = found.containerId;
  }
  return { ok: true, podUid, containerId };
}

/** Walks one cgroup path backwards for the container ID, then the pod UID before it. */
function extractFromPath(path: string): ContainerInfo {
  const segments = path.split('/');
  let index = segments.length - 1;
  let containerId = '';
  let remainder = '';
  for (; index >= 0; index--) {
    const segment = segments[index] as string;
    const match = CONTAINER_ID_PATTERN.exec(segment);
    if (match !== null) {
      containerId = match[1] as string;
      remainder = segment.slice(0, match.index);
      break;
    }
  }
  if (containerId === '') {
    return { podUid: '', containerId: '' };
  }

  const candidates = [remainder, ...segments.slice(0, index).reverse()];
  for (const segment of candidates) {
    const match = POD_UID_PATTERN.exec(segment);
    if (match !== null) {
      return { podUid: (match[1] as string).replaceAll('_', '-'), containerId };
    }
  }
  return { podUid: '', containerId };
}

function conflict(message: string): ContainerInfoResult {
  return { ok: false, grpcCode: 'FailedPrecondition', message };
}

// ASCII punctuation as in RE2's [[:punct:]]: !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~
const PUNCT = '!-\\/:-@\\[-`{-~';
// The same without `/`, for the cri-o pattern's prefix.
const PUNCT_EXCEPT_SLASH = '!-.:-@\\[-`{-~';
const HEX = '[0-9a-fA-F]';
const UID_BODY = `${HEX}{8}[${PUNCT}]?${HEX}{4}[${PUNCT}]?${HEX}{4}[${PUNCT}]?${HEX}{4}[${PUNCT}]?${HEX}{12}`;

/** Legacy pattern 1: `<punct>pod<UID><punct>`, punctuated segments, then the container ID to the end. */
const LEGACY_POD_PATTERN = new RegExp(`[${PUNCT}]pod(${UID_BODY})[${PUNCT}](?:[^${PUNCT}]+[${PUNCT}])*([^${PUNCT}]+)$`);

/**
 * Legacy pattern 2 (cri-o without a pod UID in the path): `crio<punct>` then the
 * container ID to the end, unless a `pod<UID><punct>` starts the leftmost match.
 * SPIRE writes the part before `crio` as a repeated group of non-punctuation runs
 * and slashes. A single class of non-punctuation characters and `/` accepts the
 * same strings without the nested repetition that makes a backtracking engine slow.
 */
const LEGACY_CRIO_PATTERN = new RegExp(`(pod${UID_BODY}[${PUNCT}])?[^${PUNCT_EXCEPT_SLASH}]*crio[${PUNCT}]([^${PUNCT}]+)$`);

/** Reads one cgroup path with the legacy locator; returns undefined when neither pattern matches it. */
export function parseLegacyCgroupPath(path: string): ContainerInfo | undefined {
  const trimmed = path.endsWith('.scope') ? path.slice(0, -'.scope'.length) : path;
  const podMatch = LEGACY_POD_PATTERN.exec(trimmed);
  const crioMatch = LEGACY_CRIO_PATTERN.exec(trimmed);
  const crioValid = crioMatch !== null && crioMatch[1] === undefined;

  if (podMatch !== null && crioValid) {
    // SPIRE rejects a path that both patterns match.
    return undefined;
  }
  if (podMatch !== null) {
    return { podUid: canonicalizePodUid(podMatch[1] as string), containerId: podMatch[2] as string };
  }
  if (crioValid) {
    return { podUid: '', containerId: crioMatch[2] as string };
  }
  return undefined;
}

/** Replaces the punctuation Go's `unicode.IsPunct` accepts with `-`, as SPIRE canonicalizes pod UIDs. */
function canonicalizePodUid(uid: string): string {
  return uid.replace(/[!"#%&'()*,\-./:;?@[\\\]_{}]/g, '-');
}

/**
 * Finds the pod UID and container ID with SPIRE's legacy locator
 * (`use_new_container_locator = false`): the first path that matches sets them, and
 * a later path with another container ID or pod UID is a conflict.
 */
export function parseCgroupContainerInfoLegacy(cgroupText: string): ContainerInfoResult {
  let found: ContainerInfo | undefined;
  for (const line of parseCgroupFile(cgroupText)) {
    const candidate = parseLegacyCgroupPath(line.path);
    if (candidate === undefined) {
      continue;
    }
    if (found === undefined) {
      found = candidate;
      continue;
    }
    if (candidate.containerId !== found.containerId) {
      return conflict(`multiple container IDs found in cgroups (${found.containerId}, ${candidate.containerId})`);
    }
    if (candidate.podUid !== found.podUid) {
      return conflict(`multiple pod UIDs found in cgroups (${found.podUid}, ${candidate.podUid})`);
    }
  }
  return { ok: true, podUid: found?.podUid ?? '', containerId: found?.containerId ?? '' };
}
