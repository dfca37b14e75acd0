import { readdir, readFile } from 'node:fs/promises';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentApiFetch } from '../../../src/commands/agent/api/fetch.js';
import { AgentApiFetchJwt } from '../../../src/commands/agent/api/fetch/jwt.js';
import { AgentApiFetchX509 } from '../../../src/commands/agent/api/fetch/x509.js';
import { AgentApiValidateJwt } from '../../../src/commands/agent/api/validate/jwt.js';
import { AgentApiWatch } from '../../../src/commands/agent/api/watch.js';
import { AgentHealthcheck } from '../../../src/commands/agent/healthcheck.js';
import { startWorkloadServer } from '../../../src/embedded/agent/workload-server.js';
import { silentLogger } from '../../../src/logger.js';
import { createTestCa } from '../../embedded/agent/test-ca.js';
import { createWorkloadFixture, entryFor, TRUST_DOMAIN, UID, type WorkloadFixture } from '../../embedded/agent/workload-fixture.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface CommandClass {
  run(argv: string[], options: { root: string }): Promise<unknown>;
}

/** Runs a command in-process and returns its stdout, stderr and exit code. */
async function runAgentCommand(command: CommandClass, argv: string[]): Promise<{ stdout: string; stderr: string; exitCode: number; result: unknown }> {
  let stdout = '';
  let stderr = '';
  const stdoutSpy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const stderrSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const result = await command.run(argv, { root: ROOT });
    return { stdout, stderr, exitCode: 0, result };
  } catch (error) {
    const exitCode = (error as { oclif?: { exit?: number } }).oclif?.exit;
    if (exitCode === undefined) throw error;
    return { stdout, stderr, exitCode, result: undefined };
  } finally {
    stdoutSpy.mockRestore();
    stderrSpy.mockRestore();
  }
}

describe('agent api commands', () => {
  let fixture: WorkloadFixture;

  beforeEach(async () => {
    fixture = await createWorkloadFixture();
  });

  afterEach(async () => {
    await fixture.close();
  });

  it.each([
    { name: 'fetch x509', command: AgentApiFetchX509 },
    { name: 'fetch alias', command: AgentApiFetch },
  ])('pretty output lists the SVID: $name', async ({ command }) => {
    fixture.addOwnEntry('entry-a', '/web', 'internal');
    await fixture.start();

    const { stdout, exitCode } = await runAgentCommand(command, ['-socketPath', fixture.socketPath]);

    const svid = new X509Certificate(fixture.cache.findSvid('entry-a')!.certificates[0]!);
    const ca = new X509Certificate(fixture.ca.bundle.x509Authorities[0]!);
    const goTime = (text: string) => `${new Date(text).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
    expect(exitCode).toBe(0);
    expect(stdout.replace(/after \S+\n/, 'after <elapsed>\n')).toBe(
      [
        'Received 1 svid after <elapsed>',
        '',
        `SPIFFE ID:\t\tspiffe://${TRUST_DOMAIN}/web`,
        'Hint:\t\t\tinternal',
        `SVID Valid After:\t${goTime(svid.validFrom)}`,
        `SVID Valid Until:\t${goTime(svid.validTo)}`,
        `CA #1 Valid After:\t${goTime(ca.validFrom)}`,
        `CA #1 Valid Until:\t${goTime(ca.validTo)}`,
        '',
        '',
      ].join('\n'),
    );
  });

  it('write flag writes SVID, key and bundle', async () => {
    fixture.addOwnEntry('entry-a', '/web');
    await fixture.start();
    const outputDirectory = join(fixture.directory, 'out');
    await import('node:fs/promises').then((fs) => fs.mkdir(outputDirectory));

    const { stdout } = await runAgentCommand(AgentApiFetchX509, ['-socketPath', fixture.socketPath, '-silent', '-write', outputDirectory]);

    expect(stdout).toBe(
      [
        `Writing SVID #0 to file ${join(outputDirectory, 'svid.0.pem')}.`,
        `Writing key #0 to file ${join(outputDirectory, 'svid.0.key')}.`,
        `Writing bundle #0 to file ${join(outputDirectory, 'bundle.0.pem')}.`,
        '',
      ].join('\n'),
    );
    expect((await readdir(outputDirectory)).sort()).toEqual(['bundle.0.pem', 'svid.0.key', 'svid.0.pem']);
    const leaf = new X509Certificate(await readFile(join(outputDirectory, 'svid.0.pem')));
    const key = createPrivateKey(await readFile(join(outputDirectory, 'svid.0.key')));
    expect(leaf.subjectAltName).toBe(`URI:spiffe://${TRUST_DOMAIN}/web`);
    expect(leaf.checkPrivateKey(key)).toBe(true);
    expect(leaf.verify(new X509Certificate(await readFile(join(outputDirectory, 'bundle.0.pem'))).publicKey)).toBe(true);
  });

  it('json output has the response fields', async () => {
    fixture.addOwnEntry('entry-a', '/web');
    await fixture.start();

    const { stdout } = await runAgentCommand(AgentApiFetchX509, ['-socketPath', fixture.socketPath, '-output', 'json']);

    const svid = fixture.cache.findSvid('entry-a')!;
    expect(stdout).toBe(
      `${JSON.stringify({
        crl: [],
        federated_bundles: {},
        svids: [
          {
            bundle: fixture.ca.bundle.x509Authorities[0]!.toString('base64'),
            hint: '',
            spiffe_id: `spiffe://${TRUST_DOMAIN}/web`,
            x509_svid: svid.certificates[0]!.toString('base64'),
            x509_svid_key: svid.privateKey.toString('base64'),
          },
        ],
      })}\n`,
    );
  });

  it('SVID outside the bundle is rejected', async () => {
    // Given an SVID signed by a CA that is not in the bundle the agent serves
    const otherCa = createTestCa(TRUST_DOMAIN);
    fixture.cache.setEntries([entryFor('entry-a', '/web', [{ type: 'unix', value: `uid:${UID}` }])]);
    fixture.cache.setX509Svid(otherCa.issueSvid('entry-a', `spiffe://${TRUST_DOMAIN}/web`));
    await fixture.start();

    const { stdout, stderr, exitCode } = await runAgentCommand(AgentApiFetchX509, ['-socketPath', fixture.socketPath]);

    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^"spiffe:\/\/example\.org\/web" SVID failed verification against bundle: /);
  });

  it('no identity prints the raw error', async () => {
    await fixture.start();

    const { stdout, stderr, exitCode } = await runAgentCommand(AgentApiFetchX509, ['-socketPath', fixture.socketPath]);

    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('rpc error: code = PermissionDenied desc = no identity issued\n');
  });

  it('jwt fetch then validate round trip', async () => {
    fixture.addOwnEntry('entry-a', '/web');
    await fixture.start();

    const fetched = await runAgentCommand(AgentApiFetchJwt, ['-socketPath', fixture.socketPath, '-audience', 'billing,audit']);
    const token = /^token\(spiffe:\/\/example\.org\/web\):\n\t(\S+)\n/.exec(fetched.stdout)?.[1] ?? '';
    const validated = await runAgentCommand(AgentApiValidateJwt, ['-socketPath', fixture.socketPath, '-audience', 'audit', '-svid', token]);

    expect(fetched.stdout).toMatch(/\nbundle\(spiffe:\/\/example\.org\):\n\t\{"keys":\[\{.*"kid":"key-example\.org".*\}\]\}\n$/);
    expect(validated.stdout).toMatch(/^SVID is valid\.\nSPIFFE ID : spiffe:\/\/example\.org\/web\nClaims    : \{"aud":\["billing","audit"\],"exp":\d+,"iat":\d+,"sub":"spiffe:\/\/example\.org\/web"\}\n$/);
  });

  it.each([
    { name: 'missing audience', command: AgentApiFetchJwt, argv: [], stderr: 'Error: audience must be specified\n', exitCode: 2 },
    { name: 'missing svid', command: AgentApiValidateJwt, argv: ['-audience', 'a'], stderr: 'Error: svid must be specified\n', exitCode: 2 },
    { name: 'bad token', command: AgentApiValidateJwt, argv: ['-audience', 'a', '-svid', 'x.y.z'], stderr: 'SVID is not valid: token is not a JWS in compact serialization\n', exitCode: 1 },
  ])('jwt command rejects $name', async ({ command, argv, stderr, exitCode }) => {
    fixture.addOwnEntry('entry-a', '/web');
    await fixture.start();

    const result = await runAgentCommand(command, ['-socketPath', fixture.socketPath, ...argv]);

    expect(result.exitCode).toBe(exitCode);
    expect(result.stderr.split('\n  - ')[0]?.replace(/\n?$/, '\n')).toBe(stderr);
  });

  it('healthcheck reports a healthy agent', async () => {
    await fixture.start();

    const { stdout, exitCode } = await runAgentCommand(AgentHealthcheck, ['-socketPath', fixture.socketPath]);

    expect(exitCode).toBe(0);
    expect(stdout).toBe('Agent is healthy.\n');
  });

  it('healthcheck reports a not serving agent', async () => {
    const server = await startWorkloadServer({
      socketPath: join(fixture.directory, 'not-serving.sock'),
      isHealthy: () => false,
      dependencies: { cache: fixture.cache, attestors: [], logger: silentLogger, fetchJwtSvid: () => Promise.reject(new Error('unused')) },
    });

    const { stderr, exitCode } = await runAgentCommand(AgentHealthcheck, ['-socketPath', server.socketPath]).finally(() => server.close());

    expect(exitCode).toBe(1);
    expect(stderr).toBe('Agent is unhealthy: agent returned status "NOT_SERVING"\n');
  });

  it('healthcheck reports a missing agent', async () => {
    const { stderr, exitCode } = await runAgentCommand(AgentHealthcheck, ['-socketPath', join(fixture.directory, 'none.sock')]);

    expect(exitCode).toBe(1);
    expect(stderr).toBe('Agent is unhealthy: unable to determine health\n');
  });
});

describe('agent api watch', () => {
  let fixture: WorkloadFixture;

  beforeEach(async () => {
    fixture = await createWorkloadFixture();
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await fixture.close();
  });

  it('prints each rotation until SIGINT', async () => {
    fixture.addOwnEntry('entry-a', '/web');
    await fixture.start();
    let stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    const receivedCount = () => stdout.split('Received 1 svid after').length - 1;

    // When the watch runs and the SVID rotates once
    const running = AgentApiWatch.run(['-socketPath', fixture.socketPath], { root: ROOT });
    await waitFor(() => receivedCount() === 1);
    fixture.cache.setX509Svid(fixture.ca.issueSvid('entry-a', `spiffe://${TRUST_DOMAIN}/web`));
    await waitFor(() => receivedCount() === 2);
    process.emit('SIGINT');
    await running;

    // Then both updates were printed
    expect(receivedCount()).toBe(2);
    expect(stdout.split(`SPIFFE ID:\t\tspiffe://${TRUST_DOMAIN}/web`).length - 1).toBe(2);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
