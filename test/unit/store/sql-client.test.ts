import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, UpstreamError } from '../../../src/errors.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { CallStore, migrate, openSqlClient, type SqlClient } from '../../../src/store/index.js';
import { openTestStores, type TestStore } from '../../support/store.js';

const backends = await openTestStores();

describe.each(backends)('SqlClient on $name', (backend) => {
  describe.skipIf(backend.skipReason !== null)(backend.skipReason ?? 'in a fresh database', () => {
    let db: TestStore;
    let client: SqlClient;

    beforeAll(async () => {
      db = await backend.open({ migrate: false });
      client = db.client;
      await client.query('CREATE TABLE items (id integer PRIMARY KEY, secret text)');
    });
    afterAll(() => db?.cleanup());
    beforeEach(() => client.query('DELETE FROM items'));

    const count = async () => (await client.query<{ n: number }>('SELECT count(*)::integer AS n FROM items'))[0]!.n;

    it('reports its kind', () => {
      expect(client.kind).toBe(backend.name);
    });

    it('runs several statements in one text without parameters and returns the last rows', async () => {
      const rows = await client.query<{ id: number }>(
        'INSERT INTO items VALUES (1); INSERT INTO items VALUES (2); SELECT id FROM items ORDER BY id',
      );
      expect(rows).toEqual([{ id: 1 }, { id: 2 }]);
    });

    it('commits a transaction that resolves, with its value', async () => {
      const value = await client.transaction(async (tx) => {
        await tx.query('INSERT INTO items VALUES ($1)', [1]);
        return 'done';
      });
      expect(value).toBe('done');
      expect(await count()).toBe(1);
    });

    it('rolls back a transaction that throws, nested ones included, and rethrows the same error', async () => {
      const failure = new Error('changed my mind');
      const attempt = client.transaction(async (tx) => {
        await tx.query('INSERT INTO items VALUES ($1)', [1]);
        await tx.transaction((inner) => inner.query('INSERT INTO items VALUES ($1)', [2]));
        throw failure;
      });
      await expect(attempt).rejects.toBe(failure);
      expect(await count()).toBe(0);
    });

    it('never lets another query see a transaction half done', async () => {
      let entered!: () => void;
      let release!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      const transaction = client.transaction(async (tx) => {
        await tx.query('INSERT INTO items VALUES ($1)', [1]);
        entered();
        await gate;
        await tx.query('INSERT INTO items VALUES ($1)', [2]);
      });
      await inside;
      const seen = count();
      release();
      await transaction;
      expect([0, 2]).toContain(await seen);
    });

    it('turns driver errors into StoreError without the parameters in the message', async () => {
      await client.query('INSERT INTO items VALUES ($1, $2)', [1, 'first']);
      const duplicate = client.query('INSERT INTO items VALUES ($1, $2)', [1, '+15557654321']);
      await expect(duplicate).rejects.toBeInstanceOf(StoreError);
      const error = (await duplicate.catch((e: unknown) => e)) as StoreError;
      expect(error.code).toBe('store_query_failed');
      expect(error.cause).toBeInstanceOf(Error);
      expect(error.message).not.toContain('+15557654321');
    });

    it('close is idempotent', async () => {
      const other = await backend.open({ migrate: false });
      await other.client.close();
      await expect(other.client.close()).resolves.toBeUndefined();
      await other.cleanup();
    });
  });
});

describe('openSqlClient', () => {
  it('reports an unreachable PostgreSQL as a retryable UpstreamError', async () => {
    // Port 1 (tcpmux) is as good as guaranteed to refuse connections.
    const client = await openSqlClient({ databaseUrl: 'postgres://postgres@127.0.0.1:1/test' });
    try {
      const attempt = client.query('SELECT 1');
      await expect(attempt).rejects.toBeInstanceOf(UpstreamError);
      await expect(attempt).rejects.toMatchObject({ code: 'store_unavailable', retryable: true });
    } finally {
      await client.close();
    }
  });

  describe('the embedded database in a directory', () => {
    let parent: string;
    beforeAll(async () => {
      parent = await mkdtemp(join(tmpdir(), 'callbridge-store-'));
    });
    afterAll(() => rm(parent, { recursive: true, force: true }));

    it('creates the directory and keeps the calls across close and reopen', async () => {
      const dataDir = join(parent, 'nested', 'db');
      const first = await openSqlClient({ dataDir });
      expect(first.kind).toBe('embedded');
      expect(await migrate(first)).toEqual(MIGRATIONS.map((migration) => migration.version));
      const store = new CallStore(first, { instanceId: 'one' });
      await store.createCall({ callSid: 'CA1', from: '+15550001', startedAt: new Date(0), instanceId: 'one' });
      await store.saveTurn({
        callSid: 'CA1',
        seq: 0,
        role: 'user',
        itemId: 'item_0',
        text: 'hello',
        heardText: 'hello',
        interrupted: false,
        at: new Date(1000),
      });
      await first.close();

      const reopened = await openSqlClient({ dataDir });
      try {
        expect(await migrate(reopened)).toEqual([]);
        const call = await new CallStore(reopened, { instanceId: 'two' }).getCall('CA1');
        expect(call).toMatchObject({ from: '+15550001', startedAt: new Date(0) });
        expect(call!.turns.map((t) => t.text)).toEqual(['hello']);
      } finally {
        await reopened.close();
      }
    });

    it('refuses to open a directory that is already open in this process', async () => {
      const dataDir = join(parent, 'shared');
      const first = await openSqlClient({ dataDir });
      try {
        const second = openSqlClient({ dataDir: join(dataDir, '.') });
        await expect(second).rejects.toMatchObject({ code: 'store_already_open' });
      } finally {
        await first.close();
      }
    });
  });
});

describe('MIGRATIONS', () => {
  it('are in strictly increasing version order', () => {
    const versions = MIGRATIONS.map((migration) => migration.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
  });
});
