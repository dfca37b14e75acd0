/**
 * Version-dependent SPIRE behaviour that checks rely on, each rule read from the SPIRE
 * repository history (release tags v0.8.1 to v1.15.3). Every rule returns `unknown`
 * when the version is unknown, and when the version is a pre-release of the release that
 * introduced the change. SPIRE's development builds carry the next release's number
 * (`1.16.0-dev` follows 1.15.3), so `1.15.2-dev` may or may not contain a 1.15.2 change.
 */
import { compareVersions, parseSpireVersion, type SpireVersion } from './version-parse.js';

/** Value of a rule for one version, or `unknown`. */
export type VersionRule<T> = T | 'unknown';

export interface SpireBehaviour {
  /** The version the rules were computed for; undefined when unknown. */
  readonly version?: SpireVersion;
  /**
   * gRPC status a workload gets when every workload attestor fails: Unavailable
   * `workload attestation failed` from 1.15.2, PermissionDenied `no identity issued`
   * (after attesting with fewer selectors) up to 1.15.1.
   */
  readonly attestationFailureStatus: VersionRule<'unavailable' | 'permission-denied'>;
  /**
   * Selectors on "No identity issued" log lines: none up to 1.12.x, all from 1.13.0 to
   * 1.14.2, none from 1.14.3 to 1.15.1, and from 1.15.2 only those matching the agent's
   * `log_selectors` prefixes.
   */
  readonly noIdentitySelectorsLogged: VersionRule<'none' | 'all' | 'log-selectors'>;
  /** Message of a single failing workload attestor plugin: `workload attestor "<name>" failed` from 1.15.2, else "Failed to collect all selectors for PID". */
  readonly failedAttestorMessage: VersionRule<'workload attestor failed' | 'Failed to collect all selectors for PID'>;
  /** `k8s:ns-label:` selectors with `enable_namespace_labels`, from 1.15.3. */
  readonly namespaceLabelSelectors: VersionRule<boolean>;
  /** `use_new_container_locator` exists from 1.9.6. */
  readonly newContainerLocatorAvailable: VersionRule<boolean>;
  /** The new container locator is used when `use_new_container_locator` is unset: from 1.11.0 (1.9.6 to 1.10.x default to the legacy locator). */
  readonly newContainerLocatorDefault: VersionRule<boolean>;
  /** At startup, an agent whose stored SVID has expired attests again: from 0.8.1. */
  readonly reattestsExpiredSvidOnStartup: VersionRule<boolean>;
  /**
   * A running agent whose SVID expired exits when renewal fails, so its pod restarts and
   * it attests again: from 0.10.1. Older agents keep retrying with the expired SVID until
   * restarted by hand.
   */
  readonly exitsWhenSvidExpires: VersionRule<boolean>;
  /** Agent `log_selectors` setting, from 1.15.2. */
  readonly logSelectorsSetting: VersionRule<boolean>;
  /** Agent `rebootstrap_mode` setting, from 1.13.0. */
  readonly rebootstrapSetting: VersionRule<boolean>;
}

/**
 * Returns the version-dependent behaviour for a SPIRE version (parsed, or text for
 * {@link parseSpireVersion}). Every rule is `unknown` when the version is undefined or
 * cannot be read.
 */
export function spireBehaviour(version: SpireVersion | string | undefined): SpireBehaviour {
  const parsed = typeof version === 'string' ? parseSpireVersion(version) : version;
  const since = (release: string): VersionRule<boolean> => isAtLeast(parsed, release);
  const choose = <T>(release: string, after: T, before: T): VersionRule<T> => pick(since(release), after, before);

  return {
    ...(parsed === undefined ? {} : { version: parsed }),
    attestationFailureStatus: choose('1.15.2', 'unavailable', 'permission-denied'),
    noIdentitySelectorsLogged: noIdentitySelectors(parsed),
    failedAttestorMessage: choose('1.15.2', 'workload attestor failed', 'Failed to collect all selectors for PID'),
    namespaceLabelSelectors: since('1.15.3'),
    newContainerLocatorAvailable: since('1.9.6'),
    newContainerLocatorDefault: since('1.11.0'),
    reattestsExpiredSvidOnStartup: since('0.8.1'),
    exitsWhenSvidExpires: since('0.10.1'),
    logSelectorsSetting: since('1.15.2'),
    rebootstrapSetting: since('1.13.0'),
  };
}

function noIdentitySelectors(version: SpireVersion | undefined): SpireBehaviour['noIdentitySelectorsLogged'] {
  const from1152 = isAtLeast(version, '1.15.2');
  const from1143 = isAtLeast(version, '1.14.3');
  const from1130 = isAtLeast(version, '1.13.0');
  if (from1152 === 'unknown' || from1143 === 'unknown' || from1130 === 'unknown') return 'unknown';
  if (from1152) return 'log-selectors';
  if (from1143) return 'none';
  return from1130 ? 'all' : 'none';
}

/**
 * Compares `version` with the release that introduced a change. A pre-release of that
 * same release is `unknown`.
 */
function isAtLeast(version: SpireVersion | undefined, release: string): VersionRule<boolean> {
  const threshold = parseSpireVersion(release);
  if (version === undefined || threshold === undefined) return 'unknown';
  const sameRelease = version.major === threshold.major && version.minor === threshold.minor && version.patch === threshold.patch;
  if (sameRelease && version.prerelease !== undefined) return 'unknown';
  return compareVersions(version, threshold) >= 0;
}

function pick<T>(rule: VersionRule<boolean>, after: T, before: T): VersionRule<T> {
  if (rule === 'unknown') return 'unknown';
  return rule ? after : before;
}
