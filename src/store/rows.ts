import type { BotTiming, CallerTiming } from '../conversation/transcript.js';
import type {
  CallDetail,
  CallDirection,
  CallListItem,
  CallRecord,
  CallStatus,
  CallSummaryView,
  HandoffRecord,
  SummaryKind,
  TokenUsage,
  ToolCallView,
  TurnRecord,
} from './types.js';

/* The store's rows as the database returns them, the columns that fill them, and the one place they become domain objects. */

/** The columns of a CallRecord, for every query that reads calls. */
export const CALL_RECORD_COLUMNS = 'call_sid, status, started_at, ended_at, from_number, to_number, direction';
export const CALL_DETAIL_COLUMNS = `${CALL_RECORD_COLUMNS}, stream_sid, end_reason, language, usage, figures, handoff`;
export const TURN_COLUMNS = 'call_sid, seq, role, item_id, text, heard_text, interrupted, at, keys, tool, timing';
export const SUMMARY_COLUMNS = 'kind, content, text, language, model, created_at';
export const JOB_STATUS_COLUMNS = 'kind, attempts, last_error, done_at, dead_at';

export interface CallRecordRow {
  call_sid: string;
  status: CallStatus;
  started_at: Date;
  ended_at: Date | null;
  from_number: string | null;
  to_number: string | null;
  direction: CallDirection;
}

export interface CallDetailRow extends CallRecordRow {
  stream_sid: string | null;
  end_reason: string | null;
  language: string | null;
  usage: TokenUsage | null;
  figures: Record<string, number | null> | null;
  handoff: HandoffRecord | null;
}

export interface CallListRow extends CallRecordRow {
  summary: string | null;
}

export interface TurnRow {
  call_sid: string;
  seq: number;
  role: 'user' | 'assistant' | 'tool';
  item_id: string;
  text: string;
  heard_text: string;
  interrupted: boolean;
  at: Date;
  keys: string | null;
  tool: ToolCallView | null;
  timing: CallerTiming | BotTiming | null;
}

export interface SummaryRow {
  kind: SummaryKind;
  content: Record<string, unknown>;
  text: string;
  language: string | null;
  model: string;
  created_at: Date;
}

export interface JobStatusRow {
  kind: string;
  attempts: number;
  last_error: string | null;
  done_at: Date | null;
  dead_at: Date | null;
}

export interface JobRow {
  /** bigint: a number from PGlite, a string from `pg`. */
  id: number | string;
  kind: string;
  call_sid: string;
  payload: Record<string, unknown>;
  attempts: number;
}

export function json(value: object | undefined): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function toCallRecord(row: CallRecordRow): CallRecord {
  return {
    callSid: row.call_sid,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    from: row.from_number,
    to: row.to_number,
    direction: row.direction,
    durationMs: row.ended_at === null ? null : row.ended_at.getTime() - row.started_at.getTime(),
  };
}

export function toListItem(row: CallListRow): CallListItem {
  return { ...toCallRecord(row), summary: row.summary };
}

/** `turns` in seq order, `summaries` oldest first. */
export function toCallDetail(call: CallDetailRow, turns: TurnRow[], jobs: JobStatusRow[], summaries: SummaryRow[]): CallDetail {
  const views = summaries.map(toSummaryView);
  return {
    ...toCallRecord(call),
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
    summary: views.findLast((summary) => summary.kind === 'post-call') ?? null,
    inCallSummaries: views.filter((summary) => summary.kind === 'in-call'),
  };
}

export function toTurnRecord(row: TurnRow): TurnRecord {
  return {
    callSid: row.call_sid,
    seq: row.seq,
    role: row.role,
    itemId: row.item_id,
    text: row.text,
    heardText: row.heard_text,
    interrupted: row.interrupted,
    at: row.at,
    ...(row.keys !== null ? { keys: row.keys } : {}),
    ...(row.tool !== null ? { tool: row.tool } : {}),
    ...(row.timing !== null ? { timing: row.timing } : {}),
  };
}

function toSummaryView(row: SummaryRow): CallSummaryView {
  return {
    kind: row.kind,
    text: row.text,
    language: row.language,
    content: row.content,
    model: row.model,
    createdAt: row.created_at,
  };
}
