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
    listen(channel, onPayload) {
      return listenWithReconnect(databaseUrl, channel, onPayload, logger);
    },
    close(): Promise<void> {
      closing ??= pool.end();
      return closing;
    },
  };
}

/** After a lost listening connection, try again this often. */
const RELISTEN_DELAY_MS = 1000;

/**
 * LISTEN needs a connection of its own that stays open (a pooled one goes back to the pool). When it
 * drops (database restart, network), a new one is opened and listens again until stopped; what was
 * notified meanwhile is lost, which is why notifications carry ids and listeners read the rows.
 */
async function listenWithReconnect(
  databaseUrl: string,
  channel: string,
  onPayload: (payload: string) => void,
  logger: Logger,
): Promise<() => Promise<void>> {
  let stopped = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const open = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    const reopen = (error?: Error) => {
      if (stopped || current !== client) return;
      current = undefined;
      logger.warn({ err: error, channel }, 'database listener lost; listening again');
      void client.end().catch(() => undefined);
      retry = setTimeout(() => void open().catch(() => reopen()), RELISTEN_DELAY_MS);
    };
    current = client;
    client.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) onPayload(message.payload);
    });
    client.on('error', reopen);
    client.on('end', () => reopen());
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      // The live feed is not worth failing a start-up for: keep trying in the background.
      reopen(error instanceof Error ? error : new Error(String(error)));
    }
  };
  await open();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const client = current;
    current = undefined;
    await client?.end().catch(() => undefined);
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
