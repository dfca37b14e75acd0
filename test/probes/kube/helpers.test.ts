import { describe, expect, it } from 'vitest';

import { ProbeTimeoutError } from '../../../src/probes/errors.js';
import { KubeApiError, KubeUnreachableError } from '../../../src/probes/kube/errors.js';
import { exitCodeFromStatus, isCommandNotStarted } from '../../../src/probes/kube/exec-status.js';
import { describeGatherFailure } from '../../../src/probes/kube/gather-failure.js';
import { resolveSpireLayout } from '../../../src/probes/kube/spire-layout.js';
import { exited, forbidden, notStarted, ok } from './fake-kube-source.js';

describe('exitCodeFromStatus', () => {
  it.each([
    { name: 'success', result: ok(''), expected: 0 },
    { name: 'non-zero exit', result: exited(3, ''), expected: 3 },
    { name: 'runtime failure', result: notStarted('spire-agent'), expected: undefined },
    { name: 'no status', result: { exitCode: undefined, stdout: '', stderr: '', status: undefined }, expected: undefined },
  ])('reads $name', ({ result, expected }) => {
    expect(exitCodeFromStatus(result.status)).toBe(expected);
  });
});

describe('isCommandNotStarted', () => {
  it.each([
    { name: 'runtime failure', result: notStarted('spire-agent'), expected: true },
    { name: 'shell not found', result: exited(127, 'sh: spire-agent: not found'), expected: true },
    { name: 'shell not executable', result: exited(126, ''), expected: true },
    { name: 'fetch error exit', result: exited(1, 'rpc error: code = PermissionDenied desc = no identity issued'), expected: false },
    { name: 'success', result: ok('{}'), expected: false },
  ])('classifies $name', ({ result, expected }) => {
    expect(isCommandNotStarted(result)).toBe(expected);
  });
});

describe('describeGatherFailure', () => {
  const exec = { verb: 'create', resource: 'pods/exec', namespace: 'shop' };

  it.each([
    { name: 'timeout', error: new ProbeTimeoutError(15_000), expected: 'timed out after 15s' },
    {
      name: 'forbidden',
      error: forbidden('pods/exec', 'shop'),
      expected:
        'forbidden: grant pods/exec in namespace shop (pods/exec is forbidden: User "system:serviceaccount:ops:doctor" cannot create resource "pods/exec" in API group "" in the namespace "shop")',
    },
    {
      name: 'not found',
      error: new KubeApiError('x', 404, { message: 'pods "web-0" not found' }),
      expected: 'not found (pods "web-0" not found)',
    },
    { name: 'unauthorized', error: new KubeApiError('x', 401, undefined), expected: 'unauthorized: the API server rejected the credentials' },
    { name: 'server error', error: new KubeApiError('x', 500, { message: 'etcdserver: request timed out' }), expected: 'failed with HTTP 500 (etcdserver: request timed out)' },
    {
      name: 'unreachable',
      error: new KubeUnreachableError('could not reach the Kubernetes API server at https://127.0.0.1:1: connect ECONNREFUSED', 'https://127.0.0.1:1'),
      expected: 'could not reach the Kubernetes API server at https://127.0.0.1:1: connect ECONNREFUSED',
    },
    { name: 'other error', error: new Error('boom'), expected: 'failed: boom' },
  ])('describes $name', ({ error, expected }) => {
    expect(describeGatherFailure(error, exec)).toBe(expected);
  });

  it('names cluster-scoped permissions', () => {
    expect(describeGatherFailure(forbidden('nodes', '', 'get'), { verb: 'get', resource: 'nodes' })).toMatch(/^forbidden: grant get on nodes \(cluster-wide\)/);
  });
});

describe('resolveSpireLayout', () => {
  it('defaults to the quickstart and the Helm chart', () => {
    const layout = resolveSpireLayout();

    expect(layout.agentLocations).toEqual([
      { namespace: 'spire', labelSelector: 'app=spire-agent' },
      { namespace: 'spire-system', labelSelector: 'app.kubernetes.io/name=agent' },
    ]);
    expect(layout.serverLocations).toEqual([
      { namespace: 'spire', labelSelector: 'app=spire-server' },
      { namespace: 'spire-server', labelSelector: 'app.kubernetes.io/name=server' },
      { namespace: 'spire-system', labelSelector: 'app.kubernetes.io/name=server' },
    ]);
    expect(layout.agentBinary).toBe('/opt/spire/bin/spire-agent');
    expect(layout.serverBinary).toBe('/opt/spire/bin/spire-server');
    expect(layout.serverSocketPath).toBe('/tmp/spire-server/private/api.sock');
    expect(layout.agentSocketPath).toBeUndefined();
  });

  it.each([
    {
      name: 'namespace only',
      options: { agentNamespace: 'identity' },
      expected: [
        { namespace: 'identity', labelSelector: 'app=spire-agent' },
        { namespace: 'identity', labelSelector: 'app.kubernetes.io/name=agent' },
      ],
    },
    {
      name: 'selector only',
      options: { agentLabelSelector: 'component=agent' },
      expected: [
        { namespace: 'spire', labelSelector: 'component=agent' },
        { namespace: 'spire-system', labelSelector: 'component=agent' },
      ],
    },
    {
      name: 'both',
      options: { agentNamespace: 'identity', agentLabelSelector: 'component=agent' },
      expected: [{ namespace: 'identity', labelSelector: 'component=agent' }],
    },
  ])('narrows agent search by $name', ({ options, expected }) => {
    expect(resolveSpireLayout(options).agentLocations).toEqual(expected);
  });
});
