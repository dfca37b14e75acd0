import { describe, expect, it } from 'vitest';

import { compareVersions, parseSpireVersion, spireBehaviour, type SpireVersion } from '../../src/spire/version.js';

function version(text: string): SpireVersion {
  const parsed = parseSpireVersion(text);
  if (parsed === undefined) throw new Error(`test version does not parse: ${text}`);
  return parsed;
}

describe('parseSpireVersion', () => {
  it.each([
    { name: 'bare version', text: '1.9.6', expected: { major: 1, minor: 9, patch: 6, text: '1.9.6' } },
    { name: 'v prefix', text: 'v1.15.3', expected: { major: 1, minor: 15, patch: 3, text: '1.15.3' } },
    { name: 'dev build', text: '1.16.0-dev', expected: { major: 1, minor: 16, patch: 0, prerelease: 'dev', text: '1.16.0-dev' } },
    { name: 'agent_version with commit', text: '1.9.6-dev-unk', expected: { major: 1, minor: 9, patch: 6, prerelease: 'dev-unk', text: '1.9.6-dev-unk' } },
    { name: 'ghcr image', text: 'ghcr.io/spiffe/spire-agent:1.15.2', expected: { major: 1, minor: 15, patch: 2, text: '1.15.2' } },
    { name: 'old gcr image', text: 'gcr.io/spiffe-io/spire-agent:0.8.1', expected: { major: 0, minor: 8, patch: 1, text: '0.8.1' } },
    {
      name: 'image with tag and digest',
      text: 'ghcr.io/spiffe/spire-server:1.11.2@sha256:0cfd5ab0a1e2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c',
      expected: { major: 1, minor: 11, patch: 2, text: '1.11.2' },
    },
    { name: 'registry with port', text: 'localhost:5000/spire-agent:v1.10.0', expected: { major: 1, minor: 10, patch: 0, text: '1.10.0' } },
  ])('reads $name', ({ text, expected }) => {
    expect(parseSpireVersion(text)).toEqual(expected);
  });

  it.each([
    { name: 'digest only', text: 'ghcr.io/spiffe/spire-agent@sha256:0cfd5ab0a1e2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c' },
    { name: 'latest tag', text: 'ghcr.io/spiffe/spire-agent:latest' },
    { name: 'untagged image', text: 'ghcr.io/spiffe/spire-agent' },
    { name: 'two numbers', text: '1.9' },
    { name: 'empty text', text: '' },
  ])('returns undefined for $name', ({ text }) => {
    expect(parseSpireVersion(text)).toBeUndefined();
  });
});

describe('compareVersions', () => {
  it.each([
    { a: '1.9.6', b: '1.10.0', expected: -1 },
    { a: '1.15.3', b: '1.15.3', expected: 0 },
    { a: '1.16.0-dev', b: '1.15.3', expected: 1 },
    { a: '1.16.0-dev', b: '1.16.0', expected: -1 },
    { a: '1.16.0-rc.2', b: '1.16.0-rc.10', expected: -1 },
    { a: '2.0.0', b: '1.99.99', expected: 1 },
  ])('orders $a against $b', ({ a, b, expected }) => {
    expect(Math.sign(compareVersions(version(a), version(b)))).toBe(expected);
  });
});

describe('spireBehaviour', () => {
  it.each([
    { version: '1.15.1', attestation: 'permission-denied', selectors: 'none', namespaceLabels: false },
    { version: '1.15.2', attestation: 'unavailable', selectors: 'log-selectors', namespaceLabels: false },
    { version: '1.15.3', attestation: 'unavailable', selectors: 'log-selectors', namespaceLabels: true },
    { version: '1.16.0-dev', attestation: 'unavailable', selectors: 'log-selectors', namespaceLabels: true },
    { version: '1.14.2', attestation: 'permission-denied', selectors: 'all', namespaceLabels: false },
    { version: '1.14.3', attestation: 'permission-denied', selectors: 'none', namespaceLabels: false },
    { version: '1.13.0', attestation: 'permission-denied', selectors: 'all', namespaceLabels: false },
    { version: '1.12.4', attestation: 'permission-denied', selectors: 'none', namespaceLabels: false },
  ])('applies attestation rules to $version', ({ version: text, attestation, selectors, namespaceLabels }) => {
    const behaviour = spireBehaviour(text);

    expect(behaviour.attestationFailureStatus).toBe(attestation);
    expect(behaviour.noIdentitySelectorsLogged).toBe(selectors);
    expect(behaviour.namespaceLabelSelectors).toBe(namespaceLabels);
  });

  it.each([
    { version: '1.9.5', available: false, byDefault: false },
    { version: '1.9.6', available: true, byDefault: false },
    { version: '1.10.4', available: true, byDefault: false },
    { version: '1.11.0', available: true, byDefault: true },
  ])('applies container locator rules to $version', ({ version: text, available, byDefault }) => {
    const behaviour = spireBehaviour(text);

    expect(behaviour.newContainerLocatorAvailable).toBe(available);
    expect(behaviour.newContainerLocatorDefault).toBe(byDefault);
  });

  it.each([
    { version: '0.8.0', onStartup: false, exits: false },
    { version: '0.10.0', onStartup: true, exits: false },
    { version: '0.10.1', onStartup: true, exits: true },
    { version: '1.8.2', onStartup: true, exits: true },
  ])('applies expired SVID rules to $version', ({ version: text, onStartup, exits }) => {
    const behaviour = spireBehaviour(text);

    expect(behaviour.reattestsExpiredSvidOnStartup).toBe(onStartup);
    expect(behaviour.exitsWhenSvidExpires).toBe(exits);
  });

  it('reads version from image', () => {
    const behaviour = spireBehaviour('ghcr.io/spiffe/spire-agent:1.15.2');

    expect(behaviour.version?.text).toBe('1.15.2');
    expect(behaviour.failedAttestorMessage).toBe('workload attestor failed');
  });

  it.each([{ input: undefined }, { input: 'ghcr.io/spiffe/spire-agent:latest' }])('returns unknown for $input', ({ input }) => {
    const behaviour = spireBehaviour(input);

    expect(behaviour.version).toBeUndefined();
    expect(behaviour.attestationFailureStatus).toBe('unknown');
    expect(behaviour.noIdentitySelectorsLogged).toBe('unknown');
    expect(behaviour.namespaceLabelSelectors).toBe('unknown');
    expect(behaviour.reattestsExpiredSvidOnStartup).toBe('unknown');
    expect(behaviour.exitsWhenSvidExpires).toBe('unknown');
  });

  it('returns unknown for pre-release of change', () => {
    const behaviour = spireBehaviour('1.15.2-dev');

    expect(behaviour.attestationFailureStatus).toBe('unknown');
    expect(behaviour.noIdentitySelectorsLogged).toBe('unknown');
    expect(behaviour.namespaceLabelSelectors).toBe(false);
    expect(behaviour.rebootstrapSetting).toBe(true);
  });
});
