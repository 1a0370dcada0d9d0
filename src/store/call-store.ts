import { FEED_CHANNEL, feedNoticeSchema, type FeedNotice } from './feed-notice.js';
import { enqueueJobsInTransaction } from './job-queue.js';
import { listCallsStatement, toPage } from './list-query.js';
import {
  CALL_DETAIL_COLUMNS,
  JOB_STATUS_COLUMNS,
  SUMMARY_COLUMNS,
  TURN_COLUMNS,
  json,
  toCallDetail,
  toTurnRecord,
  type CallDetailRow,
  type CallListRow,
  type JobStatusRow,
  type SummaryRow,
  type TurnRow,
} from './rows.js';
import type { SqlClient, SqlTransaction } from './sql-client.js';
import type {
  CallDetail,
  CallEnding,
  CallScript,
  HandoffRecord,
  ListCallsPage,
  ListCallsQuery,
  NewCall,
  SummaryRecord,
  TurnRecord,
} from './types.js';

const INTERRUPTED_END_REASON = 'process ended mid-call';

/** The live calls an interruption sweep ends. */
type Orphans =
  /** Calls of an instance that stopped (this one, before a restart). */
  | { of: 'instance'; instanceId: string }
  /** Calls of any instance whose owner's heartbeat stopped before `olderThan`. */
  | { of: 'stale'; olderThan: Date };

/** The one condition per kind of orphan: the SQL is chosen here, never passed in. */
const ORPHAN_CONDITIONS: Record<Orphans['of'], string> = {
  instance: 'coalesce(c.owner_instance, c.instance_id) = $1',
  stale: 'coalesce(c.heartbeat_at, c.updated_at) < $1',
};

export interface CallStoreOptions {
  /** This process; written on rows that a turn or stream creates before the call itself is recorded. */
  instanceId: string;
}

/**
 * Calls, their turns and summaries, outbound requests and hand-offs, and the live feed's notices.
 * The jobs that follow a call are JobQueue's, but a call's ending enqueues them in the same
 * transaction. Never logs: rows hold transcripts and phone numbers.
 */
export class CallStore {
  readonly #client: SqlClient;
  readonly #instanceId: string;

  /** Does not own `client`. Run `migrate(client)` first. */
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
    await this.#client.transaction(async (tx) => {
      await this.#touchOrCreate(tx, callSid, undefined);
      await tx.query('UPDATE calls SET handoff = $2 WHERE call_sid = $1', [callSid, JSON.stringify(handoff)]);
    });
  }

  /**
   * This instance holds the call's media stream: it becomes the call's owner, unless another
   * instance already is. Returns whether this instance owns the call.
   */
  async claimCall(callSid: string, streamSid: string): Promise<boolean> {
    return this.#client.transaction(async (tx) => {
      await this.#touchOrCreate(tx, callSid, undefined);
      const rows = await tx.query<{ owner_instance: string }>(
        `UPDATE calls SET
           stream_sid = CASE WHEN owner_instance IS NULL OR owner_instance = $3 THEN $2 ELSE stream_sid END,
           heartbeat_at = CASE WHEN owner_instance IS NULL OR owner_instance = $3 THEN now() ELSE heartbeat_at END,
           owner_instance = coalesce(owner_instance, $3)
         WHERE call_sid = $1
         RETURNING owner_instance`,
        [callSid, streamSid, this.#instanceId],
      );
      return rows[0]?.owner_instance === this.#instanceId;
    });
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
   * generated and again when the caller cut it off).
   */
  async saveTurn(turn: TurnRecord): Promise<void> {
    await this.#client.transaction(async (tx) => {
      await this.#touchOrCreate(tx, turn.callSid, turn.at);
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
      await enqueueJobsInTransaction(tx, options.enqueue ?? [], [callSid]);
      return true;
    });
  }

  /**
   * After a restart: this instance's calls that were still in progress end as 'interrupted',
   * at their last turn (or now), each with the jobs in `enqueue`. Returns their CallSids.
   */
  markOrphanedCalls(instanceId: string, options: { enqueue: readonly string[] }): Promise<string[]> {
    return this.#interrupt({ of: 'instance', instanceId }, options.enqueue);
  }

  /** As `markOrphanedCalls`, for live calls of any instance whose owner's heartbeat stopped before `olderThan`. */
  markStaleCalls(olderThan: Date, options: { enqueue: readonly string[] }): Promise<string[]> {
    return this.#interrupt({ of: 'stale', olderThan }, options.enqueue);
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

  async getCall(callSid: string): Promise<CallDetail | undefined> {
    const [call] = await this.#client.query<CallDetailRow>(`SELECT ${CALL_DETAIL_COLUMNS} FROM calls WHERE call_sid = $1`, [callSid]);
    if (call === undefined) return undefined;
    const turns = await this.#client.query<TurnRow>(`SELECT ${TURN_COLUMNS} FROM turns WHERE call_sid = $1 ORDER BY seq`, [callSid]);
    const jobs = await this.#client.query<JobStatusRow>(`SELECT ${JOB_STATUS_COLUMNS} FROM jobs WHERE call_sid = $1 ORDER BY id`, [callSid]);
    const summaries = await this.#client.query<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM summaries WHERE call_sid = $1 ORDER BY created_at, id`,
      [callSid],
    );
    return toCallDetail(call, turns, jobs, summaries);
  }

  /** Newest first, a page at a time; see `listCallsStatement`. */
  async listCalls(query: ListCallsQuery = {}): Promise<ListCallsPage> {
    const statement = listCallsStatement(query);
    const rows = await this.#client.query<CallListRow>(statement.sql, statement.params);
    return toPage(rows, statement.pageSize);
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

  /**
   * Every write about a call counts as a sign of life (`updated_at`, which the stale sweep reads);
   * one that arrives before the call itself is recorded creates a minimal in-progress call rather
   * than being lost. `startedAt` undefined: the database's now.
   */
  async #touchOrCreate(tx: SqlTransaction, callSid: string, startedAt: Date | undefined): Promise<void> {
    await tx.query(
      `INSERT INTO calls (call_sid, status, started_at, instance_id)
       VALUES ($1, 'in-progress', coalesce($2::timestamptz, now()), $3)
       ON CONFLICT (call_sid) DO UPDATE SET updated_at = now()`,
      [callSid, startedAt ?? null, this.#instanceId],
    );
  }

  async #interrupt(orphans: Orphans, enqueue: readonly string[]): Promise<string[]> {
    const value = orphans.of === 'instance' ? orphans.instanceId : orphans.olderThan;
    return this.#client.transaction(async (tx) => {
      const rows = await tx.query<{ call_sid: string }>(
        `UPDATE calls c SET status = 'interrupted',
           ended_at = coalesce((SELECT max(t.at) FROM turns t WHERE t.call_sid = c.call_sid), now()),
           end_reason = $2, updated_at = now()
         WHERE c.status = 'in-progress' AND ${ORPHAN_CONDITIONS[orphans.of]}
         RETURNING c.call_sid`,
        [value, INTERRUPTED_END_REASON],
      );
      const callSids = rows.map((row) => row.call_sid);
      await enqueueJobsInTransaction(tx, enqueue, callSids);
      return callSids;
    });
  }
}
