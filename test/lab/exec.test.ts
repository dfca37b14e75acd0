import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BUNDLED_SCENARIO_DIR } from '../../src/lab/index.js';
import { captureApiFailure, execInPod, startLabClients, type LabClients } from './lab-fixtures.js';

const WEB = { namespace: 'shop', pod: 'web-7d9f8b6c5-x2x9q', container: 'app' } as const;
const SERVER = { namespace: 'spire', pod: 'spire-server-0', container: 'spire-server' } as const;
const FETCH = ['spire-agent', 'api', 'fetch', 'x509', '-socketPath', '/run/spire/sockets/agent.sock'];

let healthy: LabClients;
let echo: LabClients;

beforeAll(async () => {
  healthy = await startLabClients('healthy');
  // A backend that echoes stdin and exits with the code given as the first argument.
  echo = await startLabClients('healthy', {
    backend: () => async (request) => ({ stdout: request.stdin ?? '', stderr: `argv=${request.command.join(' ')}`, exitCode: Number(request.command[0]) }),
  });
});

afterAll(async () => {
  await healthy?.lab.stop();
  await echo?.lab.stop();
});

function exec(target: { namespace: string; pod: string; container: string }, command: string[], clients = healthy) {
  return execInPod(clients.kubeConfig, target.namespace, target.pod, target.container, command);
}

interface Frame {
  readonly channel: number;
  readonly payload: string;
}

/** Opens the exec WebSocket directly, sends `messages` once open and collects every frame until close. */
function rawExec(clients: LabClients, query: string, protocols: string[], messages: Buffer[] = []): Promise<{ protocol: string; frames: Frame[]; closeCode: number; binary: boolean }> {
  const url = `${clients.lab.url.replace('https', 'wss')}/api/v1/namespaces/shop/pods/web-7d9f8b6c5-x2x9q/exec?${query}`;
  const cluster = clients.kubeConfig.getCurrentCluster();
  const token = clients.kubeConfig.getCurrentUser()?.token ?? '';
  const socket = new WebSocket(url, protocols, { ca: Buffer.from(cluster?.caData ?? '', 'base64'), headers: { authorization: `Bearer ${token}` } });
  const frames: Frame[] = [];
  let binary = true;
  return new Promise((resolve, reject) => {
    socket.on('open', () => messages.forEach((message) => socket.send(message)));
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      binary &&= isBinary;
      frames.push({ channel: data[0] ?? -1, payload: data.subarray(1).toString('utf8') });
    });
    socket.on('close', (closeCode) => resolve({ protocol: socket.protocol, frames, closeCode, binary }));
    socket.on('error', reject);
  });
}

describe('exec through client-node', () => {
  it('reports success for a healthy server', async () => {
    const outcome = await exec(SERVER, ['/opt/spire/bin/spire-server', 'healthcheck']);

    expect(outcome.status).toEqual({ metadata: {}, status: 'Success' });
    expect(outcome.stdout).toBe('Server is healthy.\n');
    expect(outcome.stderr).toBe('');
  });

  it('reports a non-zero exit code', async () => {
    const outcome = await exec(SERVER, ['spire-server', 'healthcheck', '-socketPath', '/run/spire/sockets/server.sock']);

    expect(outcome.status.status).toBe('Failure');
    expect(outcome.status.reason).toBe('NonZeroExitCode');
    expect(outcome.status.details?.causes).toEqual([{ reason: 'ExitCode', message: '1' }]);
    expect(outcome.stderr).toBe('Error: server is unhealthy: unable to determine health\n');
  });

  it('prints entries as compact sorted JSON', async () => {
    const outcome = await exec(SERVER, ['spire-server', 'entry', 'show', '-output', 'json']);
    const document = JSON.parse(outcome.stdout) as { entries: { spiffe_id: { path: string } }[]; next_page_token: string };

    expect(outcome.stdout.startsWith('{"entries":[{"admin":false,"created_at":"')).toBe(true);
    expect(outcome.stdout.endsWith('],"next_page_token":""}\n')).toBe(true);
    expect(document.entries.map((entry) => entry.spiffe_id.path)).toEqual(['/ns/shop/sa/web', '/ns/spire/sa/spire-agent']);
  });

  it('filters entries by selector', async () => {
    const outcome = await exec(SERVER, ['spire-server', 'entry', 'show', '-selector', 'k8s:ns:shop']);

    expect(outcome.stdout).toMatch(/^Found 1 entry\nEntry ID {16}: [0-9a-f-]{36}\nSPIFFE ID {15}: spiffe:\/\/example\.org\/ns\/shop\/sa\/web\n/);
    expect(outcome.stdout).toContain('Selector                : k8s:ns:shop\nSelector                : k8s:sa:web\n\n');
  });

  it('reports an unknown entry ID as SPIRE does', async () => {
    const outcome = await exec(SERVER, ['spire-server', 'entry', 'show', '-entryID', 'missing']);

    expect(outcome.stderr).toBe('Error: error fetching entry ID missing: rpc error: code = NotFound desc = no such registration entry\n');
    expect(outcome.status.details?.causes?.[0]?.message).toBe('1');
  });

  it('lists attested agents as JSON', async () => {
    const outcome = await exec(SERVER, ['spire-server', 'agent', 'list', '-output', 'json']);
    const document = JSON.parse(outcome.stdout) as { agents: { id: { path: string }; attestation_type: string }[] };

    expect(document.agents.map((agent) => agent.id.path)).toEqual([
      '/spire/agent/k8s_psat/demo-cluster/3b0f6a52-8c1d-4e27-9f43-1a6d2c8e7b01',
      '/spire/agent/k8s_psat/demo-cluster/9e4c2d71-5a3b-4f08-b6e2-7c1d0f9a3e02',
    ]);
    expect(document.agents[0]?.attestation_type).toBe('k8s_psat');
  });

  it('fails an unknown subcommand with 127', async () => {
    const outcome = await exec(SERVER, ['spire-server', 'frobnicate']);

    expect(outcome.status.details?.causes).toEqual([{ reason: 'ExitCode', message: '127' }]);
    expect(outcome.stderr.startsWith('Usage: spire-server [--version] [--help] <command> [<args>]\n')).toBe(true);
  });

  it('rejects an undefined flag as Go does', async () => {
    const outcome = await exec(SERVER, ['spire-server', 'entry', 'show', '-bogus']);

    expect(outcome.stderr).toBe('flag provided but not defined: -bogus\n');
  });

  it('reports a healthy agent', async () => {
    const outcome = await exec({ namespace: 'spire', pod: 'spire-agent-7xk2p', container: 'spire-agent' }, ['spire-agent', 'healthcheck', '-socketPath', '/run/spire/sockets/agent.sock']);

    expect(outcome.stdout).toBe('Agent is healthy.\n');
  });

  it('reports a program missing from the image', async () => {
    const outcome = await exec(WEB, ['spire-server', 'healthcheck']);

    expect(outcome.status.details?.causes).toEqual([{ reason: 'ExitCode', message: '127' }]);
    expect(outcome.stderr).toBe('OCI runtime exec failed: exec failed: unable to start container process: exec: "spire-server": executable file not found in $PATH: unknown\n');
  });
});

describe('simulated X.509 fetch', () => {
  it('issues an SVID to the matching pod', async () => {
    const outcome = await exec(WEB, FETCH);

    expect(outcome.status.status).toBe('Success');
    expect(outcome.stdout).toMatch(/^Received 1 svid after \d+(\.\d+)?(µs|ms|s)\n\nSPIFFE ID:\t\tspiffe:\/\/example\.org\/ns\/shop\/sa\/web\nSVID Valid After:\t\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000 UTC\n/);
    expect(outcome.stdout).toContain('CA #1 Valid Until:\t');
  });

  it('prints a verifiable SVID as JSON', async () => {
    const outcome = await exec(WEB, [...FETCH, '-output', 'json']);
    const document = JSON.parse(outcome.stdout) as { svids: { spiffe_id: string; x509_svid: string; bundle: string; x509_svid_key: string; hint: string }[] };
    const svid = document.svids[0];
    const leaf = new X509Certificate(Buffer.from(svid?.x509_svid ?? '', 'base64'));
    const bundle = new X509Certificate(Buffer.from(svid?.bundle ?? '', 'base64'));

    expect(Object.keys(document)).toEqual(['crl', 'federated_bundles', 'svids']);
    expect(svid?.spiffe_id).toBe('spiffe://example.org/ns/shop/sa/web');
    expect(leaf.subjectAltName).toBe('URI:spiffe://example.org/ns/shop/sa/web');
    expect(leaf.verify(bundle.publicKey)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(bundle.subjectAltName).toBe('URI:spiffe://example.org');
    expect(svid?.x509_svid_key).not.toBe('');
  });

  it('reports the default socket as missing', async () => {
    const outcome = await exec(WEB, ['spire-agent', 'api', 'fetch', 'x509']);

    expect(outcome.stderr).toBe(
      'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /tmp/spire-agent/public/api.sock: connect: no such file or directory"\n',
    );
    expect(outcome.status.details?.causes).toEqual([{ reason: 'ExitCode', message: '1' }]);
  });

  it('denies a pod no entry matches and logs it on the agent', async () => {
    const mismatch = await startLabClients('selector-mismatch');
    try {
      const outcome = await exec(WEB, FETCH, mismatch);
      const agentLog = await mismatch.core.readNamespacedPodLog({ namespace: 'spire', name: 'spire-agent-q9w4m', tailLines: 1 });
      const otherAgentLog = await mismatch.core.readNamespacedPodLog({ namespace: 'spire', name: 'spire-agent-7xk2p' });

      expect(outcome.stderr).toBe('rpc error: code = PermissionDenied desc = no identity issued\n');
      expect(outcome.status.details?.causes).toEqual([{ reason: 'ExitCode', message: '1' }]);
      expect(agentLog).toMatch(/^time="[^"]+" level=error msg="No identity issued" method=FetchX509SVID pid=\d+ registered=false service=WorkloadAPI subsystem_name=endpoints\n$/);
      expect(otherAgentLog).not.toContain('No identity issued');
    } finally {
      await mismatch.lab.stop();
    }
  });
});

describe('exec protocol', () => {
  it('negotiates v5 and frames output in binary', async () => {
    const result = await rawExec(echo, 'command=0&stdout=true&stderr=true', ['v5.channel.k8s.io', 'v4.channel.k8s.io']);

    expect(result.protocol).toBe('v5.channel.k8s.io');
    expect(result.binary).toBe(true);
    expect(result.closeCode).toBe(1000);
    expect(result.frames).toEqual([
      { channel: 1, payload: '' },
      { channel: 2, payload: 'argv=0' },
      { channel: 3, payload: '{"metadata":{},"status":"Success"}' },
    ]);
  });

  it('falls back to v4 for older clients', async () => {
    const result = await rawExec(echo, 'command=3&stdout=true&stderr=true', ['v4.channel.k8s.io', 'channel.k8s.io']);
    const status = JSON.parse(result.frames.at(-1)?.payload ?? '{}') as { reason: string; details: unknown };

    expect(result.protocol).toBe('v4.channel.k8s.io');
    expect(status.reason).toBe('NonZeroExitCode');
    expect(status.details).toEqual({ causes: [{ reason: 'ExitCode', message: '3' }] });
  });

  it('passes stdin until the v5 CLOSE message', async () => {
    const messages = [Buffer.from('\x00hello '), Buffer.from('\x00lab'), Buffer.from([255, 0])];

    const result = await rawExec(echo, 'command=0&stdin=true&stdout=true&stderr=false', ['v5.channel.k8s.io'], messages);

    expect(result.frames.map((frame) => frame.channel)).toEqual([1, 1, 3]);
    expect(result.frames[1]?.payload).toBe('hello lab');
  });

  it('rejects an exec without a supported subprotocol', async () => {
    const failure = rawExec(echo, 'command=0&stdout=true', ['base64.channel.k8s.io']);

    await expect(failure).rejects.toThrow('Unexpected server response: 400');
  });

  it.each([
    { name: 'missing pod', pod: 'web-0', container: 'app', message: 'Unexpected server response: 404' },
    { name: 'unknown container', pod: WEB.pod, container: 'sidecar', message: 'Unexpected server response: 400' },
  ])('rejects a $name before the upgrade', async ({ pod, container, message }) => {
    const failure = execInPod(healthy.kubeConfig, 'shop', pod, container, ['true']);

    await expect(failure).rejects.toThrow(message);
  });

  it('forbids exec where RBAC forbids it', async () => {
    const forbidden = await startLabClients('forbidden-exec');
    try {
      const failure = execInPod(forbidden.kubeConfig, WEB.namespace, WEB.pod, WEB.container, FETCH);

      await expect(failure).rejects.toThrow('Unexpected server response: 403');
    } finally {
      await forbidden.lab.stop();
    }
  });

  it('answers the SPDY fallback with a Status, never 101', async () => {
    const cluster = healthy.kubeConfig.getCurrentCluster();
    const token = healthy.kubeConfig.getCurrentUser()?.token ?? '';
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpsRequest(`${healthy.lab.url}/api/v1/namespaces/shop/pods/web-7d9f8b6c5-x2x9q/exec?command=true&stdout=true&container=app`, {
        method: 'POST',
        ca: Buffer.from(cluster?.caData ?? '', 'base64'),
        headers: { authorization: `Bearer ${token}`, 'x-stream-protocol-version': 'v4.channel.k8s.io' },
      });
      request.on('response', (message) => {
        const chunks: Buffer[] = [];
        message.on('data', (chunk: Buffer) => chunks.push(chunk));
        message.on('end', () => resolve({ status: message.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      request.on('error', reject);
      request.end();
    });

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
  });

  it('reports an unscheduled pod on the SPDY fallback', async () => {
    const pending = await startLabClients(`
apiVersion: spiffe-doctor.lab/v1
pods:
  - metadata: {name: web-0, namespace: shop}
    spec: {containers: [{name: app, image: nginx}]}
spire: {trustDomain: example.org}
`);
    try {
      const failure = await captureApiFailure(() => pending.core.connectPostNamespacedPodExec({ namespace: 'shop', name: 'web-0', command: 'true' }));

      expect(failure.code).toBe(400);
      expect(failure.body?.message).toBe('pod web-0 does not have a host assigned');
    } finally {
      await pending.lab.stop();
    }
  });

  it('reports a missing pod on the SPDY fallback as NotFound', async () => {
    const failure = await captureApiFailure(() => healthy.core.connectPostNamespacedPodExec({ namespace: 'shop', name: 'web-0', command: 'true' }));

    expect(failure.code).toBe(404);
    expect(failure.body?.message).toBe('pods "web-0" not found');
  });
});

describe('containers that do not run', () => {
  const CRASHING = `
apiVersion: spiffe-doctor.lab/v1
nodes: [{metadata: {name: node-a}}]
pods:
  - metadata: {name: web-0, namespace: shop}
    spec:
      nodeName: node-a
      containers: [{name: app, image: ghcr.io/spiffe/spire-agent:1.12.4}]
    status:
      phase: Running
      containerStatuses:
        - name: app
          ready: false
          restartCount: 4
          state: {waiting: {reason: CrashLoopBackOff}}
spire: {trustDomain: example.org}
`;
  let crashing: LabClients;

  beforeAll(async () => {
    crashing = await startLabClients(CRASHING);
  });

  afterAll(async () => {
    await crashing?.lab.stop();
  });

  it('fails exec with the kubelet error', async () => {
    const outcome = await execInPod(crashing.kubeConfig, 'shop', 'web-0', 'app', ['spire-agent', 'healthcheck']);

    expect(outcome.status.status).toBe('Failure');
    expect(outcome.status.reason).toBe('InternalError');
    expect(outcome.status.message).toBe('Internal error occurred: container not found ("app")');
    expect(outcome.stdout).toBe('');
  });

  it('rejects logs of a waiting container', async () => {
    const failure = await captureApiFailure(() => crashing.core.readNamespacedPodLog({ namespace: 'shop', name: 'web-0' }));

    expect(failure.code).toBe(400);
    expect(failure.body?.message).toBe('container "app" in pod "web-0" is waiting to start: CrashLoopBackOff');
  });
});

describe('trust bundle', () => {
  it('prints the bundle as PEM', async () => {
    const outcome = await exec(SERVER, ['spire-server', 'bundle', 'show']);
    const authority = new X509Certificate(outcome.stdout);

    expect(outcome.stdout.startsWith('-----BEGIN CERTIFICATE-----\n')).toBe(true);
    expect(authority.ca).toBe(true);
    expect(authority.subjectAltName).toBe('URI:spiffe://example.org');
  });

  it('prints the bundle as a SPIFFE bundle', async () => {
    const pem = await exec(SERVER, ['spire-server', 'bundle', 'show']);
    const outcome = await exec(SERVER, ['spire-server', 'bundle', 'show', '-format', 'spiffe']);
    const bundle = JSON.parse(outcome.stdout) as { keys: Record<string, unknown>[]; spiffe_sequence: number };
    const key = bundle.keys[0];

    expect(outcome.stdout.startsWith('{\n    "keys": [\n        {\n            "use": "x509-svid",\n            "kty": "EC",\n            "crv": "P-256",\n')).toBe(true);
    expect(Object.keys(key ?? {})).toEqual(['use', 'kty', 'crv', 'x', 'y', 'x5c']);
    expect(key?.x5c).toEqual([new X509Certificate(pem.stdout).raw.toString('base64')]);
    expect(bundle.spiffe_sequence).toBe(1);
  });
});

describe('simulated JWT fetch', () => {
  const FETCH_JWT = ['spire-agent', 'api', 'fetch', 'jwt', '-socketPath', '/run/spire/sockets/agent.sock', '-audience', 'payments,orders'];

  it('issues a JWT-SVID that verifies with the bundle', async () => {
    const outcome = await exec(WEB, FETCH_JWT);
    const match = /^token\(spiffe:\/\/example\.org\/ns\/shop\/sa\/web\):\n\t(\S+)\n\nbundle\(spiffe:\/\/example\.org\):\n\t(\S+)\n\n$/.exec(outcome.stdout);
    const [, token = '', bundle = '{}'] = match ?? [];

    const keys = (JSON.parse(bundle) as JSONWebKeySet).keys;
    // jose accepts only `use: "sig"`, while SPIFFE JWT bundles mark keys `use: "jwt-svid"`.
    const verificationKeys = createLocalJWKSet({ keys: keys.map(({ use: _use, ...key }) => key) });

    const { payload, protectedHeader } = await jwtVerify(token, verificationKeys, { audience: 'orders' });

    expect(match).not.toBeNull();
    expect(payload.sub).toBe('spiffe://example.org/ns/shop/sa/web');
    expect(payload.aud).toEqual(['payments', 'orders']);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    expect(protectedHeader.alg).toBe('ES256');
    expect(keys[0]?.use).toBe('jwt-svid');
  });

  it('prints both responses as JSON', async () => {
    const outcome = await exec(WEB, [...FETCH_JWT, '-output', 'json']);
    const [svids, bundles] = JSON.parse(outcome.stdout) as [{ svids: { spiffe_id: string; svid: string; hint: string }[] }, { bundles: Record<string, string> }];

    expect(svids.svids.map((svid) => svid.spiffe_id)).toEqual(['spiffe://example.org/ns/shop/sa/web']);
    expect(Object.keys(bundles.bundles)).toEqual(['spiffe://example.org']);
    expect(JSON.parse(Buffer.from(bundles.bundles['spiffe://example.org'] ?? '', 'base64').toString('utf8'))).toHaveProperty('keys');
  });

  it('requires an audience', async () => {
    const outcome = await exec(WEB, ['spire-agent', 'api', 'fetch', 'jwt', '-socketPath', '/run/spire/sockets/agent.sock']);

    expect(outcome.stderr).toBe('audience must be specified\n');
    expect(outcome.status.details?.causes).toEqual([{ reason: 'ExitCode', message: '1' }]);
  });

  it('denies an identity the workload does not have', async () => {
    const outcome = await exec(WEB, [...FETCH_JWT, '-spiffeID', 'spiffe://example.org/ns/shop/sa/other']);

    expect(outcome.stderr).toBe('rpc error: code = PermissionDenied desc = no identity issued\n');
  });
});

describe('unhealthy agent', () => {
  it('fails the healthcheck and the fetch', async () => {
    const text = await readFile(`${BUNDLED_SCENARIO_DIR}healthy.yaml`, 'utf8');
    const unhealthy = await startLabClients(`${text}  agents: [{nodeName: lab-worker-2, healthy: false}]\n`);
    try {
      const agent = { namespace: 'spire', pod: 'spire-agent-q9w4m', container: 'spire-agent' };
      const health = await execInPod(unhealthy.kubeConfig, agent.namespace, agent.pod, agent.container, ['spire-agent', 'healthcheck', '-socketPath', '/run/spire/sockets/agent.sock']);
      const fetch = await execInPod(unhealthy.kubeConfig, WEB.namespace, WEB.pod, WEB.container, FETCH);

      expect(health.stderr).toBe('Agent is unhealthy: agent returned status "NOT_SERVING"\n');
      expect(health.status.details?.causes).toEqual([{ reason: 'ExitCode', message: '1' }]);
      expect(fetch.stderr).toBe('rpc error: code = DeadlineExceeded desc = context deadline exceeded\n');
    } finally {
      await unhealthy.lab.stop();
    }
  });
});
