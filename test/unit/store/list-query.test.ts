import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../src/errors.js';
import { listCallsStatement, toPage } from '../../../src/store/list-query.js';
import type { CallListRow } from '../../../src/store/rows.js';

const startedAt = new Date('2025-03-01T10:00:00.000Z');

function row(callSid: string, minutes = 0): CallListRow {
  return {
    call_sid: callSid,
    status: 'completed',
    started_at: new Date(startedAt.getTime() - minutes * 60_000),
    ended_at: new Date(startedAt.getTime() - minutes * 60_000 + 90_000),
    from_number: '+15550001',
    to_number: null,
    direction: 'inbound',
    summary: 'asked about hours',
  };
}

/** The cursor that the page ending at `callSid` hands out. */
function cursorAfter(callSid: string, minutes = 0): string {
  return toPage([row(callSid, minutes), row('CAnext', minutes + 1)], 1).nextCursor!;
}

describe('listCallsStatement', () => {
  it('asks for one row beyond a page of 50 by default, with no filters', () => {
    const statement = listCallsStatement({});
    expect(statement.pageSize).toBe(50);
    expect(statement.params).toEqual([51]);
    expect(statement.sql).toMatch(/FROM calls c\s+ORDER BY/);
  });

  it('clamps the page size to 1-200 and drops fractions', () => {
    expect(listCallsStatement({ limit: 1000 }).pageSize).toBe(200);
    expect(listCallsStatement({ limit: 0 }).pageSize).toBe(1);
    expect(listCallsStatement({ limit: -5 }).pageSize).toBe(1);
    expect(listCallsStatement({ limit: 7.9 }).pageSize).toBe(7);
  });

  it('binds every filter as a parameter, in the order of its placeholders', () => {
    const since = new Date('2025-03-01T00:00:00Z');
    const until = new Date('2025-03-02T00:00:00Z');
    const statement = listCallsStatement({ cursor: cursorAfter('CA7'), status: 'failed', since, until, q: 'refund', limit: 10 });
    expect(statement.params).toEqual([startedAt, 'CA7', 'failed', since, until, '%refund%', 11]);
    for (const placeholder of ['$1', '$2', '$3', '$4', '$5', '$6', '$7']) expect(statement.sql).toContain(placeholder);
    expect(statement.sql).not.toContain('$8');
  });

  it('takes LIKE wildcards in the text query literally and ignores a blank one', () => {
    expect(listCallsStatement({ q: ' 100%_off\\ ' }).params).toEqual(['%100\\%\\_off\\\\%', 51]);
    const blank = listCallsStatement({ q: '   ' });
    expect(blank.params).toEqual([51]);
    expect(blank.sql).not.toContain('ILIKE');
  });

  it('refuses cursors it did not write', () => {
    const forged = [
      'not a cursor',
      Buffer.from('["yesterday","CA1"]').toString('base64url'),
      Buffer.from('["0000-01-01T00:00:00.000Z","CA1"]').toString('base64url'),
      Buffer.from('["2025-03-01T10:00:00.000Z","CA\\u0000"]').toString('base64url'),
      Buffer.from('["2025-03-01T10:00:00.000Z"]').toString('base64url'),
    ];
    for (const cursor of forged) {
      expect(() => listCallsStatement({ cursor })).toThrow(StoreError);
      expect(() => listCallsStatement({ cursor })).toThrow(expect.objectContaining({ code: 'store_invalid_cursor' }));
    }
  });
});

describe('toPage', () => {
  it('maps rows to list items and has no cursor on the last page', () => {
    const page = toPage([row('CA2'), row('CA1', 5)], 2);
    expect(page.nextCursor).toBeNull();
    expect(page.calls[0]).toEqual({
      callSid: 'CA2',
      status: 'completed',
      startedAt,
      endedAt: new Date(startedAt.getTime() + 90_000),
      from: '+15550001',
      to: null,
      direction: 'inbound',
      durationMs: 90_000,
      summary: 'asked about hours',
    });
  });

  it('drops the extra row and hands out a cursor that continues after the last call shown', () => {
    const page = toPage([row('CA3'), row('CA2', 1), row('CA1', 2)], 2);
    expect(page.calls.map((call) => call.callSid)).toEqual(['CA3', 'CA2']);
    const next = listCallsStatement({ cursor: page.nextCursor! });
    expect(next.params.slice(0, 2)).toEqual([new Date(startedAt.getTime() - 60_000), 'CA2']);
  });
});
