import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { CallStore, JobQueue, migrate, openSqlClient, type SqlClient } from '../../src/store/index.js';

export const TEST_INSTANCE_ID = 'test-instance';
const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const PROBE_TIMEOUT_MS = 1000;

export interface TestStore {
  client: SqlClient;
  store: CallStore;
  jobs: JobQueue;
  /** Jobs of `kind` (default: any) not done yet and not dead, due or not, locked or not; read with SQL. */
  pendingJobs(kind?: string): Promise<number>;
  /** Empties every table of the store. */
  reset(): Promise<void>;
  /**
   * Another client on the same database, as a second bot instance would have; closed by
   * `cleanup`. Absent on the embedded backend, which has a single connection.
   */
  openPeer?: () => Promise<SqlClient>;
  /** Closes every client and drops whatever the store created. */
  cleanup(): Promise<void>;
}

export interface TestStoreBackend {
  name: 'embedded' | 'postgres';
  /** Why this backend cannot run here; null when it can. */
  skipReason: string | null;
  /** A fresh, empty database of its own. */
  open(options?: { migrate?: boolean }): Promise<TestStore>;
}

/**
 * The backends to run store tests against: the in-memory embedded database always, and
 * PostgreSQL at DATABASE_URL (or the local default) when a server answers there. Each
 * PostgreSQL store lives in a schema of its own, dropped by `cleanup`, so that concurrent
 * test runs sharing a server never see each other.
 */
export async function openTestStores(): Promise<TestStoreBackend[]> {
  const postgresUrl = process.env.DATABASE_URL || DEFAULT_POSTGRES_URL;
  const unreachable = await probePostgres(postgresUrl);
  return [
    { name: 'embedded', skipReason: null, open: (options) => openEmbedded(options) },
    {
      name: 'postgres',
      skipReason:
        unreachable === null
          ? null
          : `skipped: no PostgreSQL at ${redact(postgresUrl)} (${unreachable}); point DATABASE_URL at a reachable server`,
      open: (options) => openPostgres(postgresUrl, options),
    },
  ];
}

async function openEmbedded(options: { migrate?: boolean } = {}): Promise<TestStore> {
  const client = await openSqlClient({});
  return finish(client, options, {}, () => client.close());
}

async function openPostgres(url: string, options: { migrate?: boolean } = {}): Promise<TestStore> {
  const schema = `callbridge_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(url, (admin) => admin.query(`CREATE SCHEMA ${schema}`));
  const schemaUrl = new URL(url);
  schemaUrl.searchParams.set('options', `-c search_path=${schema}`);
  const open = () => openSqlClient({ databaseUrl: schemaUrl.toString() });

  const client = await open();
  const peers: SqlClient[] = [];
  const openPeer = async () => {
    const peer = await open();
    peers.push(peer);
    return peer;
  };
  return finish(client, options, { openPeer }, async () => {
    await Promise.all([client, ...peers].map((c) => c.close()));
    await withAdmin(url, (admin) => admin.query(`DROP SCHEMA ${schema} CASCADE`));
  });
}

async function finish(
  client: SqlClient,
  options: { migrate?: boolean },
  extra: Pick<TestStore, 'openPeer'>,
  cleanup: () => Promise<void>,
): Promise<TestStore> {
  if (options.migrate ?? true) await migrate(client);
  return {
    client,
    store: new CallStore(client, { instanceId: TEST_INSTANCE_ID }),
    jobs: new JobQueue(client),
    pendingJobs: async (kind) => {
      const [row] = await client.query<{ count: number }>(
        'SELECT count(*)::integer AS count FROM jobs WHERE done_at IS NULL AND dead_at IS NULL AND ($1::text IS NULL OR kind = $1)',
        [kind ?? null],
      );
      return row!.count;
    },
    reset: async () => {
      await client.query('TRUNCATE calls, turns, summaries, jobs RESTART IDENTITY');
    },
    ...extra,
    cleanup,
  };
}

/** Null when a server answers at `url`, else why not. */
async function probePostgres(url: string): Promise<string | null> {
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  try {
    await probe.connect();
    await probe.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await probe.end().catch(() => undefined);
  }
}

async function withAdmin(url: string, fn: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await fn(admin);
  } finally {
    await admin.end();
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
