import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { callUnary, createAdminClients } from '../../../src/embedded/server/cli/admin-client.js';
import { loadServerConfigFile } from '../../../src/embedded/server/config.js';
import { startEmbeddedServer } from '../../../src/embedded/server/server.js';
import { makeTempDir } from '../../embedded/server/helpers.js';
import { ensureBuilt, PACKAGE_ROOT, runCli } from './cli-helpers.js';

function serverConf(dir: string, extra: { server?: string; plugins?: string } = {}): string {
  return `
server {
  bind_address = "127.0.0.1"
  bind_port = "0"
  socket_path = "${dir}/api.sock"
  trust_domain = "example.org"
  data_dir = "${dir}/data"
  log_level = "WARN"
  ${extra.server ?? ''}
}

plugins {
  DataStore "sql" {
    plugin_data {
      database_type = "sqlite3"
      connection_string = "${dir}/data/datastore.sqlite3"
    }
  }
  KeyManager "disk" {
    plugin_data {
      keys_path = "${dir}/data/keys.json"
    }
  }
  NodeAttestor "join_token" {
    plugin_data {}
  }
  ${extra.plugins ?? ''}
}
`;
}

async function waitForHealthy(socketPath: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const clients = createAdminClients(socketPath);
    try {
      const response = await callUnary<{ status: string }>(clients.health, 'Check', { service: '' }, 2_000);
      if (response.status === 'SERVING') return;
    } catch {
      // Not up yet.
    } finally {
      clients.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`server on ${socketPath} did not become healthy within 60 s`);
}

describe('server run', () => {
  let temp: ReturnType<typeof makeTempDir>;

  beforeAll(() => {
    ensureBuilt();
    temp = makeTempDir('sd-run-');
  }, 180_000);

  afterAll(() => temp.remove());

  it.each([
    { name: 'HCL syntax error', text: 'server {\n  trust_domain = \n', message: /^Error: .*line 3/ },
    { name: 'unsupported plugin', text: serverConf('/tmp/sd-none', { plugins: 'NodeAttestor "k8s_psat" { plugin_data {} }' }), message: /^Error: unsupported plugins in .*: NodeAttestor "k8s_psat"/ },
    { name: 'missing trust domain', text: serverConf('/tmp/sd-none').replace('trust_domain = "example.org"', ''), message: /^Error: server.trust_domain is missing in / },
    { name: 'bad key type', text: serverConf('/tmp/sd-none', { server: 'ca_key_type = "ec-p999"' }), message: /^Error: invalid server.ca_key_type "ec-p999"/ },
  ])('rejects config with $name', async ({ name, text, message }) => {
    const path = join(temp.path, `${name.replaceAll(' ', '-')}.conf`);
    writeFileSync(path, text);

    const result = await runCli(['server', 'run', '-config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  }, 120_000);

  it('keeps acknowledged entries after SIGKILL', async () => {
    const dir = join(temp.path, 'crash');
    const confPath = join(temp.path, 'crash.conf');
    writeFileSync(confPath, serverConf(dir));
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin', 'run.js'), 'server', 'run', '-config', confPath], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

    const acknowledged: string[] = [];
    try {
      await waitForHealthy(join(dir, 'api.sock'));
      const clients = createAdminClients(join(dir, 'api.sock'));
      const writers = Array.from({ length: 4 }, async (_, writer) => {
        for (let index = 0; ; index += 1) {
          const entry = {
            spiffe_id: { trust_domain: 'example.org', path: `/w${writer}/${index}` },
            parent_id: { trust_domain: 'example.org', path: '/spire/agent/join_token/crash' },
            selectors: [{ type: 'unix', value: `uid:${index}` }],
          };
          try {
            const response = await callUnary<{ results: { status: { code: number }; entry: { id: string } }[] }>(clients.entry, 'BatchCreateEntry', { entries: [entry] });
            if (response.results[0]!.status.code === 0) acknowledged.push(response.results[0]!.entry.id);
          } catch {
            return;
          }
        }
      });
      while (acknowledged.length < 40) await new Promise((resolve) => setTimeout(resolve, 20));
      child.kill('SIGKILL');
      await Promise.all(writers);
      clients.close();
    } finally {
      child.kill('SIGKILL');
      await exited;
    }

    const database = new Database(join(dir, 'data', 'datastore.sqlite3'));
    expect(database.pragma('integrity_check', { simple: true })).toBe('ok');
    database.close();

    const server = await startEmbeddedServer(loadServerConfigFile(confPath).config);
    try {
      const shown = await runCli(['server', 'entry', 'show', '-socketPath', server.socketPath, '-output', 'json']);
      expect(shown.code).toBe(0);
      const stored = new Set((JSON.parse(shown.stdout) as { entries: { id: string }[] }).entries.map((entry) => entry.id));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      expect(stored.size).toBeGreaterThanOrEqual(acknowledged.length);
    } finally {
      await server.stop();
    }
  }, 180_000);
});
