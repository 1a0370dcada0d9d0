import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { StoreError } from '../errors.js';
import { toStoreError } from './driver-errors.js';
import { InitdbSpawnError, freshClusterTemplate, initdbDirectoryOutOfProcess } from './pglite-initdb.js';
import type { SqlClient, SqlTransaction } from './sql-client.js';

/**
 * Directories with an open database in this process. Two PGlite instances on one directory
 * would each believe they own the files and corrupt them.
 */
const openDirectories = new Set<string>();

/**
 * PostgreSQL's defaults size a server for many clients and a dedicated machine; here one backend
 * shares the process with the server, and every shared-memory byte is zero-filled inside the
 * WebAssembly memory at start-up, so it is resident from the first second and never given back.
 * (`initialMemory` cannot help: the module declares 128 MiB as its minimum, and pages never
 * touched are not resident anyway.) Durability settings are PGlite's own, untouched.
 */
const START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  // initdb picks about 160 MB, the bulk of the old idle footprint. The store's working set (recent
  // calls and their turns, the indexes) is a few MB, and the OS page cache still sits behind it.
  '-c',
  'shared_buffers=8MB',
  // Lock tables and per-backend slots are sized by it; there is only ever one backend. It must
  // stay above superuser_reserved_connections (3).
  '-c',
  'max_connections=10',
  // Caps what one CREATE INDEX or VACUUM over a large table (a future migration, a retention
  // purge) can claim: the WebAssembly memory keeps its high-water mark for the process's life.
  '-c',
  'maintenance_work_mem=16MB',
];

/**
 * The embedded PostgreSQL (PGlite, WASM): one connection per instance, so it is opened once per
 * process and shared. PGlite queues queries behind a running transaction, which keeps
 * transactions from interleaving.
 */
export async function openPgliteClient(dataDir?: string): Promise<SqlClient> {
  const directory = dataDir === undefined ? undefined : resolve(dataDir);
  if (directory !== undefined) {
    if (openDirectories.has(directory)) {
      const message = `the embedded database in ${directory} is already open in this process`;
      throw new StoreError('store_already_open', message);
    }
    await mkdir(directory, { recursive: true });
    openDirectories.add(directory);
  }

  let db: PGlite;
  try {
    db = await openPglite(directory);
  } catch (error) {
    if (directory !== undefined) openDirectories.delete(directory);
    throw toStoreError(error, 'store open');
  }

  let closing: Promise<void> | undefined;

  return {
    kind: 'embedded',
    query: (sql, params) => run(db, sql, params),
    async transaction<R>(fn: (tx: SqlTransaction) => Promise<R>): Promise<R> {
      // Errors from `fn` pass through untouched; only BEGIN/COMMIT failures are the driver's.
      let failedInside = false;
      try {
        return await db.transaction(async (pgliteTx) => {
          try {
            return await fn(transactionClient(pgliteTx));
          } catch (error) {
            failedInside = true;
            throw error;
          }
        });
      } catch (error) {
        throw failedInside ? error : toStoreError(error, 'store transaction');
      }
    },
    // One process holds the embedded database, so its notifications never leave the process.
    async listen(channel, onPayload) {
      try {
        return await db.listen(channel, onPayload);
      } catch (error) {
        throw toStoreError(error, 'store listen');
      }
    },
    close(): Promise<void> {
      closing ??= db.close().finally(() => {
        if (directory !== undefined) openDirectories.delete(directory);
      });
      return closing;
    },
  };
}

/** A new cluster is initialized in a child process; see pglite-initdb.ts. */
async function openPglite(directory: string | undefined): Promise<PGlite> {
  const startParams = [...START_PARAMS];
  if (directory === undefined) return startPglite({ startParams, loadDataDir: await freshClusterTemplate(startParams) });
  try {
    await initdbDirectoryOutOfProcess(directory, startParams);
  } catch (error) {
    // Only when no process could be spawned at all is the directory untouched and in-process
    // initdb safe; a child that failed half way may have left files behind.
    if (!(error instanceof InitdbSpawnError)) throw error;
  }
  return startPglite({ startParams, dataDir: directory });
}

async function startPglite(options: { startParams: string[]; dataDir?: string; loadDataDir?: Blob | undefined }): Promise<PGlite> {
  // One options object: PGlite ignores a second argument when the first is not a directory.
  const db = new PGlite({
    startParams: options.startParams,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
  });
  await db.waitReady;
  return db;
}

function transactionClient(pgliteTx: Transaction): SqlTransaction {
  const tx: SqlTransaction = {
    kind: 'embedded',
    query: (sql, params) => run(pgliteTx, sql, params),
    transaction: (fn) => fn(tx),
  };
  return tx;
}

async function run<T>(target: PGlite | Transaction, sql: string, params?: unknown[]): Promise<T[]> {
  try {
    // Without parameters, `exec` (simple protocol) accepts several statements, as `pg` does.
    if (params === undefined || params.length === 0) {
      const results = await target.exec(sql);
      return (results.at(-1)?.rows ?? []) as T[];
    }
    const result = await target.query<T>(sql, params);
    return result.rows;
  } catch (error) {
    throw toStoreError(error, 'store query');
  }
}
