import { describe, expect, it } from 'vitest';
import {
  compareCalls,
  dayStart,
  insertionIndex,
  isFiltered,
  listItemAfter,
  listQuery,
  matchesFilters,
  pageLeavesGap,
  updatedCall,
} from '../../../public/list-model.js';
import type { CallListItemJson } from '../../../src/http/api-types.js';

const NO_FILTERS = { status: '', q: '', since: '', until: '' };

const call = (callSid: string, startedAt: string, fields: Partial<CallListItemJson> = {}): CallListItemJson => ({
  callSid,
  status: 'completed',
  startedAt,
  endedAt: null,
  from: '+14155550100',
  to: '+15005550006',
  direction: 'inbound',
  durationMs: 10_000,
  summary: null,
  ...fields,
});

/** A local time on 1 May 2024, as the browser's calendar days are local. */
const mayFirst = (hours: number, minutes = 0) => new Date(2024, 4, 1, hours, minutes).toISOString();

describe('the call list as the API is asked for it', () => {
  it('asks for a page under the filters, "To" including the whole of its local day', () => {
    const query = listQuery({ status: 'failed', q: 'refund', since: '2024-05-01', until: '2024-05-03' }, { limit: 50, cursor: 'abc' });
    expect(Object.fromEntries(query)).toEqual({
      limit: '50',
      cursor: 'abc',
      status: 'failed',
      q: 'refund',
      since: new Date(2024, 4, 1).toISOString(),
      until: new Date(2024, 4, 4).toISOString(),
    });
    expect(Object.fromEntries(listQuery(NO_FILTERS, { limit: 50 }))).toEqual({ limit: '50' });
  });

  it('starts a day at local midnight and counts days over a month end', () => {
    expect(dayStart('2024-05-31', 1)).toEqual(new Date(2024, 5, 1));
  });

  it('knows when any filter is set', () => {
    expect(isFiltered(NO_FILTERS)).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, until: '2024-05-01' })).toBe(true);
  });
});

describe('live calls under the filters', () => {
  const live = call('CA01', mayFirst(12), { status: 'in-progress' });

  it('lists an announced call unless status or days rule it out', () => {
    expect(matchesFilters(NO_FILTERS, live)).toBe(true);
    expect(matchesFilters({ ...NO_FILTERS, status: 'in-progress' }, live)).toBe(true);
    expect(matchesFilters({ ...NO_FILTERS, status: 'completed' }, live)).toBe(false);
    expect(matchesFilters({ ...NO_FILTERS, since: '2024-05-01', until: '2024-05-01' }, live)).toBe(true);
    expect(matchesFilters({ ...NO_FILTERS, since: '2024-05-02' }, live)).toBe(false);
    expect(matchesFilters({ ...NO_FILTERS, until: '2024-04-30' }, live)).toBe(false);
  });

  it('keeps an announced call out of a searched list: the search needs words it does not carry', () => {
    expect(matchesFilters({ ...NO_FILTERS, q: 'order' }, live)).toBe(false);
  });
});

describe('the order of the list', () => {
  const newest = call('CA03', mayFirst(12));
  const middle = call('CA02', mayFirst(11));
  const oldest = call('CA01', mayFirst(10));

  it('puts newer calls first and, starting together, the greater CallSid first, as the API pages', () => {
    expect([oldest, newest, middle].sort(compareCalls)).toEqual([newest, middle, oldest]);
    const twin = call('CA09', middle.startedAt);
    expect([middle, twin].sort(compareCalls)).toEqual([twin, middle]);
  });

  it('inserts a call where that order puts it', () => {
    expect(insertionIndex([newest, oldest], middle, false)).toBe(1);
    expect(insertionIndex([middle, oldest], newest, true)).toBe(0);
    expect(insertionIndex([newest, middle], oldest, false)).toBe(2);
  });

  it('leaves a call older than all loaded to "Load more" while more pages remain', () => {
    expect(insertionIndex([newest, middle], oldest, true)).toBeNull();
  });

  it('sees a gap when the newest page, with more after it, does not reach back to the newest call shown', () => {
    expect(pageLeavesGap({ calls: [newest, middle], nextCursor: 'next' }, oldest)).toBe(true);
    expect(pageLeavesGap({ calls: [newest, middle], nextCursor: null }, oldest)).toBe(false);
    expect(pageLeavesGap({ calls: [newest, middle], nextCursor: 'next' }, middle)).toBe(false);
    expect(pageLeavesGap({ calls: [newest, middle], nextCursor: 'next' }, undefined)).toBe(false);
  });
});

describe('live events in the list', () => {
  const startedAt = mayFirst(9);
  const shown = call('CA01', startedAt, { status: 'in-progress', durationMs: null });

  it('turns an announced call into an in-progress row, once', () => {
    const event = { kind: 'call', data: { callSid: 'CA07', status: 'in-progress', startedAt, from: null, to: '+15005550006', direction: 'outbound' } } as const;
    expect(listItemAfter(undefined, event)).toEqual({
      callSid: 'CA07',
      status: 'in-progress',
      startedAt,
      endedAt: null,
      from: null,
      to: '+15005550006',
      direction: 'outbound',
      durationMs: null,
      summary: null,
    });
    expect(listItemAfter(shown, { ...event, data: { ...event.data, callSid: 'CA01' } })).toBeNull();
  });

  it('ends and summarizes a row shown, and ignores calls not shown and turns', () => {
    const endedAt = new Date(Date.parse(startedAt) + 90_000).toISOString();
    const ending = { kind: 'call-ended', data: { callSid: 'CA01', status: 'failed', endedAt, endReason: 'model unavailable' } } as const;
    expect(listItemAfter(shown, ending)).toEqual({ ...shown, status: 'failed', endedAt, durationMs: 90_000 });
    expect(listItemAfter(undefined, ending)).toBeNull();
    const summary = { kind: 'summary', data: { callSid: 'CA01', text: 'Asked about an order.', language: 'en', content: {} } } as const;
    expect(listItemAfter(shown, summary)).toEqual({ ...shown, summary: 'Asked about an order.' });
    const turn = { kind: 'turn', data: { callSid: 'CA01', seq: 1, role: 'user', itemId: 'i', text: 'hi', heardText: 'hi', interrupted: false, at: startedAt } } as const;
    expect(listItemAfter(shown, turn)).toBeNull();
  });

  it('keeps a row ended when a later page still has the call in progress', () => {
    const ended = { ...shown, status: 'completed' as const, endedAt: mayFirst(9, 2), durationMs: 120_000 };
    expect(updatedCall(ended, { ...shown, summary: 'Asked about an order.' })).toMatchObject({ status: 'completed', durationMs: 120_000, summary: 'Asked about an order.' });
  });
});
