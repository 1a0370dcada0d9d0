import { StoreError } from '../errors.js';
import { CALL_RECORD_COLUMNS, toListItem, type CallListRow } from './rows.js';
import type { ListCallsPage, ListCallsQuery } from './types.js';

/* The call list's query and its cursor: pure, so that paging and filtering are tested without a database. */

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

export interface ListCallsStatement {
  sql: string;
  params: unknown[];
  /** The page size asked for, clamped to 1-200; the statement selects one row more. */
  pageSize: number;
}

/**
 * Newest first, a page at a time, walking the (started_at, call_sid) index; only a text query `q`
 * looks into turns and summaries. Each row carries the text of the call's latest post-call summary.
 * Throws StoreError `store_invalid_cursor` for a cursor that `toPage` did not write.
 */
export function listCallsStatement(query: ListCallsQuery): ListCallsStatement {
  const pageSize = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
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
  const sql = `WITH page AS (
       SELECT ${CALL_RECORD_COLUMNS} FROM calls c
       ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY c.started_at DESC, c.call_sid DESC
       LIMIT ${param(pageSize + 1)}
     )
     SELECT page.*, latest.text AS summary
     FROM page
     LEFT JOIN LATERAL (
       SELECT s.text FROM summaries s
       WHERE s.call_sid = page.call_sid AND s.kind = 'post-call'
       ORDER BY s.created_at DESC, s.id DESC LIMIT 1
     ) latest ON true
     ORDER BY page.started_at DESC, page.call_sid DESC`;
  return { sql, params, pageSize };
}

/** The page in `rows`, the result of a `listCallsStatement` of `pageSize`. */
export function toPage(rows: CallListRow[], pageSize: number): ListCallsPage {
  const calls = rows.slice(0, pageSize).map(toListItem);
  const last = calls.at(-1);
  return { calls, nextCursor: rows.length > pageSize && last ? encodeCursor(last.startedAt, last.callSid) : null };
}

/** Makes `%`, `_` and `\` match themselves; backslash is LIKE's default escape character. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

function encodeCursor(startedAt: Date, callSid: string): string {
  return Buffer.from(JSON.stringify([startedAt.toISOString(), callSid])).toString('base64url');
}

function decodeCursor(cursor: string): { startedAt: Date; callSid: string } {
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
