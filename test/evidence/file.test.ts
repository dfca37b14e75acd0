import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { isUserError } from '../../src/errors.js';
import { loadEvidenceFile, parseEvidence, saveEvidenceFile } from '../../src/evidence/file.js';
import type { Evidence } from '../../src/evidence/types.js';

const SHARED_CASES = '/work/shared/cases';

const minimalPod = { metadata: { name: 'web-0', namespace: 'shop' }, spec: { nodeName: 'node-a' } };

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'evidence-file-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function loadError(text: string): Promise<string> {
  const path = join(directory, 'evidence.json');
  await writeFile(path, text);
  const error = await loadEvidenceFile(path).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isUserError(error)).toBe(true);
  return (error as Error).message.replaceAll(path, 'FILE');
}

describe('loadEvidenceFile', () => {
  it('loads a minimal hand-written JSON file', async () => {
    const path = join(directory, 'evidence.json');
    await writeFile(path, JSON.stringify({ pod: minimalPod }));

    expect(await loadEvidenceFile(path)).toEqual({ pod: minimalPod });
  });

  it('loads the same fields from YAML', async () => {
    const path = join(directory, 'evidence.yaml');
    const yamlText = [
      'apiVersion: spiffe-doctor/v1',
      'kind: Evidence',
      'gatheredAt: "2024-05-14T10:00:00Z"',
      'process: { pid: 42, uid: 1000, path: /usr/bin/web }',
      'agentLogs:',
      '  - time="2024-05-14T09:59:00Z" level=info msg="Starting Workload and SDS APIs"',
      'entries:',
      '  entries:',
      '    - spiffe_id: { trust_domain: example.org, path: /web }',
      '      parent_id: { trust_domain: example.org, path: /spire/agent/x }',
      '      selectors: [ { type: unix, value: "uid:1000" } ]',
      '      expires_at: "0"',
    ].join('\n');
    await writeFile(path, yamlText);

    const evidence = await loadEvidenceFile(path);

    expect(evidence.process).toEqual({ pid: 42, uid: 1000, path: '/usr/bin/web' });
    expect(evidence.gatheredAt).toBe('2024-05-14T10:00:00Z');
    expect(evidence.entries).toEqual({
      entries: [
        {
          spiffe_id: { trust_domain: 'example.org', path: '/web' },
          parent_id: { trust_domain: 'example.org', path: '/spire/agent/x' },
          selectors: [{ type: 'unix', value: 'uid:1000' }],
          expires_at: '0',
        },
      ],
    });
  });

  it('loads every shared real-failure case', async () => {
    const cases = await readdir(SHARED_CASES, { withFileTypes: true });
    const folders = cases.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(folders.length).toBeGreaterThan(0);

    for (const folder of folders) {
      const path = join(SHARED_CASES, folder, 'evidence.json');
      const evidence = await loadEvidenceFile(path);
      expect(evidence, folder).toEqual(JSON.parse(await readFile(path, 'utf8')));
    }
  });

  it('rejects a missing file', async () => {
    const path = join(directory, 'absent.json');
    await expect(loadEvidenceFile(path)).rejects.toThrow(`could not read evidence file ${path}: no such file`);
  });

  it('rejects a directory', async () => {
    await expect(loadEvidenceFile(directory)).rejects.toThrow(`could not read evidence file ${directory}: it is a directory`);
  });

  it.each([
    {
      name: 'broken JSON gives line and column',
      text: '{\n  "pod": {"metadata": {}},,\n}',
      message: 'invalid evidence file FILE: not valid JSON or YAML at line 2, column 27',
    },
    {
      name: 'broken YAML gives line and column',
      text: 'pod:\n  metadata: {name: web\nentries: [',
      message: 'invalid evidence file FILE: not valid JSON or YAML at line',
    },
    {
      name: 'top-level array is not an object',
      text: '[]',
      message: 'invalid evidence file FILE:\n  (document): expected an object, found an array',
    },
    {
      name: 'empty file is not an object',
      text: '',
      message: 'invalid evidence file FILE:\n  (document): expected an object, found null',
    },
    {
      name: 'wrong apiVersion',
      text: JSON.stringify({ apiVersion: 'spiffe-doctor/v2', pod: minimalPod }),
      message: 'apiVersion: expected "spiffe-doctor/v1", found "spiffe-doctor/v2" (this tool reads spiffe-doctor/v1 evidence)',
    },
    {
      name: 'wrong kind',
      text: JSON.stringify({ kind: 'Diagnosis', pod: minimalPod }),
      message: 'kind: expected "Evidence", found "Diagnosis"',
    },
    {
      name: 'no workload',
      text: JSON.stringify({ entries: [] }),
      message: 'pod: expected the workload: "pod", "pods" or "process", found none of them',
    },
    {
      name: 'pod name of the wrong type',
      text: JSON.stringify({ pod: { metadata: { name: 7 } } }),
      message: 'pod.metadata.name: expected a string, found a number',
    },
    {
      name: 'entry without selectors',
      text: JSON.stringify({
        pod: minimalPod,
        entries: [{ spiffe_id: { trust_domain: 'a', path: '/x' }, parent_id: { trust_domain: 'a', path: '/y' } }],
      }),
      message: 'entries[0].selectors: expected a value, found nothing',
    },
    {
      name: 'wrapped entries with a bad selector',
      text: JSON.stringify({
        pod: minimalPod,
        entries: {
          entries: [
            { spiffe_id: { trust_domain: 'a', path: '/x' }, parent_id: { trust_domain: 'a', path: '/y' }, selectors: [{ type: 'k8s' }] },
          ],
        },
      }),
      message: 'entries.entries[0].selectors[0].value: expected a value, found nothing',
    },
    {
      name: 'agent logs as one string',
      text: JSON.stringify({ pod: minimalPod, agentLogs: 'level=info msg=started' }),
      message: 'agentLogs: expected an array, found a string',
    },
    {
      name: 'per-node agent logs with a number',
      text: JSON.stringify({ pods: [minimalPod], agentLogs: { 'node-a': ['ok', 3] } }),
      message: 'agentLogs["node-a"][1]: expected a string, found a number',
    },
    {
      name: 'agent health without healthy flag',
      text: JSON.stringify({ pod: minimalPod, agentHealth: { node: 'node-a', healthy: 'yes' } }),
      message: 'agentHealth.healthy: expected a boolean, found a string',
    },
    {
      name: 'workload fetch without exit code',
      text: JSON.stringify({ pod: minimalPod, workloadFetch: { stdout: '' } }),
      message: 'workloadFetch.exitCode: expected a value, found nothing',
    },
    {
      name: 'process pid as a string',
      text: JSON.stringify({ process: { pid: '42' } }),
      message: 'process.pid: expected an integer, found a string',
    },
    {
      name: 'gatheredAt that is not a date',
      text: JSON.stringify({ pod: minimalPod, gatheredAt: 'yesterday' }),
      message: 'gatheredAt: expected an RFC 3339 date-time string, found a string',
    },
    {
      name: 'gather error that is not text',
      text: JSON.stringify({ pod: minimalPod, gatherErrors: { agentLogs: { code: 403 } } }),
      message: 'gatherErrors.agentLogs: expected a string, found an object',
    },
  ])('rejects $name', async ({ text, message }) => {
    expect(await loadError(text)).toContain(message);
  });

  it('lists at most ten problems', async () => {
    const pods = Array.from({ length: 12 }, () => ({ metadata: { name: 1 } }));
    const message = await loadError(JSON.stringify({ pods }));

    expect(message).toContain('pods[9].metadata.name: expected a string, found a number');
    expect(message).not.toContain('pods[10]');
    expect(message).toContain('… and 2 more');
  });
});

describe('saveEvidenceFile', () => {
  it('writes redacted evidence with mode 0600', async () => {
    const path = join(directory, 'saved.json');
    const evidence: Evidence = {
      pod: minimalPod,
      agentConfig: 'agent {\n  join_token = "4f0c7c0e-secret"\n}\n',
    };

    await saveEvidenceFile(path, evidence);

    const text = await readFile(path, 'utf8');
    expect(text).not.toContain('4f0c7c0e-secret');
    expect(JSON.parse(text)).toEqual({
      apiVersion: 'spiffe-doctor/v1',
      kind: 'Evidence',
      pod: minimalPod,
      agentConfig: 'agent {\n  join_token = "[redacted: join token]"\n}\n',
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('leaves no temporary file behind', async () => {
    const path = join(directory, 'saved.json');
    await saveEvidenceFile(path, { pod: minimalPod });
    await saveEvidenceFile(path, { pod: minimalPod, serverLogs: ['second'] });

    expect(await readdir(directory)).toEqual(['saved.json']);
    expect((await loadEvidenceFile(path)).serverLogs).toEqual(['second']);
  });

  it('rejects a missing parent directory', async () => {
    const path = join(directory, 'missing', 'saved.json');

    const error = await saveEvidenceFile(path, { pod: minimalPod }).catch((thrown: unknown) => thrown);

    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe(`could not write evidence file ${path}: directory ${join(directory, 'missing')} does not exist`);
  });

  it('rejects a target that is a directory without a partial file', async () => {
    const target = join(directory, 'occupied');
    await mkdir(target);
    await writeFile(join(target, 'keep.txt'), 'x');

    await expect(saveEvidenceFile(target, { pod: minimalPod })).rejects.toThrow(`could not write evidence file ${target}: `);
    expect(await readdir(directory)).toEqual(['occupied']);
  });
});

describe('parseEvidence', () => {
  it('names the origin in errors', () => {
    expect(() => parseEvidence('{"pod": 3}', 'stdin')).toThrow('invalid evidence file stdin:\n  pod: expected an object, found a number');
  });
});
