import type { JobRow } from './rows.js';
import type { SqlClient, SqlTransaction } from './sql-client.js';
import type { Job } from './types.js';

/**
 * The durable queue of work that follows a call (post-call summary, webhook delivery): at most one
 * job per kind and call, claimed with `FOR UPDATE SKIP LOCKED` so that several instances can share
 * it and every job runs once. Does not own `client`.
 */
export class JobQueue {
  readonly #client: SqlClient;

  constructor(client: SqlClient) {
    this.#client = client;
  }

  /** Idempotent per kind and call: returns false when that job already exists, done or not. */
  async enqueue(kind: string, callSid: string, payload: Record<string, unknown> = {}, runAt?: Date): Promise<boolean> {
    const rows = await this.#client.query(
      `INSERT INTO jobs (kind, call_sid, payload, run_at)
       VALUES ($1, $2, $3::text::jsonb, coalesce($4::timestamptz, now()))
       ON CONFLICT (call_sid, kind) DO NOTHING
       RETURNING id`,
      [kind, callSid, JSON.stringify(payload), runAt ?? null],
    );
    return rows.length > 0;
  }

  /**
   * Takes the next due job of these kinds, locked for `lockMs` (after which another claim may
   * take it again: its worker is presumed dead). Concurrent claims, from any instance, never
   * get the same job.
   */
  async claim(kinds: readonly string[], lockMs: number): Promise<Job | undefined> {
    if (kinds.length === 0) return undefined;
    const [row] = await this.#client.query<JobRow>(
      `UPDATE jobs SET attempts = attempts + 1,
         locked_until = now() + $2::double precision * interval '1 millisecond'
       WHERE id = (
         SELECT id FROM jobs
         WHERE done_at IS NULL AND dead_at IS NULL AND run_at <= now() AND (locked_until IS NULL OR locked_until <= now())
           AND kind = ANY($1::text[])
         ORDER BY run_at, id
         LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       RETURNING id, kind, call_sid, payload, attempts`,
      [kinds, lockMs],
    );
    if (row === undefined) return undefined;
    return { id: Number(row.id), kind: row.kind, callSid: row.call_sid, payload: row.payload, attempts: row.attempts };
  }

  async complete(id: number): Promise<void> {
    await this.#client.query('UPDATE jobs SET done_at = now(), locked_until = NULL WHERE id = $1', [id]);
  }

  /** Releases the job with the error that failed it, due again at `runAt`. */
  async retry(id: number, error: string, runAt: Date): Promise<void> {
    await this.#client.query('UPDATE jobs SET locked_until = NULL, last_error = $2, run_at = $3 WHERE id = $1', [id, error, runAt]);
  }

  /** The job failed in a way retrying cannot fix: it is never claimed again, and keeps its last error. */
  async kill(id: number, error: string): Promise<void> {
    await this.#client.query('UPDATE jobs SET locked_until = NULL, last_error = $2, dead_at = now() WHERE id = $1', [id, error]);
  }
}

/**
 * Enqueues one job of each kind for each call, inside the caller's transaction: a call's ending and
 * the work that follows it commit together or not at all. Existing jobs are left as they are.
 */
export async function enqueueJobsInTransaction(tx: SqlTransaction, kinds: readonly string[], callSids: readonly string[]): Promise<void> {
  if (kinds.length === 0 || callSids.length === 0) return;
  await tx.query(
    `INSERT INTO jobs (kind, call_sid)
     SELECT kind, call_sid FROM unnest($1::text[]) AS k(kind) CROSS JOIN unnest($2::text[]) AS c(call_sid)
     ON CONFLICT (call_sid, kind) DO NOTHING`,
    [kinds, callSids],
  );
}
