import type { Logger } from '../log.js';

/**
 * The SQL the store speaks, identical for both backends: `$1` placeholders, and without
 * parameters a text may hold several statements (PostgreSQL's simple query protocol), which
 * is how migrations run. Driver failures surface as StoreError, or as a retryable
 * UpstreamError when the database cannot be reached.
 */
export interface SqlClient {
  readonly kind: 'embedded' | 'postgres';
  /** Rows of the (last) statement; `T` is trusted, not checked. */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs `fn` in one transaction, committed when it resolves and rolled back when it throws.
   * Inside, use only `tx`: on the embedded backend anything else waits for the transaction to end.
   * A nested `transaction` joins the outer one.
   */
  transaction<R>(fn: (tx: SqlTransaction) => Promise<R>): Promise<R>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** A client bound to one open transaction; the transaction, not its user, ends it. */
export type SqlTransaction = Omit<SqlClient, 'close'>;

export interface OpenSqlClientOptions {
  /** PostgreSQL connection string; when set, it wins over `dataDir`. */
  databaseUrl?: string;
  /** Directory of the embedded database, created if missing; undefined: in memory. */
  dataDir?: string;
  /** Receives connection-level errors that no query is waiting for; default: silent. */
  logger?: Logger;
}

/** Only the chosen backend's library is loaded. */
export async function openSqlClient(options: OpenSqlClientOptions): Promise<SqlClient> {
  if (options.databaseUrl !== undefined) {
    const { openPgClient } = await import('./pg-client.js');
    return openPgClient(options.databaseUrl, options.logger);
  }
  const { openPgliteClient } = await import('./pglite-client.js');
  return openPgliteClient(options.dataDir);
}
