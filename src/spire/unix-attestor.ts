/**
 * SPIRE's Unix workload attestor (SPIRE v1.15.3,
 * `pkg/agent/plugin/workloadattestor/unix/unix_posix.go`): the `unix:` selectors it
 * emits for a process, computed from facts read about the process.
 */
import type { ProcessFacts } from '../evidence/types.js';
import { SpireDataError } from './errors.js';

/** Facts about the process beyond {@link ProcessFacts} that the attestor can use. */
export interface UnixProcessFacts extends ProcessFacts {
  /** Names of the supplementary groups, by GID, as the agent's group database resolves them. */
  readonly supplementaryGroupNames?: Readonly<Record<number, string>>;
  /** Size of the process executable in bytes, needed to apply `workload_size_limit`. */
  readonly exeSize?: number;
}

/** The attestor options that change the selectors. */
export interface UnixAttestorOptions {
  /** `discover_workload_path`: add `path` and `sha256`. Default false. */
  readonly discoverWorkloadPath?: boolean;
  /**
   * `workload_size_limit` in bytes: 0 (the default) means no limit, a negative value
   * skips the `sha256` selector, and a larger executable fails attestation.
   */
  readonly workloadSizeLimit?: number;
}

/** Attestation by the Unix attestor failed; the message is SPIRE's. */
export class UnixAttestationError extends SpireDataError {
  override readonly name: string = 'UnixAttestationError';
}

/** Tells whether `value` is a {@link UnixAttestationError}. */
export function isUnixAttestationError(value: unknown): value is UnixAttestationError {
  return value instanceof UnixAttestationError;
}

/**
 * Returns the `unix:` selectors for a process, in the attestor's order: `uid`,
 * `user`, `gid`, `group`, then `supplementary_gid` and `supplementary_group` per
 * supplementary group, then `path` and `sha256` with `discoverWorkloadPath`.
 * Names are emitted only when the agent resolves the ID, and an agent container
 * often lacks the workload's users and groups. `uid` and `gid` are the effective IDs.
 *
 * @throws UnixAttestationError when the UID, GID, path or digest is unknown, or the
 * executable exceeds `workloadSizeLimit`.
 */
export function unixWorkloadSelectors(facts: UnixProcessFacts, options: UnixAttestorOptions = {}): string[] {
  if (facts.uid === undefined) {
    throw attestationError('UIDs lookup: no UIDs for process');
  }
  if (facts.gid === undefined) {
    throw attestationError('GIDs lookup: no GIDs for process');
  }

  const values = [`uid:${facts.uid}`];
  if (facts.user !== undefined) {
    values.push(`user:${facts.user}`);
  }
  values.push(`gid:${facts.gid}`);
  if (facts.group !== undefined) {
    values.push(`group:${facts.group}`);
  }
  for (const gid of facts.supplementaryGids ?? []) {
    values.push(`supplementary_gid:${gid}`);
    const name = facts.supplementaryGroupNames?.[gid];
    if (name !== undefined) {
      values.push(`supplementary_group:${name}`);
    }
  }

  if (options.discoverWorkloadPath === true) {
    values.push(...pathSelectorValues(facts, options.workloadSizeLimit ?? 0));
  }
  return values.map((value) => `unix:${value}`);
}

function pathSelectorValues(facts: UnixProcessFacts, sizeLimit: number): string[] {
  if (facts.path === undefined) {
    throw attestationError('path lookup: the executable path of the process is unknown');
  }
  const values = [`path:${facts.path}`];
  if (sizeLimit < 0) {
    return values;
  }
  if (sizeLimit > 0 && facts.exeSize !== undefined && facts.exeSize > sizeLimit) {
    throw attestationError(`workload ${facts.path} exceeds size limit (${facts.exeSize} > ${sizeLimit})`);
  }
  if (facts.sha256 === undefined) {
    throw attestationError('SHA256 digest: the digest of the executable is unknown');
  }
  values.push(`sha256:${facts.sha256}`);
  return values;
}

function attestationError(message: string): UnixAttestationError {
  return new UnixAttestationError(message, {
    suggestions: ['Gather the process facts from /proc/<pid> on the workload host, including the effective UID and GID.'],
  });
}
