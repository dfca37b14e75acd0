/**
 * Exec over WebSocket with the Kubernetes channel protocol (`v5.channel.k8s.io`, and
 * `v4.channel.k8s.io` for older clients). Every message is a binary frame
 * `[channel][payload]`: 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize, 255 close (v5).
 * The lab sends output on channels 1 and 2 and the exit status on channel 3, and never
 * another channel, because client-node 1.4 throws on any other. It then closes with
 * code 1000, which kubectl needs to see EOF.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { badRequest, internalError, isApiStatusError, pathNotFound, unauthorized, type ApiStatusError } from './api-status.js';
import { isAuthenticated, type LabApiContext } from './api-handler.js';
import { resolveRoute } from './api-routes.js';
import type { LabExecResult } from './exec-backend.js';
import { parseExecRequest, validateExecTarget, type ExecRequest } from './exec-request.js';

/** Subprotocols the lab accepts, most preferred first. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, status: 3, close: 255 } as const;

/** Creates the `upgrade` listener for the lab's HTTP server. */
export function createExecUpgradeHandler(context: LabApiContext): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const server = new WebSocketServer({ noServer: true, handleProtocols: (offered) => chooseProtocol(offered) ?? false });
  void context.closed.then(() => {
    for (const client of server.clients) client.terminate();
    server.close();
  });

  return (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://lab.invalid');
    try {
      const exec = checkUpgrade(context, request, url);
      server.handleUpgrade(request, socket, head, (webSocket) => {
        const protocol = webSocket.protocol;
        context.logger.debug('Exec started', { namespace: exec.namespace, pod: exec.pod, container: exec.container, protocol });
        runSession(context, exec, webSocket, protocol === EXEC_PROTOCOLS[0]);
      });
    } catch (error) {
      const status = isApiStatusError(error) ? error : internalError((error as Error).message);
      context.logger.debug('Exec rejected', { path: url.pathname, code: status.status.code, reason: status.status.reason });
      rejectUpgrade(socket, status);
    }
  };
}

function chooseProtocol(offered: ReadonlySet<string>): string | undefined {
  return EXEC_PROTOCOLS.find((protocol) => offered.has(protocol));
}

function checkUpgrade(context: LabApiContext, request: IncomingMessage, url: URL): ExecRequest {
  if (!isAuthenticated(request, context.token)) throw unauthorized();
  const route = resolveRoute(url.pathname, context.serverAddress);
  if (route.kind !== 'subresource' || route.subresource !== 'exec') throw pathNotFound();

  const exec = parseExecRequest(route.namespace, route.name, url.searchParams);
  const container = validateExecTarget(context.state, exec);
  const offered = new Set((request.headers['sec-websocket-protocol'] ?? '').split(',').map((protocol) => protocol.trim()));
  if (!chooseProtocol(offered)) throw badRequest(`no supported WebSocket subprotocol: offer one of ${EXEC_PROTOCOLS.join(', ')}`);
  return { ...exec, container };
}

/** Rejects an upgrade with a plain HTTP Status reply, as the API server does before upgrading. */
function rejectUpgrade(socket: Duplex, error: ApiStatusError): void {
  const body = JSON.stringify(error.status);
  const head = [
    `HTTP/1.1 ${error.status.code} ${error.status.reason}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

function runSession(context: LabApiContext, exec: ExecRequest, webSocket: WebSocket, closeMessages: boolean): void {
  const stdinChunks: Buffer[] = [];
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    void execute(context, exec, Buffer.concat(stdinChunks).toString('utf8'), webSocket);
  };

  webSocket.on('message', (data: RawData, isBinary: boolean) => {
    const message = toBuffer(data);
    if (!isBinary || message.length === 0) return;
    if (message[0] === CHANNEL.stdin) stdinChunks.push(message.subarray(1));
    if (message[0] === CHANNEL.close && message.length === 2 && message[1] === CHANNEL.stdin) start();
  });

  // The first message is an empty frame on the lowest writable channel, as the API server sends.
  if (exec.stdout) webSocket.send(Buffer.from([CHANNEL.stdout]));
  // NOTE: over v4 there is no CLOSE message, so stdin cannot end before the command runs; the command then gets empty stdin.
  if (!exec.stdin || !closeMessages) start();
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

async function execute(context: LabApiContext, exec: ExecRequest, stdin: string, webSocket: WebSocket): Promise<void> {
  const ids = { namespace: exec.namespace, pod: exec.pod, container: exec.container };
  let status: Record<string, unknown>;
  if (!isContainerRunning(context, exec)) {
    // The kubelet finds no running container to exec into (Kubernetes 1.30 `GetExec`).
    status = internalErrorStatus(`container not found ("${exec.container}")`);
    context.logger.debug('Exec into a container that is not running', ids);
    finish(webSocket, status);
    return;
  }

  try {
    const result = await context.backend({ ...ids, command: exec.command, stdin });
    sendOutput(exec, webSocket, result);
    status = exitStatus(exec.command, result.exitCode);
    context.logger.debug('Exec finished', { ...ids, exitCode: result.exitCode });
  } catch (error) {
    context.logger.error('Exec failed', { ...ids, error: (error as Error).message });
    status = internalErrorStatus((error as Error).message);
  }
  finish(webSocket, status);
}

function finish(webSocket: WebSocket, status: Record<string, unknown>): void {
  if (webSocket.readyState !== webSocket.OPEN) return;
  webSocket.send(Buffer.concat([Buffer.from([CHANNEL.status]), Buffer.from(JSON.stringify(status))]));
  webSocket.close(1000);
}

function isContainerRunning(context: LabApiContext, exec: ExecRequest): boolean {
  const pod = context.state.findPod(exec.namespace, exec.pod);
  const statuses = [...(pod?.status?.containerStatuses ?? []), ...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.ephemeralContainerStatuses ?? [])];
  return statuses.some((status) => status.name === exec.container && status.state?.running !== undefined);
}

/**
 * Builds the channel-3 status for an error inside the node, as the API server relays it:
 * an InternalError Status without kind or apiVersion.
 */
function internalErrorStatus(message: string): Record<string, unknown> {
  const { kind: _kind, apiVersion: _apiVersion, ...status } = internalError(message).status;
  return { ...status, details: { causes: [{ message }] } };
}

function sendOutput(exec: ExecRequest, webSocket: WebSocket, result: LabExecResult): void {
  const send = (channel: number, text: string) => {
    if (text !== '' && webSocket.readyState === webSocket.OPEN) webSocket.send(Buffer.concat([Buffer.from([channel]), Buffer.from(text, 'utf8')]));
  };
  if (exec.stdout) send(CHANNEL.stdout, result.stdout);
  // A TTY merges stderr into stdout.
  if (exec.tty && exec.stdout) send(CHANNEL.stdout, result.stderr);
  if (!exec.tty && exec.stderr) send(CHANNEL.stderr, result.stderr);
}

/**
 * Builds the channel-3 status: Success, or Failure with reason NonZeroExitCode and the
 * exit code as an `ExitCode` cause, in the kubelet's shape (no kind or apiVersion).
 */
export function exitStatus(command: readonly string[], exitCode: number): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}
