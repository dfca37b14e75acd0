import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IdentityCache } from '../../../src/embedded/agent/identity-cache.js';
import { createLogrusLogger } from '../../../src/embedded/agent/logrus-logger.js';
import { startWorkloadServer } from '../../../src/embedded/agent/workload-server.js';
import type { WorkloadAttestor } from '../../../src/embedded/agent/workload-attestor.js';
import { isAgentError } from '../../../src/embedded/agent/errors.js';
import { createK8sCallbackAttestor } from '../../../src/embedded/agent/k8s-attestor.js';
import {
  fetchJwtBundles,
  fetchJwtSvid,
  fetchX509Bundles,
  fetchX509Svid,
  validateJwtSvid,
  watchX509Svid,
  type X509SvidUpdate,
} from '../../../src/embedded/workload/client.js';
import { WorkloadApiError } from '../../../src/embedded/workload/errors.js';
import { checkHealth } from '../../../src/embedded/workload/health.js';
import { workloadClientConstructor } from '../../../src/embedded/workload/proto.js';
import type { TestCa } from './test-ca.js';
import { createWorkloadFixture, entryFor, TRUST_DOMAIN, UID, type WorkloadFixture } from './workload-fixture.js';

describe('Workload API', () => {
  let fixture: WorkloadFixture;
  let directory: string;
  let socketPath: string;
  let ca: TestCa;
  let cache: IdentityCache;
  let logLines: string[];

  const startServer = (attestors?: WorkloadAttestor[]) => fixture.start(attestors);

  beforeEach(async () => {
    fixture = await createWorkloadFixture();
    ({ directory, socketPath, ca, cache, logLines } = fixture);
  });

  afterEach(async () => {
    await fixture.close();
  });

  it('fetch x509 returns the matching SVID', async () => {
    // Given an entry for this process's uid and its SVID
    cache.setEntries([entryFor('entry-a', '/workload', [{ type: 'unix', value: `uid:${UID}` }], 'internal')]);
    cache.setX509Svid(ca.issueSvid('entry-a', `spiffe://${TRUST_DOMAIN}/workload`));
    await startServer();

    // When the process fetches over the socket
    const update = await fetchX509Svid(socketPath);

    // Then it receives that SVID with the bundle
    expect(update.svids.map((svid) => svid.spiffeId)).toEqual([`spiffe://${TRUST_DOMAIN}/workload`]);
    expect(update.svids[0]?.hint).toBe('internal');
    expect(update.svids[0]?.bundle).toEqual(ca.bundle.x509Authorities);
    expect(update.svids[0]?.certificates).toEqual(cache.findSvid('entry-a')?.certificates);
    expect(update.svids[0]?.privateKey).toEqual(cache.findSvid('entry-a')?.privateKey);
  });

  it('attests the caller by kernel credentials', async () => {
    cache.setEntries([entryFor('entry-a', '/workload', [{ type: 'unix', value: `uid:${UID}` }])]);
    cache.setX509Svid(ca.issueSvid('entry-a', `spiffe://${TRUST_DOMAIN}/workload`));
    await startServer();

    await fetchX509Svid(socketPath);

    const attested = logLines.find((line) => line.includes('msg="PID attested to have selectors"'));
    expect(attested).toContain(` pid=${process.pid} `);
    expect(attested).toContain(`unix:uid:${UID}`);
  });

  it('no matching entry gives PermissionDenied and logs it', async () => {
    cache.setEntries([entryFor('entry-a', '/workload', [{ type: 'unix', value: 'uid:4242424' }])]);
    await startServer();

    const failure = await fetchX509Svid(socketPath).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(WorkloadApiError);
    expect((failure as WorkloadApiError).message).toBe('rpc error: code = PermissionDenied desc = no identity issued');
    const logged = logLines.find((line) => line.includes('msg="No identity issued"'));
    expect(logged).toMatch(/level=error msg="No identity issued" method=FetchX509SVID pid=\d+ registered=false service=WorkloadAPI subsystem_name=endpoints\n$/);
  });

  it('no identity log lists selectors by prefix', async () => {
    const attestor: WorkloadAttestor = {
      name: 'k8s',
      attest: async () => [
        { type: 'k8s', value: 'sa:web' },
        { type: 'k8s', value: 'ns:prod' },
        { type: 'unix', value: 'uid:7' },
      ],
    };
    await fixture.start([attestor], ['k8s:ns', 'k8s:sa']);

    await fetchX509Svid(socketPath).catch(() => undefined);

    const logged = logLines.find((line) => line.includes('msg="No identity issued"'));
    expect(logged).toContain(' selectors="k8s:ns:prod,k8s:sa:web" ');
  });

  it.each([
    { name: 'FetchX509SVID stream', method: 'FetchX509SVID', request: {} },
    { name: 'FetchJWTSVID unary', method: 'FetchJWTSVID', request: { audience: ['a'] } },
  ])('call without security header is rejected: $name', async ({ method, request }) => {
    await startServer();
    const Constructor = workloadClientConstructor();
    const client = new Constructor(`unix:${socketPath}`, grpc.credentials.createInsecure()) as unknown as Record<string, (...args: unknown[]) => unknown>;

    const failure = await new Promise<grpc.ServiceError>((resolve) => {
      if (method === 'FetchJWTSVID') {
        client[method]!(request, new grpc.Metadata(), (error: grpc.ServiceError) => resolve(error));
        return;
      }
      const stream = client[method]!(request, new grpc.Metadata()) as grpc.ClientReadableStream<unknown>;
      stream.on('error', resolve);
    });
    (client as unknown as grpc.Client).close();

    expect(failure.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(failure.details).toBe('security header missing from request');
  });

  it('JWT-SVID validates against fetched bundles', async () => {
    cache.setEntries([entryFor('entry-a', '/workload', [{ type: 'unix', value: `uid:${UID}` }])]);
    cache.setX509Svid(ca.issueSvid('entry-a', `spiffe://${TRUST_DOMAIN}/workload`));
    await startServer();

    const [svid] = await fetchJwtSvid(socketPath, { audience: ['billing'] });
    const bundles = await fetchJwtBundles(socketPath);
    const validated = await validateJwtSvid(socketPath, { audience: 'billing', token: svid?.token ?? '' });

    expect(svid?.spiffeId).toBe(`spiffe://${TRUST_DOMAIN}/workload`);
    expect(validated.spiffeId).toBe(`spiffe://${TRUST_DOMAIN}/workload`);
    expect(validated.claims.aud).toEqual(['billing']);
    expect(bundles.get(`spiffe://${TRUST_DOMAIN}`)).toMatchObject({ keys: [{ kid: ca.jwtKeyId, kty: 'EC', crv: 'P-256' }] });
  });

  it.each([
    { name: 'wrong audience', audience: 'other', message: 'token audience does not include "other"' },
    { name: 'garbage token', audience: 'billing', token: 'not-a-jwt', message: 'token is not a JWS in compact serialization' },
  ])('JWT-SVID validation rejects $name', async ({ audience, token, message }) => {
    cache.setEntries([entryFor('entry-a', '/workload', [{ type: 'unix', value: `uid:${UID}` }])]);
    await startServer();
    const [svid] = await fetchJwtSvid(socketPath, { audience: ['billing'] });

    const failure = await validateJwtSvid(socketPath, { audience, token: token ?? svid?.token ?? '' }).catch((error: unknown) => error);

    expect((failure as WorkloadApiError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((failure as WorkloadApiError).description).toBe(message);
  });

  it('fetch jwt for another SPIFFE ID is denied', async () => {
    cache.setEntries([entryFor('entry-a', '/workload', [{ type: 'unix', value: `uid:${UID}` }])]);
    await startServer();

    const failure = await fetchJwtSvid(socketPath, { audience: ['a'], spiffeId: `spiffe://${TRUST_DOMAIN}/other` }).catch((error: unknown) => error);

    expect((failure as WorkloadApiError).message).toBe('rpc error: code = PermissionDenied desc = no identity issued');
  });

  it('k8s callback attestor maps the caller to a pod', async () => {
    cache.setEntries([entryFor('entry-k8s', '/ns/default/sa/web', [{ type: 'k8s', value: 'ns:default' }, { type: 'k8s', value: 'sa:web' }])]);
    cache.setX509Svid(ca.issueSvid('entry-k8s', `spiffe://${TRUST_DOMAIN}/ns/default/sa/web`));
    const seenPids: number[] = [];
    const attestor = createK8sCallbackAttestor((pid) => {
      seenPids.push(pid);
      return [
        { type: 'k8s', value: 'ns:default' },
        { type: 'k8s', value: 'sa:web' },
        { type: 'k8s', value: 'pod-name:web-0' },
      ];
    });
    await startServer([attestor]);

    const update = await fetchX509Svid(socketPath);

    expect(update.svids.map((svid) => svid.spiffeId)).toEqual([`spiffe://${TRUST_DOMAIN}/ns/default/sa/web`]);
    expect(seenPids).toEqual([process.pid]);
  });

  it('fetch jwt without audience is rejected', async () => {
    await startServer();

    const failure = await fetchJwtSvid(socketPath, { audience: [] }).catch((error: unknown) => error);

    expect((failure as WorkloadApiError).message).toBe('rpc error: code = InvalidArgument desc = audience must be specified');
  });

  it('open stream receives a rotated SVID', async () => {
    cache.setEntries([entryFor('entry-a', '/workload', [{ type: 'unix', value: `uid:${UID}` }])]);
    cache.setX509Svid(ca.issueSvid('entry-a', `spiffe://${TRUST_DOMAIN}/workload`));
    await startServer();
    const updates: X509SvidUpdate[] = [];
    const firstUpdate = new Promise<void>((resolve, reject) => {
      const watch = watchX509Svid(socketPath, {
        onUpdate: (update) => {
          updates.push(update);
          if (updates.length === 2) {
            watch.close();
            resolve();
          }
        },
        onError: reject,
      });
    });
    await waitFor(() => updates.length === 1);

    // When the agent rotates the SVID
    const rotated = ca.issueSvid('entry-a', `spiffe://${TRUST_DOMAIN}/workload`);
    cache.setX509Svid(rotated);
    await firstUpdate;

    // Then the stream carries the new certificate
    expect(updates[1]?.svids[0]?.certificates).toEqual(rotated.certificates);
    expect(updates[1]?.svids[0]?.certificates).not.toEqual(updates[0]?.svids[0]?.certificates);
  });

  it('open stream ends when the entry is deleted', async () => {
    cache.setEntries([entryFor('entry-a', '/workload', [{ type: 'unix', value: `uid:${UID}` }])]);
    cache.setX509Svid(ca.issueSvid('entry-a', `spiffe://${TRUST_DOMAIN}/workload`));
    await startServer();
    let updateCount = 0;
    const ended = new Promise<WorkloadApiError>((resolve) => {
      watchX509Svid(socketPath, { onUpdate: () => updateCount++, onError: resolve });
    });
    await waitFor(() => updateCount === 1);

    cache.setEntries([]);

    expect((await ended).message).toBe('rpc error: code = PermissionDenied desc = no identity issued');
  });

  it('x509 bundles carry the trust domain bundle', async () => {
    cache.setEntries([entryFor('entry-a', '/workload', [{ type: 'unix', value: `uid:${UID}` }])]);
    await startServer();

    const bundles = await fetchX509Bundles(socketPath);

    expect([...bundles.keys()]).toEqual([`spiffe://${TRUST_DOMAIN}`]);
    expect(bundles.get(`spiffe://${TRUST_DOMAIN}`)).toEqual(ca.bundle.x509Authorities);
  });

  it('attestation failing in every attestor gives Unavailable', async () => {
    const failing: WorkloadAttestor = { name: 'broken', attest: () => Promise.reject(new Error('no such process')) };
    await startServer([failing]);

    const failure = await fetchX509Svid(socketPath).catch((error: unknown) => error);

    expect((failure as WorkloadApiError).message).toBe('rpc error: code = Unavailable desc = workload attestation failed');
  });

  it('health check reports SERVING', async () => {
    await startServer();

    expect(await checkHealth(socketPath)).toBe('SERVING');
  });

  it('missing socket reads as Go prints it', async () => {
    const missing = join(directory, 'nothing.sock');

    const failure = await fetchX509Svid(missing).catch((error: unknown) => error);

    expect((failure as WorkloadApiError).message).toBe(
      `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix ${missing}: connect: no such file or directory"`,
    );
  });

  it.each([
    { name: 'socket in use', setUp: 'listening', message: /is in use: another process is listening on it$/ },
    { name: 'regular file', setUp: 'file', message: /exists and is not a socket$/ },
    { name: 'directory under a file', setUp: 'not-a-directory', message: /^cannot create the Workload API socket at ".*\/blocker\/api.sock": EEXIST: file already exists/ },
  ])('socket path problem is reported: $name', async ({ setUp, message }) => {
    if (setUp === 'listening') await startServer();
    if (setUp === 'file') await writeFile((socketPath = join(directory, 'plain-file')), 'x');
    if (setUp === 'not-a-directory') {
      await writeFile(join(directory, 'blocker'), 'x');
      socketPath = join(directory, 'blocker', 'api.sock');
    }

    const failure = await startWorkloadServer({
      socketPath,
      isHealthy: () => true,
      dependencies: { cache, attestors: [], logger: createLogrusLogger({ write: () => {} }), fetchJwtSvid: () => Promise.reject(new Error('unused')) },
    }).catch((error: unknown) => error);

    expect(isAgentError(failure)).toBe(true);
    expect((failure as Error).message).toMatch(message);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
