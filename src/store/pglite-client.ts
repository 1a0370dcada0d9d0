import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { StoreError } from '../errors.js';
import { toStoreError } from './driver-errors.js';
import type { SqlClient, SqlTransaction } from './sql-client.js';

/**
 * Directories with an open database in this process. Two PGlite instances on one directory
 * would each believe they own the files and corrupt them.
 */
const openDirectories = new Set<string>();

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
    db = new PGlite(directory);
    await db.waitReady;
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
