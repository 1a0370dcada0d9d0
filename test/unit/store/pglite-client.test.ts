import { access, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
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

/*
 * initdb gives every cluster a new system identifier; one loaded from the kept template has the
 * template's. So equal identifiers show a database was started from the template, not initialized.
 */
const identifierQuery = 'SELECT system_identifier::text AS id FROM pg_control_system()';
const TEMPLATE_DIR = fileURLToPath(new URL('../../../node_modules/.cache/callbridge/', import.meta.url));

describe('the kept cluster template', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'callbridge-pglite-template-'));
  });
  afterAll(() => rm(parent, { recursive: true, force: true }));

  async function identifierOf(dataDir?: string): Promise<string> {
    const client = await openPgliteClient(dataDir);
    try {
      const [row] = await client.query<{ id: string }>(identifierQuery);
      return row!.id;
    } finally {
      await client.close();
    }
  }

  it('is kept in node_modules/.cache, whole, and new databases and directories start from it', async () => {
    const inMemory = await identifierOf();
    const templates = (await readdir(TEMPLATE_DIR)).filter((name) => /^pglite-cluster-[0-9a-f]{16}\.tar\.gz$/.test(name));
    expect(templates.length).toBeGreaterThan(0);
    for (const name of templates) expect(gunzipSync(await readFile(join(TEMPLATE_DIR, name))).length).toBeGreaterThan(1_000_000);
    expect(await identifierOf()).toBe(inMemory);
    expect(await identifierOf(join(parent, 'a'))).toBe(inMemory);
    expect(await identifierOf(join(parent, 'b'))).toBe(inMemory);
  });

  it('when damaged, does not stop a new directory from opening (it is initialized instead)', async () => {
    await identifierOf();
    const [name] = (await readdir(TEMPLATE_DIR)).filter((entry) => entry.endsWith('.tar.gz'));
    const template = join(TEMPLATE_DIR, name!);
    const whole = await readFile(template);
    const damaged = Buffer.from(whole);
    damaged.fill(0, damaged.length >> 1);
    await writeFile(template, damaged);
    try {
      const dataDir = join(parent, 'after-damage');
      expect(await identifierOf(dataDir)).toMatch(/^\d+$/);
      expect(await identifierOf(dataDir)).toMatch(/^\d+$/);
    } finally {
      await writeFile(`${template}.restore`, whole);
      await rename(`${template}.restore`, template);
    }
  });
});
