import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentRun } from '../../../src/commands/agent/run.js';
import { pemFromDer } from '../../../src/embedded/agent/server-tls.js';
import { fetchX509Svid } from '../../../src/embedded/workload/client.js';
import { startServerFixture, type ServerFixture } from '../../embedded/agent/server-fixture.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const UID = process.getuid?.() ?? 0;

describe('agent run', () => {
  let fixture: ServerFixture;

  beforeEach(async () => {
    fixture = await startServerFixture('example.org');
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await fixture.close();
  });

  async function writeAgentConf(joinToken: string): Promise<{ configPath: string; socketPath: string }> {
    const socketPath = join(fixture.directory, 'agent', 'api.sock');
    const bundlePath = join(fixture.directory, 'bundle.pem');
    const configPath = join(fixture.directory, 'agent.conf');
    await writeFile(bundlePath, pemFromDer(fixture.trustBundle()));
    await writeFile(
      configPath,
      `agent {
  trust_domain = "example.org"
  server_address = "127.0.0.1"
  server_port = "${fixture.server.address.port}"
  socket_path = "${socketPath}"
  data_dir = "${join(fixture.directory, 'agent-data')}"
  trust_bundle_path = "${bundlePath}"
  join_token = "${joinToken}"
  log_level = "WARN"
}
plugins {
  NodeAttestor "join_token" { plugin_data {} }
  KeyManager "memory" { plugin_data {} }
  WorkloadAttestor "unix" { plugin_data {} }
}
`,
    );
    return { configPath, socketPath };
  }

  it('serves the Workload API until SIGINT', async () => {
    // Given an agent.conf with a fresh join token and an entry for this process
    const token = await fixture.createJoinToken();
    await fixture.createEntry({
      spiffeId: { trust_domain: 'example.org', path: '/cli-workload' },
      parentId: { trust_domain: 'example.org', path: `/spire/agent/join_token/${token}` },
      selectors: [{ type: 'unix', value: `uid:${UID}` }],
    });
    const { configPath, socketPath } = await writeAgentConf(token);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    // When the command runs
    const running = AgentRun.run(['-config', configPath], { root: ROOT });
    while (!existsSync(socketPath)) await new Promise((resolve) => setTimeout(resolve, 20));
    const update = await fetchX509Svid(socketPath);
    process.emit('SIGINT');
    await running;

    // Then a workload got its SVID and the socket is gone after the signal
    expect(update.svids[0]?.spiffeId).toBe('spiffe://example.org/cli-workload');
    expect(existsSync(socketPath)).toBe(false);
  });

  it('missing config file exits with code 2', async () => {
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });

    const failure = await AgentRun.run(['-config', join(fixture.directory, 'nope.conf')], { root: ROOT }).catch((error: unknown) => error);

    expect((failure as { oclif?: { exit?: number } }).oclif?.exit).toBe(2);
    expect(stderr).toMatch(/^Error: could not read the agent configuration ".*nope\.conf": ENOENT/);
  });
});
