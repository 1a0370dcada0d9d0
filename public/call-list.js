// @ts-check
// The list of calls: filters, pages, "Load more", and rows kept current by the live feed without
// losing the operator's place or focus.

import { guarded, listCalls } from './api.js';
import { fillRow, renderRow, tickRow } from './call-row.js';
import { byId } from './dom.js';
import { clearFilters, readFilters, watchFilters } from './list-filters.js';
import { insertionIndex, isFiltered, listItemAfter, listQuery, matchesFilters, pageLeavesGap, updatedCall } from './list-model.js';
import { addStatusOptions } from './status.js';

/** @typedef {import('./api.js').CallListItemJson} CallListItemJson */
/** @typedef {import('./api.js').CallListPageJson} CallListPageJson */
/** @typedef {import('./live-feed.js').LiveEvent} LiveEvent */
/** @typedef {{ call: CallListItemJson, li: HTMLLIElement }} Row */
/**
 * What the list shows while signed in.
 * @typedef {object} ListState
 * @property {Map<string, Row>} rows by CallSid, in list order
 * @property {string | null} nextCursor
 * @property {number} generation bumped by every filter change, so answers to older queries are dropped
 * @property {number} busy list requests in flight; live events wait for them so a slower answer cannot undo an event
 * @property {LiveEvent[]} held
 * @property {string | null} selected the CallSid open in the detail
 * @property {number} tickTimer
 */

const PAGE_SIZE = 50;
const FIRST_PAGE_MARK = 'callbridge:first-page';

const filters = byId('filters', HTMLFormElement);
const message = byId('list-message', HTMLElement);
const list = byId('call-list', HTMLOListElement);
const loadMoreButton = byId('load-more', HTMLButtonElement);

/** @type {ListState | null} */
let state = null;

/** Wires the list's controls; once per page load. */
export function initCallList() {
  addStatusOptions(byId('filter-status', HTMLSelectElement));
  watchFilters(filters, () => {
    if (state) guarded(resetList).catch(showListError);
  });
  loadMoreButton.addEventListener('click', () => guarded(loadMore).catch(showListError));
  list.addEventListener('keydown', moveFocus);
}

/** The query for the first page under the current filters. */
export function firstPageQuery() {
  return listQuery(readFilters(filters), { limit: PAGE_SIZE });
}

/**
 * Starts showing calls: `firstPage` when the caller already read it, else a fresh read.
 * @param {CallListPageJson} [firstPage]
 */
export async function startCallList(firstPage) {
  if (state) clearInterval(state.tickTimer);
  state = { rows: new Map(), nextCursor: null, generation: 0, busy: 0, held: [], selected: null, tickTimer: window.setInterval(tick, 1000) };
  if (firstPage) showFirstPage(state, firstPage);
  else await guarded(resetList).catch(showListError);
}

export function stopCallList() {
  if (state) {
    clearInterval(state.tickTimer);
    state = null;
  }
  clearFilters(filters);
  list.replaceChildren();
  loadMoreButton.hidden = true;
  message.textContent = '';
}

/**
 * Marks the row of the call open in the detail.
 * @param {string | null} callSid
 */
export function selectRow(callSid) {
  if (!state || state.selected === callSid) return;
  const previous = state.selected;
  state.selected = callSid;
  for (const sid of [previous, callSid]) {
    const row = sid === null ? undefined : state.rows.get(sid);
    if (row) fillRow(row.li, row.call, sid === callSid);
  }
}

/** @param {LiveEvent} event */
export function applyToList(event) {
  if (!state) return;
  if (state.busy > 0) {
    state.held.push(event);
    return;
  }
  const shown = state.rows.get(event.data.callSid)?.call;
  const call = listItemAfter(shown, event);
  if (call && (shown || matchesFilters(readFilters(filters), call))) upsertRow(state, call);
  if (event.kind === 'call') updateMessage(state);
}

/**
 * After the live feed was down: merges the newest page into what is shown, keeping the rows loaded
 * with "Load more" and keyboard focus. A gap (more new calls than a page) starts the list over.
 */
export function refreshCallList() {
  return guarded(() => fetchPage(null, mergeNewestPage)).catch(showListError);
}

/**
 * Fetches a page and hands it to `show` unless the filters changed meanwhile. Live events that
 * arrive during the request are held until after `show`, so an older page cannot undo them.
 * @param {string | null} cursor
 * @param {(current: ListState, page: CallListPageJson) => void} show
 */
async function fetchPage(cursor, show) {
  const current = state;
  if (!current) return;
  const generation = current.generation;
  current.busy++;
  try {
    const page = await listCalls(listQuery(readFilters(filters), { limit: PAGE_SIZE, cursor }));
    if (state === current && current.generation === generation) show(current, page);
  } finally {
    current.busy--;
    if (current.busy === 0 && state === current) for (const event of current.held.splice(0)) applyToList(event);
  }
}

async function resetList() {
  if (!state) return;
  state.generation++;
  message.textContent = 'Loading calls…';
  await fetchPage(null, showFirstPage);
}

/**
 * @param {ListState} current
 * @param {CallListPageJson} page
 */
function showFirstPage(current, page) {
  current.rows.clear();
  list.replaceChildren();
  appendPage(current, page);
  // For the benchmark of navigation to first page; one mark per page load.
  if (performance.getEntriesByName(FIRST_PAGE_MARK).length === 0) performance.mark(FIRST_PAGE_MARK);
}

/**
 * @param {ListState} current
 * @param {CallListPageJson} page
 */
function appendPage(current, page) {
  for (const call of page.calls) upsertRow(current, call, { append: true });
  setNextCursor(current, page.nextCursor);
  updateMessage(current);
}

async function loadMore() {
  if (!state?.nextCursor) return;
  loadMoreButton.disabled = true;
  try {
    await fetchPage(state.nextCursor, appendPage);
  } finally {
    loadMoreButton.disabled = false;
  }
}

/**
 * @param {ListState} current
 * @param {CallListPageJson} page
 */
function mergeNewestPage(current, page) {
  if (pageLeavesGap(page, current.rows.values().next().value?.call)) {
    showFirstPage(current, page);
    return;
  }
  for (const call of page.calls) upsertRow(current, call);
  if (current.rows.size === page.calls.length) setNextCursor(current, page.nextCursor);
  updateMessage(current);
}

/**
 * @param {ListState} current
 * @param {string | null} cursor
 */
function setNextCursor(current, cursor) {
  current.nextCursor = cursor;
  loadMoreButton.hidden = cursor === null;
}

/** @param {ListState} current */
function updateMessage(current) {
  if (current.rows.size > 0) message.textContent = '';
  else message.textContent = isFiltered(readFilters(filters)) ? 'No calls match these filters.' : 'No calls yet.';
}

/** @param {Error} error */
function showListError(error) {
  message.textContent = `Cannot load calls: ${error.message}`;
}

/**
 * Updates a shown call in place, or inserts it where the API's order puts it; `append` is for pages
 * read in order.
 * @param {ListState} current
 * @param {CallListItemJson} call
 * @param {{ append?: boolean }} [how]
 */
function upsertRow(current, call, { append = false } = {}) {
  const existing = current.rows.get(call.callSid);
  const selected = current.selected === call.callSid;
  if (existing) {
    existing.call = updatedCall(existing.call, call);
    fillRow(existing.li, existing.call, selected);
    return;
  }
  if (append) {
    const li = renderRow(call, selected);
    list.append(li);
    current.rows.set(call.callSid, { call, li });
    return;
  }
  const entries = [...current.rows.entries()];
  const index = insertionIndex(entries.map(([, row]) => row.call), call, current.nextCursor !== null);
  if (index === null) return;
  const li = renderRow(call, selected);
  list.insertBefore(li, entries[index]?.[1].li ?? null);
  // Map order follows the DOM, so that "newest shown" is the first entry.
  entries.splice(index, 0, [call.callSid, { call, li }]);
  current.rows = new Map(entries);
}

/**
 * Up and down arrows walk the rows; Enter opens one (it is a link).
 * @param {KeyboardEvent} event
 */
function moveFocus(event) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const links = [...list.querySelectorAll('a.row-link')];
  const index = links.findIndex((link) => link === document.activeElement);
  if (index === -1) return;
  const next = links[index + (event.key === 'ArrowDown' ? 1 : -1)];
  if (next instanceof HTMLElement) {
    event.preventDefault();
    next.focus();
  }
}

function tick() {
  for (const { call, li } of state?.rows.values() ?? []) tickRow(li, call);
}
