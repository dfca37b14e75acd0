/**
 * Preparation of the Workload API socket path before the agent listens on it. A
 * socket file left by an agent that has exited is removed, as SPIRE 1.15's agent
 * removes an existing socket before listening. A socket that still accepts
 * connections belongs to a running agent, so it is left alone, and so is any file
 * that is not a socket.
 */
import { connect } from 'node:net';
import { lstat, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AgentError } from './errors.js';

/** Makes `socketPath` ready for `listen`, or throws an `AgentError` naming the problem. */
export async function prepareSocketPath(socketPath: string): Promise<void> {
  await createSocketDirectory(socketPath);

  const existing = await lstat(socketPath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw notWritable(socketPath, error);
  });
  if (!existing) return;

  if (!existing.isSocket()) {
    throw new AgentError(`socket_path "${socketPath}" exists and is not a socket`, {
      suggestions: ['Set socket_path to a path that does not exist yet, or remove that file if nothing needs it.'],
    });
  }
  if (await acceptsConnections(socketPath)) {
    throw new AgentError(`socket_path "${socketPath}" is in use: another process is listening on it`, {
      suggestions: ['Stop the other agent, or set socket_path (or -socketPath) to a different path.'],
    });
  }
  await unlink(socketPath).catch((error: NodeJS.ErrnoException) => {
    throw notWritable(socketPath, error);
  });
}

async function createSocketDirectory(socketPath: string): Promise<void> {
  try {
    await mkdir(dirname(socketPath), { recursive: true });
  } catch (error) {
    throw notWritable(socketPath, error as NodeJS.ErrnoException);
  }
}

/** Wraps a file system error on the socket path, or on its directory, in an `AgentError`. */
export function notWritable(socketPath: string, error: NodeJS.ErrnoException): AgentError {
  return new AgentError(`cannot create the Workload API socket at "${socketPath}": ${error.message}`, {
    cause: error,
    suggestions: [
      `Make sure the directory ${dirname(socketPath)} exists (or can be created) and is writable by this user.`,
      'Or set socket_path in agent.conf to a writable location.',
    ],
  });
}

function acceptsConnections(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
