/**
 * Locating a workload's pod UID and container ID from its `/proc/<pid>/cgroup` text,
 * as SPIRE's Kubernetes workload attestor does before it requests the pod list from the kubelet.
 *
 * Two locators exist (SPIRE v1.15.3, unchanged at 1.16.0-dev). The new one
 * (`use_new_container_locator`, default true, `pkg/common/containerinfo`) walks
 * each cgroup path backwards for a 64-hex container ID, then further back for
 * `pod<UID>`. The legacy one (`k8s_posix.go`) matches whole paths against two
 * patterns. A cgroup with no
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

/** The result of locating a container: found (possibly empty), or the error SPIRE returns. */
export type ContainerInfoResult =
  | ({ readonly ok: true } & ContainerInfo)
  | { readonly ok: false; readonly grpcCode: 'FailedPrecondition' | 'Internal'; readonly message: string };

/**
 * Splits `/proc/<pid>/cgroup` text into lines. The path is everything after the
 * second `:`, since it may itself contain colons (`...slice:cri-containerd:<id>`).
 *
 * @returns the lines, or SPIRE's error text for the first line with fewer than two
 * colons (an empty line in the middle counts as such a line).
 */
export function parseCgroupFile(text: string): { readonly lines: CgroupLine[] } | { readonly error: string } {
  const rawLines = text.split('\n');
  if (rawLines.at(-1) === '') {
    rawLines.pop();
  }

  const lines: CgroupLine[] = [];
  for (const line of rawLines) {
    const fields = splitN(line, ':', 3);
    if (fields.length < 3) {
      return { error: `invalid cgroup entry, contains ${fields.length} colon separated fields but expected at least 3: ${JSON.stringify(line)}` };
    }
    const [hierarchyId, controllers, path] = fields as [string, string, string];
    lines.push({ hierarchyId, controllers, path });
  }
  return { lines };
}

function splitN(text: string, separator: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (parts.length < limit - 1) {
    const index = rest.indexOf(separator);
    if (index < 0) {
      break;
    }
    parts.push(rest.slice(0, index));
    rest = rest.slice(index + separator.length);
  }
  parts.push(rest);
  return parts;
}

const CONTAINER_ID_PATTERN = /\b([0-9a-fA-F]{64})\b/;
const POD_UID_PATTERN = /\bpod([0-9a-fA-F]{8}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{4}[-_][0-9a-fA-F]{12})\b/;

/**
 * Finds the pod UID and container ID with SPIRE's new container locator, reading
 * `/proc/<pid>/cgroup` first. Only when that yields no container ID are the cgroup
 * mounts of `/proc/<pid>/mountinfo` read, because a workload controls its mount
 * namespace but not its cgroup file. This is the order since SPIRE v1.15.2, and
 * v1.15.1 and earlier read mountinfo first. Absent texts count as missing files,
 * which SPIRE treats as "nothing found".
 */
export function locateContainer(proc: { readonly cgroup?: string; readonly mountinfo?: string }): ContainerInfoResult {
  const fromCgroup = proc.cgroup === undefined ? notFound() : parseCgroupContainerInfo(proc.cgroup);
  if (!fromCgroup.ok || fromCgroup.containerId !== '' || proc.mountinfo === undefined) {
    return fromCgroup;
  }
  return parseMountInfoContainerInfo(proc.mountinfo);
}

/**
 * Finds the pod UID and container ID in `/proc/<pid>/cgroup` text with SPIRE's new
 * container locator. Each path is searched from its last segment backwards, up to
 * the first empty segment. The first 64-hex word is the container ID, and the
 * search for `pod<UID>` continues from there (systemd's `_` separators become `-`).
 * A path with a pod UID wins over paths without one, and other disagreements
 * between paths are conflicts.
 */
export function parseCgroupContainerInfo(cgroupText: string): ContainerInfoResult {
  const parsed = parseCgroupFile(cgroupText);
  if ('error' in parsed) {
    return { ok: false, grpcCode: 'Internal', message: `unable to obtain cgroups: ${parsed.error}` };
  }
  return mergePaths(parsed.lines.map((line) => line.path));
}

/**
 * Finds the pod UID and container ID in the roots of the `cgroup` and `cgroup2`
 * mounts listed in `/proc/<pid>/mountinfo` text. Roots equal to `/` are skipped.
 */
export function parseMountInfoContainerInfo(mountinfoText: string): ContainerInfoResult {
  const roots: string[] = [];
  for (const line of mountinfoText.split('\n')) {
    if (line === '') {
      continue;
    }
    const mount = parseMountInfoLine(line);
    if ('error' in mount) {
      return { ok: false, grpcCode: 'Internal', message: `failed to parse mount info at "/proc/<pid>/mountinfo": ${mount.error}` };
    }
    if ((mount.fsType === 'cgroup' || mount.fsType === 'cgroup2') && mount.root !== '/') {
      roots.push(mount.root);
    }
  }
  return mergePaths(roots);
}

/** Reads the root (field 4) and filesystem type (first field after ` - `) of a mountinfo line. */
function parseMountInfoLine(line: string): { readonly root: string; readonly fsType: string } | { readonly error: string } {
  // Single spaces separate fields, so an empty mount source stays an empty field.
  const fields = line.split(' ');
  const separator = fields.indexOf('-');
  if (separator < 0) {
    return { error: `missing separator in mountinfo line: ${line}` };
  }
  if (separator < 6) {
    return { error: `expected at least 6 fields before separator in mountinfo line: ${line}` };
  }
  const fsType = fields[separator + 1] ?? '';
  if (fsType === '') {
    return { error: `missing filesystem type in mountinfo line: ${line}` };
  }
  return { root: fields[3] as string, fsType };
}

/**
 * Merges what each cgroup path yields, as SPIRE's extractor does. A path with a pod
 * UID replaces earlier results without one. A path without a pod UID is ignored
 * once one is known. Any other disagreement is a FailedPrecondition conflict.
 * Because a path without a container ID yields an empty ID, such a path after one
 * with a container ID is a conflict too, unless a pod UID is already known.
 */
function mergePaths(paths: readonly string[]): ContainerInfoResult {
  let podUid = '';
  let containerId = '';
  for (const path of paths) {
    const found = extractFromPath(path);
    if (podUid !== '' && found.podUid === '') {
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
    podUid = found.podUid;
    containerId = found.containerId;
  }
  return { ok: true, podUid, containerId };
}

/** Walks one cgroup path backwards for the container ID, then for the pod UID before it. */
function extractFromPath(path: string): ContainerInfo {
  const segments = path.split('/');
  let index = segments.length - 1;
  let containerId = '';
  let remainder = '';
  for (; index >= 0 && segments[index] !== ''; index--) {
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

  // The rest of the container ID's segment is searched first, unless nothing precedes the ID.
  const candidates = remainder === '' ? segments.slice(0, index).reverse() : [remainder, ...segments.slice(0, index).reverse()];
  for (const segment of candidates) {
    if (segment === '') {
      break;
    }
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

function notFound(): ContainerInfoResult {
  return { ok: true, podUid: '', containerId: '' };
}

// ASCII punctuation as in RE2's [[:punct:]]: !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~
const PUNCT = '!-\\/:-@\\[-`{-~';
// The same without `/`, for the cri-o pattern's prefix.
const PUNCT_EXCEPT_SLASH = '!-.:-@\\[-`{-~';
const HEX = '[0-9a-fA-F]';
const UID_BODY = `${HEX}{8}[${PUNCT}]?${HEX}{4}[${PUNCT}]?${HEX}{4}[${PUNCT}]?${HEX}{4}[${PUNCT}]?${HEX}{12}`;

/** Legacy pattern 1: `<punct>pod<UID><punct>`, punctuated segments, then a 64-hex container ID at the end. */
const LEGACY_POD_PATTERN = new RegExp(`[${PUNCT}]pod(${UID_BODY})[${PUNCT}](?:[^${PUNCT}]+[${PUNCT}])*(${HEX}{64})$`);

/**
 * Legacy pattern 2 (cri-o without a pod UID in the path): `crio<punct>` then a
 * 64-hex container ID at the end, unless a `pod<UID><punct>` starts the leftmost match.
 * SPIRE writes the part before `crio` as a repeated group of non-punctuation runs
 * and slashes. A single class of non-punctuation characters and `/` accepts the
 * same strings without the nested repetition that makes a backtracking engine slow.
 */
const LEGACY_CRIO_PATTERN = new RegExp(`(pod${UID_BODY}[${PUNCT}])?[^${PUNCT_EXCEPT_SLASH}]*crio[${PUNCT}](${HEX}{64})$`);

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
  const parsed = parseCgroupFile(cgroupText);
  if ('error' in parsed) {
    return { ok: false, grpcCode: 'Internal', message: `unable to obtain cgroups: ${parsed.error}` };
  }

  return parseCgroupPathsLegacy(parsed.lines.map((line) => line.path));
}

/**
 * Merges the legacy locator's readings of several cgroup paths: the first path that
 * matches sets the result, and a later match with another container ID or pod UID
 * is a FailedPrecondition conflict.
 */
export function parseCgroupPathsLegacy(paths: readonly string[]): ContainerInfoResult {
  let found: ContainerInfo | undefined;
  for (const path of paths) {
    const candidate = parseLegacyCgroupPath(path);
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
