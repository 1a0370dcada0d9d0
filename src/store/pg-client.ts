import pg from 'pg';
import { silentLogger, type Logger } from '../log.js';
import { toStoreError, unavailable } from './driver-errors.js';
import type { SqlClient, SqlTransaction } from './sql-client.js';

/** A database that does not answer fails the operation instead of queueing it forever. */
const CONNECT_TIMEOUT_MS = 10_000;

/** PostgreSQL through a connection pool; several bot instances may share the database. */
export function openPgClient(databaseUrl: string, logger: Logger = silentLogger()): SqlClient {
  const pool = new pg.Pool({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle connection that dies (server restart) is reported here; unhandled, it would crash the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));

  const connect = async (): Promise<pg.PoolClient> => {
    try {
      return await pool.connect();
    } catch (error) {
      throw unavailable(error, 'store connect');
    }
  };

  let closing: Promise<void> | undefined;

  return {
    kind: 'postgres',
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      const connection = await connect();
      try {
        return await run<T>(connection, sql, params);
      } finally {
        connection.release();
      }
    },
    async transaction<R>(fn: (tx: SqlTransaction) => Promise<R>): Promise<R> {
      const connection = await connect();
      let broken: Error | undefined;
      try {
        await run(connection, 'BEGIN');
        const result = await fn(transactionClient(connection));
        await run(connection, 'COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        // A connection that cannot even roll back is destroyed rather than handed to the next caller.
        connection.release(broken);
      }
    },
    close(): Promise<void> {
      closing ??= pool.end();
      return closing;
    },
  };
}

function transactionClient(connection: pg.PoolClient): SqlTransaction {
  const tx: SqlTransaction = {
    kind: 'postgres',
    query: <T>(sql: string, params?: unknown[]) => run<T>(connection, sql, params),
    transaction: (fn) => fn(tx),
  };
  return tx;
}

async function run<T>(connection: pg.PoolClient, sql: string, params?: unknown[]): Promise<T[]> {
  try {
    const result: pg.QueryResult | pg.QueryResult[] = await connection.query(sql, params);
    // Several statements in one text yield one result each; like the embedded backend, return the last.
    const last = Array.isArray(result) ? result.at(-1) : result;
    return (last?.rows ?? []) as T[];
  } catch (error) {
    throw toStoreError(error, 'store query');
  }
}
