/**
 * SPIRE versions: parsing, ordering and the behaviour that depends on them. This module
 * gathers the exports of the modules behind it.
 */
export { spireBehaviour, type SpireBehaviour, type VersionRule } from './version-behaviour.js';
export { compareVersions, parseSpireVersion, type SpireVersion } from './version-parse.js';
