import type { Logger } from '../log.js';
import type { SqlClient } from './sql-client.js';

export interface OpenSqlClientOptions {
  /** PostgreSQL connection string; when set, it wins over `dataDir`. */
  databaseUrl?: string;
  /** Directory of the embedded database, created if missing; undefined: in memory. */
  dataDir?: string;
  /** Receives connection-level errors that no query is waiting for; default: silent. */
  logger?: Logger;
}

/** PostgreSQL when `databaseUrl` is set, else the embedded database. Only the chosen backend's library is loaded. */
export async function openSqlClient(options: OpenSqlClientOptions): Promise<SqlClient> {
  if (options.databaseUrl !== undefined) {
    const { openPgClient } = await import('./pg-client.js');
    return openPgClient(options.databaseUrl, options.logger);
  }
  const { openPgliteClient } = await import('./pglite-client.js');
  return openPgliteClient(options.dataDir);
}
