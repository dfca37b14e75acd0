import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { isUserError } from '../../../src/errors.js';
import { loadKubeConfig } from '../../../src/probes/kube/kube-config.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: one
    cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
  - name: two
    cluster: {server: "https://127.0.0.1:7443", insecure-skip-tls-verify: true}
users:
  - name: admin
    user: {token: abc}
contexts:
  - name: first
    context: {cluster: one, user: admin}
  - name: second
    context: {cluster: two, user: admin}
current-context: first
`;

let directory: string;
let path: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'kube-config-'));
  path = join(directory, 'config');
  await writeFile(path, KUBECONFIG);
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function userErrorOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(isUserError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a user error');
}

describe('loadKubeConfig', () => {
  it.each([
    { name: 'explicit file', request: () => ({ kubeconfigPath: path, env: {} }), server: 'https://127.0.0.1:6443', description: () => `kubeconfig ${path}, context "first"` },
    { name: 'explicit context', request: () => ({ kubeconfigPath: path, context: 'second', env: {} }), server: 'https://127.0.0.1:7443', description: () => `kubeconfig ${path}, context "second"` },
    { name: 'KUBECONFIG', request: () => ({ env: { KUBECONFIG: path } }), server: 'https://127.0.0.1:6443', description: () => `KUBECONFIG=${path}, context "first"` },
    { name: 'home config', request: () => ({ env: { HOME: directory } }), server: 'https://127.0.0.1:6443', description: () => `kubeconfig ${join(directory, '.kube', 'config')}, context "first"` },
  ])('loads $name', async ({ request, server, description }) => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(directory, '.kube'), { recursive: true });
    await writeFile(join(directory, '.kube', 'config'), KUBECONFIG);

    const loaded = loadKubeConfig(request());

    expect(loaded.config.getCurrentCluster()?.server).toBe(server);
    expect(loaded.description).toBe(description());
  });

  it.each([
    { name: 'missing file', request: () => ({ kubeconfigPath: join(directory, 'nope'), env: {} }), message: (): string => `kubeconfig file ${join(directory, 'nope')} does not exist` },
    { name: 'unknown context', request: () => ({ kubeconfigPath: path, context: 'third', env: {} }), message: (): string => `context "third" not found in kubeconfig ${path}` },
    { name: 'missing KUBECONFIG files', request: () => ({ env: { KUBECONFIG: join(directory, 'a') } }), message: (): string => `no kubeconfig file in KUBECONFIG exists (KUBECONFIG=${join(directory, 'a')})` },
    {
      name: 'no configuration at all',
      request: () => ({ env: { HOME: join(directory, 'empty-home') } }),
      message: (): string => 'no Kubernetes configuration found: no --kubeconfig, no KUBECONFIG, no ~/.kube/config, not in a cluster',
    },
  ])('rejects $name', ({ request, message }) => {
    expect(userErrorOf(() => loadKubeConfig(request()))).toBe(message());
  });

  it('merges a KUBECONFIG list with the first current-context', async () => {
    const second = join(directory, 'second');
    await writeFile(
      second,
      KUBECONFIG.replaceAll('one', 'three').replaceAll('two', 'four').replaceAll('first', 'fifth').replaceAll('second', 'sixth').replace('admin', 'viewer').replace('admin', 'viewer').replace('admin', 'viewer'),
    );

    const loaded = loadKubeConfig({ env: { KUBECONFIG: `${path}:${second}` }, context: 'sixth' });

    expect(loaded.config.getContexts().map((context) => context.name)).toEqual(['first', 'second', 'fifth', 'sixth']);
    expect(loaded.config.getCurrentCluster()?.name).toBe('four');
    expect(loadKubeConfig({ env: { KUBECONFIG: `${path}:${second}` } }).config.getCurrentContext()).toBe('first');
  });

  it('rejects a KUBECONFIG list with duplicate names', async () => {
    const copy = join(directory, 'copy');
    await writeFile(copy, KUBECONFIG);

    expect(userErrorOf(() => loadKubeConfig({ env: { KUBECONFIG: `${path}:${copy}` } }))).toContain(
      `could not merge kubeconfig file ${copy} into the earlier KUBECONFIG files: `,
    );
  });

  it('rejects an unparsable file', async () => {
    await writeFile(path, 'clusters: [');

    expect(userErrorOf(() => loadKubeConfig({ kubeconfigPath: path, env: {} }))).toContain(`could not load kubeconfig file ${path}: `);
  });
});
