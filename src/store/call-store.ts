import { FEED_CHANNEL, feedNoticeSchema, type FeedNotice } from './feed-notice.js';
import {
  CALL_LIST_COLUMNS,
  SUMMARY_COLUMNS,
  TURN_COLUMNS,
  decodeCursor,
  durationMs,
  encodeCursor,
  escapeLike,
  json,
  toListItem,
  toSummaryView,
  toTurnRecord,
  type CallListRow,
  type CallRow,
  type JobRow,
  type SummaryRow,
  type TurnRow,
} from './rows.js';
import type { SqlClient, SqlTransaction } from './sql-client.js';
import type {
  HandoffRecord,
  CallDetail,
  CallScript,
  CallEnding,
  CallSummaryView,
  Job,
  ListCallsPage,
  ListCallsQuery,
  NewCall,
  SummaryKind,
  SummaryRecord,
  TurnRecord,
} from './types.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;
const INTERRUPTED_END_REASON = 'process ended mid-call';

export type { FeedNotice } from './feed-notice.js';

export interface CallStoreOptions {
  /** This process; written on rows that a turn or stream creates before the call itself is recorded. */
  instanceId: string;
}

/**
 * Calls, their turns and summaries, and the jobs that follow a call (post-call summary,
 * webhook delivery). The only place rows become domain objects. Never logs: rows hold
 * transcripts and phone numbers.
 */
export class CallStore {
  readonly #client: SqlClient;
  readonly #instanceId: string;

  /** Takes ownership of `client`: `close()` closes it. Run `migrate(client)` first. */
  constructor(client: SqlClient, options: CallStoreOptions) {
    this.#client = client;
    this.#instanceId = options.instanceId;
  }

  /** Idempotent: a repeated call keeps the first record, filling in parties it lacked. */
  async createCall(call: NewCall): Promise<void> {
    await this.#client.query(
      `INSERT INTO calls (call_sid, from_number, to_number, status, started_at, instance_id, direction)
       VALUES ($1, $2, $3, 'in-progress', $4, $5, $6)
       ON CONFLICT (call_sid) DO UPDATE SET
         -- Only the webhook knows an outbound call for one; a row a turn created first says inbound.
         direction = CASE WHEN excluded.direction = 'outbound' THEN 'outbound' ELSE calls.direction END,
         from_number = coalesce(calls.from_number, excluded.from_number),
         to_number = coalesce(calls.to_number, excluded.to_number),
         -- A row that a turn created first carries that turn's time, later than the real start.
         started_at = least(calls.started_at, excluded.started_at)`,
      [call.callSid, call.from ?? null, call.to ?? null, call.startedAt, call.instanceId, call.direction ?? 'inbound'],
    );
  }

  /** Keeps what an outbound call is to say under `id`, which its webhook URL carries. */
  async addOutboundRequest(id: string, script: CallScript): Promise<void> {
    await this.#client.query('INSERT INTO outbound_requests (id, instructions, greeting) VALUES ($1, $2, $3)', [
      id,
      script.instructions ?? null,
      script.greeting ?? null,
    ]);
  }

  /**
   * What the outbound call `id` is to say, once: the row goes as it is read, so a call's instructions
   * are not kept past its answer. Undefined for an unknown (or already taken) id.
   */
  async takeOutboundRequest(id: string): Promise<CallScript | undefined> {
    const [row] = await this.#client.query<{ instructions: string | null; greeting: string | null }>(
      'DELETE FROM outbound_requests WHERE id = $1 RETURNING instructions, greeting',
      [id],
    );
    if (!row) return undefined;
    return { ...(row.instructions !== null ? { instructions: row.instructions } : {}), ...(row.greeting !== null ? { greeting: row.greeting } : {}) };
  }

  /** Records a transfer to a person, before Twilio asks where to send the caller. */
  async setHandoff(callSid: string, handoff: HandoffRecord): Promise<void> {
    await this.#client.query(
      `INSERT INTO calls (call_sid, status, started_at, instance_id, handoff)
       VALUES ($1, 'in-progress', now(), $2, $3)
       ON CONFLICT (call_sid) DO UPDATE SET handoff = excluded.handoff, updated_at = now()`,
      [callSid, this.#instanceId, JSON.stringify(handoff)],
    );
  }

  /**
   * This instance holds the call's media stream: it becomes the call's owner, unless another
   * instance already is. Returns whether this instance owns the call.
   */
  async claimCall(callSid: string, streamSid: string): Promise<boolean> {
    const rows = await this.#client.query<{ owner_instance: string }>(
      `INSERT INTO calls (call_sid, stream_sid, status, started_at, instance_id, owner_instance, heartbeat_at)
       VALUES ($1, $2, 'in-progress', now(), $3, $3, now())
       ON CONFLICT (call_sid) DO UPDATE SET
         stream_sid = CASE WHEN calls.owner_instance IS NULL OR calls.owner_instance = $3 THEN excluded.stream_sid ELSE calls.stream_sid END,
         owner_instance = coalesce(calls.owner_instance, $3),
         heartbeat_at = CASE WHEN calls.owner_instance IS NULL OR calls.owner_instance = $3 THEN now() ELSE calls.heartbeat_at END,
         updated_at = now()
       RETURNING owner_instance`,
      [callSid, streamSid, this.#instanceId],
    );
    return rows[0]?.owner_instance === this.#instanceId;
  }

  /** Whether an instance other than this one holds the call's stream. */
  async ownedElsewhere(callSid: string): Promise<boolean> {
    const rows = await this.#client.query<{ owner_instance: string | null }>(
      'SELECT owner_instance FROM calls WHERE call_sid = $1',
      [callSid],
    );
    const owner = rows[0]?.owner_instance;
    return owner !== undefined && owner !== null && owner !== this.#instanceId;
  }

  /**
   * Inserts the turn or replaces the one with the same seq (an assistant turn is saved when
   * generated and again when the caller cut it off). A turn that arrives before its call is
   * recorded creates a minimal in-progress call rather than being lost.
   */
  async saveTurn(turn: TurnRecord): Promise<void> {
    await this.#client.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO calls (call_sid, status, started_at, instance_id)
         VALUES ($1, 'in-progress', $2, $3)
         ON CONFLICT (call_sid) DO UPDATE SET updated_at = now()`,
        [turn.callSid, turn.at, this.#instanceId],
      );
      await tx.query(
        `INSERT INTO turns (${TURN_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (call_sid, seq) DO UPDATE SET
           role = excluded.role, item_id = excluded.item_id, text = excluded.text,
           heard_text = excluded.heard_text, interrupted = excluded.interrupted, at = excluded.at,
           keys = excluded.keys, tool = excluded.tool, timing = excluded.timing`,
        [
          turn.callSid,
          turn.seq,
          turn.role,
          turn.itemId,
          turn.text,
          turn.heardText,
          turn.interrupted,
          turn.at,
          turn.keys ?? null,
          turn.tool ? JSON.stringify(turn.tool) : null,
          turn.timing ? JSON.stringify(turn.timing) : null,
        ],
      );
    });
  }

  /** Tells every instance's live feed (this one's included) that a row was written. */
  async notifyFeed(notice: FeedNotice): Promise<void> {
    await this.#client.query('SELECT pg_notify($1, $2)', [FEED_CHANNEL, JSON.stringify(notice)]);
  }

  /** Feed notices from every instance; notices that do not parse are ignored. Resolves to the unsubscribe. */
  onFeedNotice(onNotice: (notice: FeedNotice) => void): Promise<() => Promise<void>> {
    return this.#client.listen(FEED_CHANNEL, (payload) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(payload);
      } catch {
        return;
      }
      const notice = feedNoticeSchema.safeParse(parsed);
      if (notice.success) onNotice(notice.data);
    });
  }

  async getTurn(callSid: string, seq: number): Promise<TurnRecord | undefined> {
    const rows = await this.#client.query<TurnRow>(
      `SELECT ${TURN_COLUMNS} FROM turns WHERE call_sid = $1 AND seq = $2`,
      [callSid, seq],
    );
    return rows[0] && toTurnRecord(rows[0]);
  }

  /** Heartbeat for the live calls this instance owns, so that other instances do not take them for orphans. */
  async touchCalls(callSids: readonly string[]): Promise<void> {
    if (callSids.length === 0) return;
    await this.#client.query(
      `UPDATE calls SET heartbeat_at = now(), updated_at = now()
       WHERE call_sid = ANY($1::text[]) AND status = 'in-progress' AND owner_instance = $2`,
      [callSids, this.#instanceId],
    );
  }

  /**
   * Records how the call ended, unless it already has (a final status is never overwritten) or
   * another instance owns it (only the owner writes a call's status), and in the same transaction
   * enqueues one job per kind in `enqueue`. Returns whether it changed the call.
   */
  async endCall(callSid: string, ending: CallEnding, options: { enqueue?: readonly string[] } = {}): Promise<boolean> {
    return this.#client.transaction(async (tx) => {
      const ended = await tx.query<{ call_sid: string }>(
        `UPDATE calls SET status = $2, ended_at = $3, end_reason = $4, language = $5,
           usage = $6::text::jsonb, figures = $7::text::jsonb, updated_at = now()
         WHERE call_sid = $1 AND status = 'in-progress' AND (owner_instance IS NULL OR owner_instance = $8)
         RETURNING call_sid`,
        [
          callSid,
          ending.status,
          ending.endedAt,
          ending.endReason,
          ending.language ?? null,
          json(ending.usage),
          json(ending.figures),
          this.#instanceId,
        ],
      );
      if (ended.length === 0) return false;
      await enqueueJobs(tx, options.enqueue ?? [], [callSid]);
      return true;
    });
  }

  /**
   * After a restart: this instance's calls that were still in progress end as 'interrupted',
   * at their last turn (or now), each with the jobs in `enqueue`. Returns their CallSids.
   */
  markOrphanedCalls(instanceId: string, options: { enqueue: readonly string[] }): Promise<string[]> {
    return this.#interrupt('coalesce(c.owner_instance, c.instance_id) = $1', instanceId, options.enqueue);
  }

  /** As `markOrphanedCalls`, for live calls of any instance whose owner's heartbeat stopped before `olderThan`. */
  markStaleCalls(olderThan: Date, options: { enqueue: readonly string[] }): Promise<string[]> {
    return this.#interrupt('coalesce(c.heartbeat_at, c.updated_at) < $1', olderThan, options.enqueue);
  }

  async #interrupt(condition: string, value: unknown, enqueue: readonly string[]): Promise<string[]> {
    return this.#client.transaction(async (tx) => {
      const rows = await tx.query<{ call_sid: string }>(
        `UPDATE calls c SET status = 'interrupted',
           ended_at = coalesce((SELECT max(t.at) FROM turns t WHERE t.call_sid = c.call_sid), now()),
           end_reason = $2, updated_at = now()
         WHERE c.status = 'in-progress' AND ${condition}
         RETURNING c.call_sid`,
        [value, INTERRUPTED_END_REASON],
      );
      const callSids = rows.map((row) => row.call_sid);
      await enqueueJobs(tx, enqueue, callSids);
      return callSids;
    });
  }

  async addSummary(summary: SummaryRecord): Promise<void> {
    await this.#client.query(
      `INSERT INTO summaries (call_sid, kind, content, text, language, model, created_at)
       VALUES ($1, $2, $3::text::jsonb, $4, $5, $6, coalesce($7::timestamptz, now()))`,
      [
        summary.callSid,
        summary.kind,
        JSON.stringify(summary.content),
        summary.text,
        summary.language ?? null,
        summary.model,
        summary.createdAt ?? null,
      ],
    );
  }

  async latestSummary(callSid: string, kind: SummaryKind): Promise<CallSummaryView | undefined> {
    const rows = await this.#client.query<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM summaries
       WHERE call_sid = $1 AND kind = $2
       ORDER BY created_at DESC, id DESC LIMIT 1`,
      [callSid, kind],
    );
    return rows[0] && toSummaryView(rows[0]);
  }

  async getCall(callSid: string): Promise<CallDetail | undefined> {
    const [call] = await this.#client.query<CallRow>(
      `SELECT call_sid, stream_sid, from_number, to_number, direction, status, started_at, ended_at,
         end_reason, language, usage, figures, handoff
       FROM calls WHERE call_sid = $1`,
      [callSid],
    );
    if (call === undefined) return undefined;
    const turns = await this.#client.query<TurnRow>(
      `SELECT ${TURN_COLUMNS} FROM turns WHERE call_sid = $1 ORDER BY seq`,
      [callSid],
    );
    const jobs = await this.#client.query<{ kind: string; attempts: number; last_error: string | null; done_at: Date | null; dead_at: Date | null }>(
      'SELECT kind, attempts, last_error, done_at, dead_at FROM jobs WHERE call_sid = $1 ORDER BY id',
      [callSid],
    );
    const summaries = (
      await this.#client.query<SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM summaries WHERE call_sid = $1 ORDER BY created_at, id`,
        [callSid],
      )
    ).map(toSummaryView);
    return {
      callSid: call.call_sid,
      status: call.status,
      startedAt: call.started_at,
      endedAt: call.ended_at,
      from: call.from_number,
      to: call.to_number,
      direction: call.direction,
      durationMs: durationMs(call.started_at, call.ended_at),
      streamSid: call.stream_sid,
      endReason: call.end_reason,
      language: call.language,
      usage: call.usage,
      figures: call.figures,
      handoff: call.handoff,
      jobs: jobs.map((job) => ({
        kind: job.kind,
        status: job.done_at ? 'done' : job.dead_at ? 'dead' : 'pending',
        attempts: job.attempts,
        lastError: job.last_error,
      })),
      turns: turns.map(toTurnRecord),
      summary: summaries.findLast((summary) => summary.kind === 'post-call') ?? null,
      inCallSummaries: summaries.filter((summary) => summary.kind === 'in-call'),
    };
  }

  /**
   * Newest first, a page at a time, walking the (started_at, call_sid) index; only a text
   * query `q` looks into turns and summaries.
   */
  async listCalls(query: ListCallsQuery = {}): Promise<ListCallsPage> {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const conditions: string[] = [];
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor);
      conditions.push(`(c.started_at, c.call_sid) < (${param(after.startedAt)}::timestamptz, ${param(after.callSid)})`);
    }
    if (query.status !== undefined) conditions.push(`c.status = ${param(query.status)}`);
    if (query.since !== undefined) conditions.push(`c.started_at >= ${param(query.since)}::timestamptz`);
    if (query.until !== undefined) conditions.push(`c.started_at < ${param(query.until)}::timestamptz`);
    const text = query.q?.trim();
    if (text) {
      const pattern = param(`%${escapeLike(text)}%`);
      conditions.push(
        `(EXISTS (SELECT 1 FROM turns t WHERE t.call_sid = c.call_sid AND t.text ILIKE ${pattern})
          OR EXISTS (SELECT 1 FROM summaries s WHERE s.call_sid = c.call_sid AND s.text ILIKE ${pattern}))`,
      );
    }
    // One row beyond the page tells whether another page exists.
    const rows = await this.#client.query<CallListRow>(
      `WITH page AS (
         SELECT ${CALL_LIST_COLUMNS} FROM calls c
         ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
         ORDER BY c.started_at DESC, c.call_sid DESC
         LIMIT ${param(limit + 1)}
       )
       SELECT page.*, latest.text AS summary
       FROM page
       LEFT JOIN LATERAL (
         SELECT s.text FROM summaries s
         WHERE s.call_sid = page.call_sid AND s.kind = 'post-call'
         ORDER BY s.created_at DESC, s.id DESC LIMIT 1
       ) latest ON true
       ORDER BY page.started_at DESC, page.call_sid DESC`,
      params,
    );
    const calls = rows.slice(0, limit).map(toListItem);
    const last = calls.at(-1);
    return {
      calls,
      nextCursor: rows.length > limit && last ? encodeCursor(last.startedAt, last.callSid) : null,
    };
  }

  /** Idempotent per kind and call: returns false when that job already exists, done or not. */
  async enqueueJob(
    kind: string,
    callSid: string,
    payload: Record<string, unknown> = {},
    runAt?: Date,
  ): Promise<boolean> {
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
  async claimJob(kinds: readonly string[], lockMs: number): Promise<Job | undefined> {
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

  async completeJob(id: number): Promise<void> {
    await this.#client.query('UPDATE jobs SET done_at = now(), locked_until = NULL WHERE id = $1', [id]);
  }

  /** Releases the job with the error that failed it, due again at `runAt`. */
  async retryJob(id: number, error: string, runAt: Date): Promise<void> {
    await this.#client.query('UPDATE jobs SET locked_until = NULL, last_error = $2, run_at = $3 WHERE id = $1', [
      id,
      error,
      runAt,
    ]);
  }

  /** The job failed in a way retrying cannot fix: it is never claimed again, and keeps its last error. */
  async killJob(id: number, error: string): Promise<void> {
    await this.#client.query('UPDATE jobs SET locked_until = NULL, last_error = $2, dead_at = now() WHERE id = $1', [id, error]);
  }

  /** Jobs not done yet and not dead, due or not, locked or not. */
  async pendingJobs(kind?: string): Promise<number> {
    const [row] = await this.#client.query<{ count: number }>(
      'SELECT count(*)::integer AS count FROM jobs WHERE done_at IS NULL AND dead_at IS NULL AND ($1::text IS NULL OR kind = $1)',
      [kind ?? null],
    );
    return row?.count ?? 0;
  }

  /** Retention: deletes calls that ended before `endedBefore`, with everything about them. Returns how many. */
  async purgeCallsOlderThan(endedBefore: Date): Promise<number> {
    const [row] = await this.#client.query<{ count: number }>(
      `WITH purged AS (DELETE FROM calls WHERE ended_at < $1 RETURNING 1)
       SELECT count(*)::integer AS count FROM purged`,
      [endedBefore],
    );
    return row?.count ?? 0;
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}

async function enqueueJobs(tx: SqlTransaction, kinds: readonly string[], callSids: readonly string[]): Promise<void> {
  if (kinds.length === 0 || callSids.length === 0) return;
  await tx.query(
    `INSERT INTO jobs (kind, call_sid)
     SELECT kind, call_sid FROM unnest($1::text[]) AS k(kind) CROSS JOIN unnest($2::text[]) AS c(call_sid)
     ON CONFLICT (call_sid, kind) DO NOTHING`,
    [kinds, callSids],
  );
}

