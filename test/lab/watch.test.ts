import * as k8s from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startLabClients, type LabClients } from './lab-fixtures.js';

const WEB = { namespace: 'shop', name: 'web-7d9f8b6c5-x2x9q' } as const;

let clients: LabClients | undefined;

afterEach(async () => {
  await clients?.lab.stop();
  clients = undefined;
});

interface WatchEvent {
  readonly type: string;
  readonly object: { metadata?: { name?: string; annotations?: Record<string, string> }; status?: k8s.V1PodStatus };
}

/**
 * Watches `path` with `query` until `done` accepts the events so far, then aborts the
 * watch and returns them.
 */
async function collectWatch(lab: LabClients, path: string, query: Record<string, string | number | boolean>, done: (events: readonly WatchEvent[]) => boolean, action?: () => Promise<unknown>): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const controller = await new k8s.Watch(lab.kubeConfig).watch(
    path,
    query,
    (type, object) => {
      events.push({ type, object: object as WatchEvent['object'] });
      if (done(events)) finish();
    },
    () => finish(),
  );
  await action?.();
  await finished;
  controller.abort();
  return events;
}

describe('watch', () => {
  it('replays existing pods from version 0', async () => {
    clients = await startLabClients('healthy');

    const events = await collectWatch(clients, '/api/v1/namespaces/spire/pods', { resourceVersion: '0', labelSelector: 'app=spire-agent' }, (seen) => seen.length === 2);

    expect(events.map((event) => `${event.type} ${event.object.metadata?.name}`)).toEqual(['ADDED spire-agent-7xk2p', 'ADDED spire-agent-q9w4m']);
  });

  it('ends initial events with a bookmark', async () => {
    clients = await startLabClients('healthy');

    const events = await collectWatch(
      clients,
      '/api/v1/namespaces/shop/pods',
      { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true },
      (seen) => seen.some((event) => event.type === 'BOOKMARK'),
    );

    expect(events.map((event) => event.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(events[1]?.object.metadata?.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  it('reports an ephemeral container as it runs', async () => {
    clients = await startLabClients('healthy');
    const lab = clients;
    const addDebugger = () =>
      lab.core.patchNamespacedPodEphemeralcontainers(
        { ...WEB, body: { spec: { ephemeralContainers: [{ name: 'debugger', image: 'busybox', command: ['true'] }] } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
      );
    const terminated = (event: WatchEvent) => event.object.status?.ephemeralContainerStatuses?.[0]?.state?.terminated !== undefined;

    const events = await collectWatch(lab, '/api/v1/namespaces/shop/pods', { resourceVersion: '1000', fieldSelector: `metadata.name=${WEB.name}` }, (seen) => seen.some(terminated), addDebugger);
    const states = events.map((event) => Object.keys(event.object.status?.ephemeralContainerStatuses?.[0]?.state ?? {})[0]);

    expect(events.every((event) => event.type === 'MODIFIED')).toBe(true);
    expect(states).toEqual(['waiting', 'running', 'terminated']);
    expect(events.at(-1)?.object.status?.ephemeralContainerStatuses?.[0]?.state?.terminated?.exitCode).toBe(127);
  });
});
