// @ts-check
// What the call list asks the API for and how it keeps its order as pages and live events arrive:
// pure functions, no DOM.

import { keepEnding, withEnding } from './call-model.js';

/** @typedef {import('./api.js').CallListItemJson} CallListItemJson */
/** @typedef {import('./api.js').CallListPageJson} CallListPageJson */
/** @typedef {import('./live-feed.js').LiveEvent} LiveEvent */
/**
 * The filter form's values: `since` and `until` are local calendar days (yyyy-mm-dd), empty when unset.
 * @typedef {{ status: string, q: string, since: string, until: string }} Filters
 */

/**
 * A local calendar day -> the instant it starts, so "To" includes the whole of its day.
 * @param {string} day
 * @param {number} [offsetDays]
 */
export function dayStart(day, offsetDays = 0) {
  const [year = NaN, month = NaN, date = NaN] = day.split('-').map(Number);
  return new Date(year, month - 1, date + offsetDays);
}

/**
 * @param {Filters} filters
 * @param {{ limit: number, cursor?: string | null }} page
 */
export function listQuery(filters, { limit, cursor }) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set('cursor', cursor);
  if (filters.status) query.set('status', filters.status);
  if (filters.q) query.set('q', filters.q);
  if (filters.since) query.set('since', dayStart(filters.since).toISOString());
  if (filters.until) query.set('until', dayStart(filters.until, 1).toISOString());
  return query;
}

/** @param {Filters} filters */
export function isFiltered(filters) {
  return Object.values(filters).some(Boolean);
}

/**
 * Whether a call just announced by the live feed belongs in the list as filtered. A search needs
 * the transcript, which an announcement lacks, so a searched list waits for the next query.
 * @param {Filters} filters
 * @param {CallListItemJson} call
 */
export function matchesFilters(filters, call) {
  if (filters.q) return false;
  if (filters.status && filters.status !== call.status) return false;
  const startedMs = new Date(call.startedAt).getTime();
  if (filters.since && startedMs < dayStart(filters.since).getTime()) return false;
  if (filters.until && startedMs >= dayStart(filters.until, 1).getTime()) return false;
  return true;
}

/**
 * Negative when `a` is listed above `b`: newest first, then by CallSid, as the API pages.
 * @param {CallListItemJson} a
 * @param {CallListItemJson} b
 */
export function compareCalls(a, b) {
  const byStart = new Date(b.startedAt).getTime() - new Date(a.startedAt).getTime();
  if (byStart !== 0) return byStart;
  return a.callSid < b.callSid ? 1 : a.callSid > b.callSid ? -1 : 0;
}

/**
 * Where a call not yet shown goes among `shown` (in list order), or null when it is older than
 * everything loaded while more pages remain: "Load more" brings it in its place.
 * @param {CallListItemJson[]} shown
 * @param {CallListItemJson} call
 * @param {boolean} morePages
 * @returns {number | null}
 */
export function insertionIndex(shown, call, morePages) {
  const index = shown.findIndex((other) => compareCalls(call, other) < 0);
  if (index !== -1) return index;
  return morePages ? null : shown.length;
}

/**
 * Whether the newest page, read after the live feed was down, fails to reach the newest call shown:
 * more calls came meanwhile than a page holds, and the list must start over.
 * @param {CallListPageJson} page
 * @param {CallListItemJson | undefined} newestShown
 */
export function pageLeavesGap(page, newestShown) {
  const oldest = page.calls.at(-1);
  return Boolean(page.nextCursor && oldest && newestShown && compareCalls(oldest, newestShown) < 0);
}

/**
 * A call shown again as a later read or event has it.
 * @param {CallListItemJson} known
 * @param {CallListItemJson} fresh
 */
export function updatedCall(known, fresh) {
  return keepEnding(known, { ...known, ...fresh });
}

/**
 * The list's row for a call after a live event, or null when the event changes nothing there.
 * `shown` is the row's call when it is listed.
 * @param {CallListItemJson | undefined} shown
 * @param {LiveEvent} event
 * @returns {CallListItemJson | null}
 */
export function listItemAfter(shown, event) {
  switch (event.kind) {
    case 'call': {
      // A row already shown came from the store, which knows at least as much as this announcement.
      if (shown) return null;
      const { callSid, status, startedAt, from, to, direction } = event.data;
      return { callSid, status, startedAt, endedAt: null, from, to, direction, durationMs: null, summary: null };
    }
    case 'call-ended':
      return shown ? withEnding(shown, event.data) : null;
    case 'summary':
      return shown ? { ...shown, summary: event.data.text } : null;
    default:
      return null;
  }
}
