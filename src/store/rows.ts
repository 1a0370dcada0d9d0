import { StoreError } from '../errors.js';
import type { BotTiming, CallerTiming } from '../conversation/transcript.js';
import type { CallDirection, CallListItem, CallStatus, CallSummaryView, HandoffRecord, SummaryKind, TokenUsage, ToolCallView, TurnRecord } from './types.js';

/* The store's rows as the database returns them, and the one place they become domain objects. */

export interface CallRow {
  call_sid: string;
  stream_sid: string | null;
  from_number: string | null;
  to_number: string | null;
  direction: CallDirection;
  status: CallStatus;
  started_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
  language: string | null;
  usage: TokenUsage | null;
  figures: Record<string, number | null> | null;
  handoff: HandoffRecord | null;
}

export type CallListRow = Pick<CallRow, 'call_sid' | 'status' | 'started_at' | 'ended_at' | 'from_number' | 'to_number' | 'direction'> & {
  summary: string | null;
};

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

export interface JobRow {
  /** bigint: a number from PGlite, a string from `pg`. */
  id: number | string;
  kind: string;
  call_sid: string;
  payload: Record<string, unknown>;
  attempts: number;
}

export const CALL_LIST_COLUMNS = 'c.call_sid, c.status, c.started_at, c.ended_at, c.from_number, c.to_number, c.direction';
export const TURN_COLUMNS = 'call_sid, seq, role, item_id, text, heard_text, interrupted, at, keys, tool, timing';
export const SUMMARY_COLUMNS = 'kind, content, text, language, model, created_at';

export function json(value: object | undefined): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** Makes `%`, `_` and `\` match themselves; backslash is LIKE's default escape character. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

export function encodeCursor(startedAt: Date, callSid: string): string {
  return Buffer.from(JSON.stringify([startedAt.toISOString(), callSid])).toString('base64url');
}

export function decodeCursor(cursor: string): { startedAt: Date; callSid: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // What encodeCursor writes and PostgreSQL can take: an ISO instant in years 1-9999, a call SID without NUL.
    const iso = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    if (
      Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' &&
      iso.test(value[0]) && !value[1].includes('\0')
    ) {
      const startedAt = new Date(value[0]);
      if (!Number.isNaN(startedAt.getTime())) return { startedAt, callSid: value[1] };
    }
  } catch {
    // Not JSON: reported below like any other malformed cursor.
  }
  throw new StoreError('store_invalid_cursor', 'the list cursor is malformed');
}

export function durationMs(startedAt: Date, endedAt: Date | null): number | null {
  return endedAt === null ? null : endedAt.getTime() - startedAt.getTime();
}

export function toListItem(row: CallListRow): CallListItem {
  return {
    callSid: row.call_sid,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    from: row.from_number,
    to: row.to_number,
    direction: row.direction,
    durationMs: durationMs(row.started_at, row.ended_at),
    summary: row.summary,
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

export function toSummaryView(row: SummaryRow): CallSummaryView {
  return {
    kind: row.kind,
    text: row.text,
    language: row.language,
    content: row.content,
    model: row.model,
    createdAt: row.created_at,
  };
}
