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
  /**
   * Calls `onPayload` with every payload NOTIFYed on `channel` (`SELECT pg_notify(...)`), from any
   * connection to the database; a dropped connection is re-established and listens again. Resolves
   * once listening, to the function that stops it.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** A client bound to one open transaction; the transaction, not its user, ends it. */
export type SqlTransaction = Omit<SqlClient, 'close' | 'listen'>;
