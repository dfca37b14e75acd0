import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { ServerContext } from '../../../src/embedded/server/api/context.js';
import { SyncSession } from '../../../src/embedded/server/api/sync-authorized-entries.js';
import { Datastore } from '../../../src/embedded/server/datastore.js';
import { newRegistrationEntry, type AttestedNode } from '../../../src/embedded/server/records.js';
import { makeServerConfig, makeTempDir } from './helpers.js';

const AGENT_ID = 'spiffe://example.org/spire/agent/join_token/t1';

const node: AttestedNode = {
  spiffeId: AGENT_ID,
  attestationType: 'join_token',
  serialNumber: '1',
  expiresAt: 0,
  newSerialNumber: '',
  newExpiresAt: 0,
  canReattest: false,
  agentVersion: '',
  selectors: [],
};

interface SyncResponse {
  entry_revisions: { id: string; revision_number: string }[];
  entries: { id: string }[];
  more: boolean;
}

describe('SyncSession', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let datastore: Datastore;
  let context: ServerContext;

  beforeEach(() => {
    temp = makeTempDir('sd-sync-');
    datastore = Datastore.open(join(temp.path, 'db.sqlite3'));
    context = { datastore, config: makeServerConfig(temp.path) } as unknown as ServerContext;
    for (let index = 0; index < 5; index += 1) {
      datastore.createEntry(
        newRegistrationEntry({ id: `e${index}`, spiffeId: `spiffe://example.org/w${index}`, parentId: AGENT_ID, selectors: [{ type: 'unix', value: `uid:${index}` }] }),
      );
    }
    datastore.createEntry(newRegistrationEntry({ id: 'other', spiffeId: 'spiffe://example.org/x', parentId: 'spiffe://example.org/spire/agent/join_token/t2', selectors: [{ type: 'unix', value: 'uid:9' }] }));
  });

  afterEach(() => {
    datastore.close();
    temp.remove();
  });

  function openSession(pageSize: number) {
    const written: SyncResponse[] = [];
    const session = new SyncSession(context, node, { write: (response) => written.push(response as SyncResponse), end: () => undefined }, pageSize);
    return { session, written };
  }

  it('sends small set in one response', () => {
    const { session, written } = openSession(10);

    expect(session.handle({ ids: [] })).toBe(true);
    expect(written).toHaveLength(1);
    expect(written[0]!.entries.map((entry) => entry.id).sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    expect(written[0]!.more).toBe(false);
  });

  it('pages revisions then requested entries', () => {
    const { session, written } = openSession(2);

    expect(session.handle({ ids: [], output_mask: { revision_number: true, spiffe_id: true } })).toBe(false);
    expect(written.map((response) => response.more)).toEqual([true, true, false]);
    expect(written.flatMap((response) => response.entry_revisions.map((revision) => revision.id)).sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    expect(written.every((response) => response.entries.length === 0)).toBe(true);

    written.length = 0;
    expect(session.handle({ ids: ['e1', 'e3', 'e4', 'unknown', 'other'] })).toBe(false);
    expect(written.map((response) => response.more)).toEqual([true, false]);
    expect(written.flatMap((response) => response.entries.map((entry) => entry.id))).toEqual(['e1', 'e3', 'e4']);
  });

  it.each([
    { name: 'IDs on first request', request: { ids: ['e1'] }, message: 'specifying IDs on initial request is not supported' },
    { name: 'masked revision number', request: { ids: [], output_mask: { spiffe_id: true } }, message: 'revision number cannot be masked' },
  ])('rejects $name', ({ request, message }) => {
    const { session } = openSession(2);

    expect(() => session.handle(request)).toThrow(message);
  });
});

describe('Datastore entry cache', () => {
  it('sees writes from another connection', () => {
    const temp = makeTempDir('sd-cache-');
    const path = join(temp.path, 'db.sqlite3');
    const first = Datastore.open(path);
    const second = Datastore.open(path);
    try {
      expect(first.listEntries()).toEqual([]);
      second.createEntry(newRegistrationEntry({ id: 'x', spiffeId: 'spiffe://example.org/x', parentId: AGENT_ID, selectors: [{ type: 'unix', value: 'uid:1' }] }));
      expect(first.listEntries().map((entry) => entry.id)).toEqual(['x']);

      first.deleteEntry('x');
      expect(first.listEntries()).toEqual([]);
      expect(second.listEntries()).toEqual([]);
    } finally {
      first.close();
      second.close();
      temp.remove();
    }
  });
});
