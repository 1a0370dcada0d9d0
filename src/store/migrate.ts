import type { Logger } from '../log.js';
import { MIGRATIONS } from './migrations.js';
import type { SqlClient } from './sql-client.js';

/**
 * Held for the duration of each migration's transaction, so that instances starting together
 * against one PostgreSQL database apply every migration exactly once. Any fixed number works;
 * it only has to differ from other advisory locks taken in the same database.
 */
const MIGRATION_LOCK_KEY = 7_402_113_001;

export interface MigrateOptions {
  logger?: Logger;
}

/** Applies the pending migrations in order, each in its own transaction; returns their versions. */
export async function migrate(client: SqlClient, options: MigrateOptions = {}): Promise<number[]> {
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    const didApply = await client.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      // Created under the lock: two concurrent CREATE TABLE IF NOT EXISTS can still collide.
      await tx.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (done.length > 0) return false;
      await tx.query(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (didApply) {
      applied.push(migration.version);
      options.logger?.info({ version: migration.version, migration: migration.name }, 'applied store migration');
    }
  }
  return applied;
}
