/**
 * Starts the lab: an HTTPS Kubernetes API server subset on loopback, backed by a
 * scenario, plus a kubeconfig for it in a fresh temporary directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { handleApiRequest, type LabApiContext } from './api-handler.js';
import type { LabExecBackend } from './exec-backend.js';
import { createExecUpgradeHandler } from './exec-upgrade.js';
import { renderKubeconfig } from './kubeconfig.js';
import { createLabCa, type LabCa } from './lab-ca.js';
import { LabState } from './lab-state.js';
import type { LabScenario } from './scenario-types.js';
import { createSimulatedExecBackend } from './simulated-exec-backend.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1']);

/** Options of {@link startLab}. */
export interface StartLabOptions {
  /** Loopback address to listen on: `127.0.0.1` (default) or `::1`. */
  readonly host?: string;
  /** TCP port; default 0 picks a free one. */
  readonly port?: number;
  /** Bearer token clients must send; default a random one. */
  readonly token?: string;
  readonly logger?: Logger;
  /** Factory of the exec backend. Default: the simulated SPIRE CLIs. */
  readonly backend?: (state: LabState, ca: LabCa) => LabExecBackend;
}

/** A running lab. */
export interface LabHandle {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** Path of the written kubeconfig; removed by `stop()`. */
  readonly kubeconfigPath: string;
  /** The kubeconfig text. */
  readonly kubeconfig: string;
  readonly scenario: LabScenario;
  /** Live state: logs the lab has appended since it started. */
  readonly state: LabState;
  /** Stops the server, ends open streams and removes the kubeconfig directory. */
  stop(): Promise<void>;
}

/**
 * Starts a lab for `scenario`.
 * @throws UserError when the host is not a loopback address or the port is taken.
 */
export async function startLab(scenario: LabScenario, options: StartLabOptions = {}): Promise<LabHandle> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new UserError(`invalid lab host "${host}": the lab listens only on loopback`, { suggestions: ['Use --host 127.0.0.1 or ::1, or leave it out.'] });
  }
  const logger = (options.logger ?? silentLogger).child({ component: 'lab', scenario: scenario.name });
  const token = options.token ?? randomBytes(24).toString('hex');
  const state = new LabState(scenario);
  const ca = await createLabCa(scenario.spire.trustDomain);
  const backend = (options.backend ?? createSimulatedExecBackend)(state, ca);

  let signalClosed = () => {};
  const closed = new Promise<void>((resolve) => (signalClosed = resolve));
  const server = createServer({ key: ca.tls.keyPem, cert: ca.tls.certPem });
  const port = await listen(server, host, options.port ?? 0);
  const url = host.includes(':') ? `https://[${host}]:${port}` : `https://${host}:${port}`;

  const context: LabApiContext = { state, token, serverAddress: `${host}:${port}`, closed, logger, backend };
  server.on('request', (request, response) => handleApiRequest(context, request, response));
  server.on('upgrade', createExecUpgradeHandler(context));

  const directory = await mkdtemp(join(tmpdir(), 'spiffe-doctor-lab-'));
  const kubeconfigPath = join(directory, 'kubeconfig');
  const kubeconfig = renderKubeconfig({ serverUrl: url, caPem: ca.tls.caPem, token });
  await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
  logger.info('Lab started', { url, kubeconfig: kubeconfigPath });

  const stop = async () => {
    signalClosed();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await rm(directory, { recursive: true, force: true });
    logger.info('Lab stopped', { url });
  };
  return { url, kubeconfigPath, kubeconfig, scenario, state, stop };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const inUse = error.code === 'EADDRINUSE';
      reject(new UserError(inUse ? `lab port ${port} on ${host} is already in use` : `could not start the lab on ${host}:${port}: ${error.message}`, {
        cause: error,
        suggestions: [inUse ? 'Pick another --port, or leave it out to use a free one.' : 'Check that the address is a local loopback address.'],
      }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
