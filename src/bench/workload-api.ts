/**
 * Workload API benchmark: 200 concurrent clients fetch X509-SVIDs from one embedded
 * agent (attested to an in-process embedded server) over its Unix socket. The baseline
 * is a bare gRPC server-streaming echo behind the same peer-credential listener, so the
 * ratio isolates what attestation, entry matching and the SVID response cost.
 * Each client runs fetches back to back for a fixed time, each on a new connection as
 * `spire-agent api fetch` makes one. Reusing a connection would not work here: Node's
 * HTTP/2 server treats a stream of client cancellations on one session as a rapid-reset
 * attack and closes the session, whichever gRPC service is behind it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startEmbeddedAgent, type EmbeddedAgentHandle } from '../embedded/agent/agent.js';
import { listenWithPeerCredentials } from '../embedded/agent/peer-credentials.js';
import { loopbackServerConfig, ServerAdminClient } from '../embedded/agent/local-stack.js';
import { startEmbeddedServer, type EmbeddedServerHandle } from '../embedded/server/server.js';
import { WORKLOAD_API_HEADER, workloadClientConstructor } from '../embedded/workload/proto.js';
import { silentLogger } from '../logger.js';
import type { BenchResult, Benchmark } from './types.js';

const CLIENTS = 200;
const WARM_UP_MS = 500;
const MEASURE_MS = 2_000;
const TRUST_DOMAIN = 'bench.example.org';

type StreamMethod = (request: unknown, metadata: grpc.Metadata) => grpc.ClientReadableStream<unknown>;

interface LoadResult {
  readonly latenciesMs: number[];
  readonly completed: number;
  readonly elapsedMs: number;
  /** Failed calls by gRPC status text; failures are counted, not timed. */
  readonly failures: ReadonlyMap<string, number>;
}

/** Connects, opens a server stream, waits for its first message, then cancels and disconnects. */
function firstMessage(connect: () => grpc.Client, open: (client: grpc.Client) => grpc.ClientReadableStream<unknown>): Promise<void> {
  const client = connect();
  return new Promise<void>((resolve, reject) => {
    const stream = open(client);
    stream.once('data', () => {
      stream.cancel();
      resolve();
    });
    stream.once('error', (error: grpc.ServiceError) => {
      if (error.code !== grpc.status.CANCELLED) reject(error);
    });
  }).finally(() => client.close());
}

/** Runs `CLIENTS` loops of back-to-back calls: a warm-up, then the measured window. */
async function runLoad(call: () => Promise<void>): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const failures = new Map<string, number>();
  let measuring = false;
  let stopped = false;

  const loop = async () => {
    while (!stopped) {
      const started = performance.now();
      try {
        await call();
      } catch (error) {
        const key = (error as Error).message;
        failures.set(key, (failures.get(key) ?? 0) + 1);
        continue;
      }
      if (measuring) latenciesMs.push(performance.now() - started);
    }
  };
  const loops = Array.from({ length: CLIENTS }, () => loop());

  await sleep(WARM_UP_MS);
  measuring = true;
  const measureStart = performance.now();
  await sleep(MEASURE_MS);
  measuring = false;
  const elapsedMs = performance.now() - measureStart;
  stopped = true;
  await Promise.all(loops);
  return { latenciesMs, completed: latenciesMs.length, elapsedMs, failures };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

function metadata(): grpc.Metadata {
  const result = new grpc.Metadata();
  result.set(WORKLOAD_API_HEADER, 'true');
  return result;
}

/** Starts a server and an agent with one entry for this process's UID. */
async function startStack(directory: string): Promise<{ server: EmbeddedServerHandle; agent: EmbeddedAgentHandle }> {
  const serverConfig = loopbackServerConfig(directory, TRUST_DOMAIN);
  const server = await startEmbeddedServer(serverConfig, { logger: silentLogger });
  const admin = new ServerAdminClient(serverConfig.socketPath);

  try {
    const agent = await startEmbeddedAgent(
      {
        trustDomain: TRUST_DOMAIN,
        serverAddress: '127.0.0.1',
        serverPort: server.address.port,
        socketPath: join(directory, 'agent.sock'),
        dataDir: join(directory, 'agent-data'),
        joinToken: await admin.createJoinToken(),
        trustBundle: server.bundle().x509_authorities.map((authority: { asn1: Buffer }) => authority.asn1),
        insecureBootstrap: false,
        logLevel: 'error',
        keyManager: 'memory',
        unixAttestor: {},
        syncIntervalMs: 5_000,
        allowUnauthenticatedVerifiers: false,
      },
      { logger: silentLogger },
    );
    await admin.createEntry({
      spiffeId: { trust_domain: TRUST_DOMAIN, path: '/bench' },
      parentId: { trust_domain: TRUST_DOMAIN, path: new URL(agent.spiffeId).pathname },
      selectors: [{ type: 'unix', value: `uid:${process.getuid?.() ?? 0}` }],
    });
    await agent.syncNow();
    return { server, agent };
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    admin.close();
  }
}

/** A server-streaming echo: one response with the request bytes, then the stream ends. */
const ECHO_SERVICE: grpc.ServiceDefinition = {
  Echo: {
    path: '/spiffedoctor.bench.Echo/Echo',
    requestStream: false,
    responseStream: true,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (value: Buffer) => value,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (value: Buffer) => value,
  },
};

async function measureEcho(directory: string): Promise<LoadResult> {
  const server = new grpc.Server();
  server.addService(ECHO_SERVICE, {
    Echo: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      call.write(call.request);
      call.end();
    },
  });
  const socketPath = join(directory, 'echo.sock');
  const listener = await listenWithPeerCredentials(server, socketPath);
  const Constructor = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo');
  const connect = () => new Constructor(`unix:${socketPath}`, grpc.credentials.createInsecure());
  const request = Buffer.alloc(64);

  try {
    return await runLoad(() => firstMessage(connect, (client) => (client as grpc.Client & { Echo: StreamMethod }).Echo(request, metadata())));
  } finally {
    await listener.close();
    server.forceShutdown();
  }
}

async function measureFetch(agent: EmbeddedAgentHandle): Promise<LoadResult & { svidsPerResponse: number }> {
  const Constructor = workloadClientConstructor();
  const connect = () => new Constructor(`unix:${agent.socketPath}`, grpc.credentials.createInsecure());
  const result = await runLoad(() => firstMessage(connect, (client) => (client as grpc.Client & { FetchX509SVID: StreamMethod }).FetchX509SVID({}, metadata())));
  return { ...result, svidsPerResponse: 1 };
}

function summarise(fetch: LoadResult & { svidsPerResponse: number }, echo: LoadResult): BenchResult {
  const fetchP50 = percentile(fetch.latenciesMs, 0.5);
  const fetchP99 = percentile(fetch.latenciesMs, 0.99);
  const echoP50 = percentile(echo.latenciesMs, 0.5);
  const echoP99 = percentile(echo.latenciesMs, 0.99);
  const svidsPerSecond = (fetch.completed * fetch.svidsPerResponse * 1000) / fetch.elapsedMs;
  const echoPerSecond = (echo.completed * 1000) / echo.elapsedMs;

  return {
    name: 'workload-api',
    metrics: [
      { name: 'FetchX509SVID p50', value: fetchP50, unit: 'ms' },
      { name: 'FetchX509SVID p99', value: fetchP99, unit: 'ms' },
      { name: 'SVIDs served', value: svidsPerSecond, unit: 'SVIDs/s' },
      { name: 'echo p50', value: echoP50, unit: 'ms' },
      { name: 'echo p99', value: echoP99, unit: 'ms' },
      { name: 'echo calls', value: echoPerSecond, unit: 'calls/s' },
    ],
    ratios: [
      { name: 'fetch p50 / echo p50', value: fetchP50 / echoP50 },
      { name: 'fetch p99 / echo p99', value: fetchP99 / echoP99 },
      { name: 'SVIDs/s / echo calls/s', value: svidsPerSecond / echoPerSecond },
    ],
    notes: [
      `${CLIENTS} concurrent clients, a new connection per call, ${MEASURE_MS} ms measured after ${WARM_UP_MS} ms warm-up`,
      'clients, agent and server share one Node.js process, so client-side cost is in both numbers',
      ...describeFailures('fetch', fetch.failures),
      ...describeFailures('echo', echo.failures),
    ],
  };
}

function describeFailures(label: string, failures: ReadonlyMap<string, number>): string[] {
  return [...failures].map(([message, count]) => `${label}: ${count} failed calls: ${message}`);
}

export const benchmark: Benchmark = {
  name: 'workload-api',
  async run() {
    const directory = await mkdtemp(join(tmpdir(), 'bench-workload-api-'));
    let stack: Awaited<ReturnType<typeof startStack>> | undefined;
    try {
      stack = await startStack(directory);
      const fetch = await measureFetch(stack.agent);
      const echo = await measureEcho(directory);
      return summarise(fetch, echo);
    } finally {
      await stack?.agent.close();
      await stack?.server.stop();
      await rm(directory, { recursive: true, force: true });
    }
  },
};
