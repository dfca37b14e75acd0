import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmbeddedServer, type EmbeddedServerHandle } from '../../../src/embedded/server/server.js';
import { makeServerConfig, makeTempDir } from '../../embedded/server/helpers.js';
import { ensureBuilt, runCli } from './cli-helpers.js';

const PARENT = 'spiffe://example.org/spire/agent/join_token/abc';

describe('server entry commands', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let server: EmbeddedServerHandle | undefined;
  let socket: string;

  beforeAll(async () => {
    ensureBuilt();
    temp = makeTempDir('sd-cli-');
    server = await startEmbeddedServer(makeServerConfig(temp.path));
    socket = server.socketPath;
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    temp.remove();
  });

  it('creates, shows and survives restart', async () => {
    const created = await runCli([
      'server', 'entry', 'create', '-socketPath', socket,
      '-spiffeID', 'spiffe://example.org/api', '-parentID', PARENT,
      '-selector', 'unix:uid:1000', '-selector', 'k8s:ns:default', '-dns', 'api.example.org', '-x509SVIDTTL', '600', '-hint', 'api',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const entryId = /^Entry ID\s+: (\S+)$/m.exec(created.stdout)?.[1];
    expect(entryId).toMatch(/^[0-9a-f-]{36}$/);

    const pretty = await runCli(['server', 'entry', 'show', '-socketPath', socket, '-spiffeID', 'spiffe://example.org/api']);
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toBe(
      [
        'Found 1 entry',
        `Entry ID                : ${entryId}`,
        'SPIFFE ID               : spiffe://example.org/api',
        `Parent ID               : ${PARENT}`,
        'Revision                : 0',
        'X509-SVID TTL           : 600',
        'JWT-SVID TTL            : default',
        'Selector                : k8s:ns:default',
        'Selector                : unix:uid:1000',
        'DNS name                : api.example.org',
        'Hint                    : api',
        '',
        '',
      ].join('\n'),
    );

    const json = await runCli(['server', 'entry', 'show', '-socketPath', socket, '-output', 'json']);
    expect(json.code).toBe(0);
    expect(json.stdout.endsWith('}\n')).toBe(true);
    const document = JSON.parse(json.stdout) as { entries: Record<string, unknown>[]; next_page_token: string };
    expect(Object.keys(document)).toEqual(['entries', 'next_page_token']);
    expect(Object.keys(document.entries[0]!)).toEqual([
      'admin', 'created_at', 'dns_names', 'downstream', 'expires_at', 'federates_with', 'hint', 'id', 'jwt_svid_ttl',
      'parent_id', 'revision_number', 'selectors', 'spiffe_id', 'store_svid', 'x509_svid_ttl',
    ]);
    expect(document.entries[0]).toMatchObject({ id: entryId, expires_at: '0', revision_number: '0', x509_svid_ttl: 600, spiffe_id: { path: '/api', trust_domain: 'example.org' } });

    const config = makeServerConfig(temp.path);
    await server!.stop();
    server = await startEmbeddedServer(config);
    const afterRestart = await runCli(['server', 'entry', 'show', '-socketPath', socket, '-output', 'json']);
    expect(afterRestart.stdout).toBe(json.stdout);
  }, 120_000);

  it.each([
    { name: 'duplicate entry', args: ['-spiffeID', 'spiffe://example.org/dup', '-parentID', PARENT, '-selector', 'unix:uid:1'], repeat: true, code: 1, stderr: 'Failed to create the following entry (code: AlreadyExists, msg: "similar entry already exists"):\n' },
    { name: 'bad SPIFFE ID', args: ['-spiffeID', 'example.org/x', '-parentID', PARENT, '-selector', 'unix:uid:1'], repeat: false, code: 2, stderr: 'Error: error parsing SPIFFE ID "example.org/x": scheme is missing or invalid' },
    { name: 'bad selector', args: ['-spiffeID', 'spiffe://example.org/x', '-parentID', PARENT, '-selector', 'nocolon'], repeat: false, code: 2, stderr: 'Error: selector "nocolon" must be formatted as type:value' },
    { name: 'reserved path', args: ['-spiffeID', 'spiffe://example.org/spire/x', '-parentID', PARENT, '-selector', 'unix:uid:1'], repeat: false, code: 1, stderr: 'Failed to create the following entry (code: InvalidArgument, msg: "failed to convert entry: invalid spiffe ID: \\"spiffe://example.org/spire/x\\" is not a workload in trust domain \\"example.org\\"; path is in the reserved namespace"):\n' },
  ])('rejects create with $name', async ({ args, repeat, code, stderr }) => {
    if (repeat) await runCli(['server', 'entry', 'create', '-socketPath', socket, ...args]);
    const result = await runCli(['server', 'entry', 'create', '-socketPath', socket, ...args]);

    expect(result.code).toBe(code);
    expect(result.stderr.startsWith(stderr)).toBe(true);
    if (code === 1) expect(result.stderr.endsWith('Error: failed to create one or more entries\n')).toBe(true);
  }, 120_000);

  it('updates, counts and deletes entry', async () => {
    const created = await runCli(['server', 'entry', 'create', '-socketPath', socket, '-spiffeID', 'spiffe://example.org/upd', '-parentID', PARENT, '-selector', 'unix:uid:5']);
    const entryId = /^Entry ID\s+: (\S+)$/m.exec(created.stdout)![1]!;

    const updated = await runCli(['server', 'entry', 'update', '-socketPath', socket, '-entryID', entryId, '-spiffeID', 'spiffe://example.org/upd', '-parentID', PARENT, '-selector', 'unix:uid:6']);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('Revision                : 1\n');
    expect(updated.stdout).toContain('Selector                : unix:uid:6\n');

    const bySelector = await runCli(['server', 'entry', 'count', '-socketPath', socket, '-selector', 'unix:uid:6', '-matchSelectorsOn', 'exact']);
    expect(bySelector.stdout).toBe('1 registration entry\n');

    const deleted = await runCli(['server', 'entry', 'delete', '-socketPath', socket, '-entryID', entryId]);
    expect(deleted.stdout).toBe(`Deleted entry with ID: ${entryId}\n`);
    const deletedAgain = await runCli(['server', 'entry', 'delete', '-socketPath', socket, '-entryID', entryId]);
    expect(deletedAgain.code).toBe(1);
    expect(deletedAgain.stderr).toBe('Error: failed to delete entry: entry not found\n');
    const missing = await runCli(['server', 'entry', 'show', '-socketPath', socket, '-entryID', entryId]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`Error: error fetching entry ID ${entryId}: rpc error: code = NotFound desc = entry not found\n`);
  }, 120_000);

  it('generates token and lists no agents', async () => {
    const token = await runCli(['server', 'token', 'generate', '-socketPath', socket, '-ttl', '60']);
    expect(token.stdout).toMatch(/^Token: [0-9a-f-]{36}\nWarning: Missing SPIFFE ID\.\n$/);

    const agents = await runCli(['server', 'agent', 'list', '-socketPath', socket]);
    expect(agents.stdout).toBe('No attested agents found\n');
  }, 120_000);

  it('shows bundle as PEM and SPIFFE', async () => {
    const pem = await runCli(['server', 'bundle', 'show', '-socketPath', socket]);
    const root = new X509Certificate(pem.stdout);
    expect(root.ca).toBe(true);
    expect(root.subjectAltName).toBe('URI:spiffe://example.org');

    const spiffe = await runCli(['server', 'bundle', 'show', '-socketPath', socket, '-format', 'spiffe']);
    const document = JSON.parse(spiffe.stdout) as { keys: { use: string; kid?: string; x5c?: string[] }[] };
    expect(spiffe.stdout.split('\n')[1]).toBe('    "keys": [');
    expect(document.keys.map((key) => key.use)).toEqual(['x509-svid', 'jwt-svid']);
    expect(Buffer.from(document.keys[0]!.x5c![0]!, 'base64').equals(root.raw)).toBe(true);
    expect(document.keys[1]!.kid).toMatch(/^[A-Za-z0-9]{32}$/);
  }, 120_000);

  it('sets, lists and deletes federated bundle', async () => {
    const pem = (await runCli(['server', 'bundle', 'show', '-socketPath', socket])).stdout;
    const path = join(temp.path, 'other.pem');
    writeFileSync(path, pem);

    const set = await runCli(['server', 'bundle', 'set', '-socketPath', socket, '-id', 'spiffe://other.org', '-path', path]);
    expect(set.stdout).toBe('bundle set.\n');
    const listed = await runCli(['server', 'bundle', 'list', '-socketPath', socket]);
    expect(listed.stdout).toContain('* other.org\n');
    const deleted = await runCli(['server', 'bundle', 'delete', '-socketPath', socket, '-id', 'spiffe://other.org']);
    expect(deleted.stdout).toBe('bundle deleted.\n');
  }, 120_000);

  it.each([
    { name: 'running server', socketOf: (socketPath: string) => socketPath, code: 0, stdout: 'Server is healthy.\n', stderr: '' },
    { name: 'missing socket', socketOf: (socketPath: string) => `${socketPath}.missing`, code: 1, stdout: '', stderr: 'Error: server is unhealthy: unable to determine health\n' },
  ])('healthcheck with $name', async ({ socketOf, code, stdout, stderr }) => {
    const result = await runCli(['server', 'healthcheck', '-socketPath', socketOf(socket)]);

    expect(result.code).toBe(code);
    expect(result.stdout).toBe(stdout);
    expect(result.stderr).toBe(stderr);
  }, 120_000);
});
