import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteClient } from '../../../src/store/pglite-client.js';

// The memory settings are what keeps the embedded store's idle footprint small (issue 14):
// PostgreSQL's defaults would put about 160 MB of shared buffers in every server process.
const settingsQuery = `SELECT name, setting, unit FROM pg_settings
  WHERE name IN ('shared_buffers', 'max_connections', 'maintenance_work_mem') ORDER BY name`;
const expectedSettings = [
  { name: 'maintenance_work_mem', setting: '16384', unit: 'kB' },
  { name: 'max_connections', setting: '10', unit: null },
  { name: 'shared_buffers', setting: '1024', unit: '8kB' },
];

describe('openPgliteClient memory settings', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'callbridge-pglite-'));
  });
  afterAll(() => rm(parent, { recursive: true, force: true }));

  it('applies them to in-memory databases, each one fresh', async () => {
    const first = await openPgliteClient();
    const second = await openPgliteClient();
    try {
      expect(await first.query(settingsQuery)).toEqual(expectedSettings);
      await first.query('CREATE TABLE only_in_first (id integer)');
      expect(await second.query(`SELECT to_regclass('only_in_first') AS t`)).toEqual([{ t: null }]);
      expect(await second.query(settingsQuery)).toEqual(expectedSettings);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('initializes a new directory and applies them on every open', async () => {
    const dataDir = join(parent, 'db');
    for (let open = 0; open < 2; open++) {
      const client = await openPgliteClient(dataDir);
      try {
        expect(await client.query(settingsQuery)).toEqual(expectedSettings);
      } finally {
        await client.close();
      }
    }
    await expect(access(join(dataDir, 'PG_VERSION'))).resolves.toBeUndefined();
  });
});
