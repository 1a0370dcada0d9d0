// The operator dashboard: plain DOM, no framework and no build step, so the CSP can stay at 'self'.
// Every piece of call data reaches the page through textContent or attributes, never as markup.

import { byId, h } from './dom.js';
import { asText, asTextList, durationOf, partyLabel, figureLabel, figureValue, firstLine, formatDuration, formatTime, keepEnding, numberFormat } from './format.js';
import { renderTimeline } from './timeline.js';
import { renderTurn } from './transcript.js';

const PAGE_SIZE = 50;
const SEARCH_DEBOUNCE_MS = 300;
const EVENTS_RETRY_MS = 3000;
/** How close to the bottom (px) still counts as "following" a live transcript. */
const FOLLOW_SLACK_PX = 48;

const STATUS_LABELS = {
  'in-progress': 'In progress',
  completed: 'Completed',
  failed: 'Failed',
  interrupted: 'Interrupted',
};
const LIVE_EVENTS = ['call', 'turn', 'turn-updated', 'call-ended', 'summary'];
const FIRST_PAGE_MARK = 'callbridge:first-page';

const el = {
  live: byId('live'),
  signOut: byId('sign-out'),
  signinView: byId('signin-view'),
  signinForm: byId('signin-form'),
  token: byId('token'),
  signinError: byId('signin-error'),
  appView: byId('app-view'),
  filters: byId('filters'),
  listMessage: byId('list-message'),
  list: byId('call-list'),
  loadMore: byId('load-more'),
  detail: byId('detail'),
};

class Unauthorized extends Error {}

/** Everything that lives only while signed in; replaced wholesale on sign-out. */
let session = null;

function newSession() {
  return {
    /** callSid -> { call, li } for every row shown, in list order in the DOM. */
    rows: new Map(),
    nextCursor: null,
    /** Bumped by every filter change, so answers to older queries are dropped. */
    generation: 0,
    /** List requests in flight; live events wait for them so a slower answer cannot undo an event. */
    listBusy: 0,
    listQueue: [],
    detail: null,
    events: null,
    /**
     * Events may have been missed: before the feed first opened (the list was read earlier) or
     * while it was down. Whatever happened meanwhile is fetched when it opens.
     */
    missedEvents: true,
    retryTimer: 0,
    tickTimer: 0,
    searchTimer: 0,
  };
}

async function api(path, init = {}) {
  const response = await fetch(path, { credentials: 'same-origin', ...init, headers: { accept: 'application/json', ...init.headers } });
  if (response.status === 401) throw new Unauthorized();
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new Error(typeof body?.error === 'string' ? `${body.error} (HTTP ${response.status})` : `HTTP ${response.status}`);
  }
  return response.status === 204 ? null : response.json();
}

/** Runs an API-backed action; a 401 anywhere means the session is gone. */
function guarded(action) {
  return action().catch((error) => {
    if (error instanceof Unauthorized) signedOut('Your session has ended. Sign in again.');
    else throw error;
  });
}

// ---------------------------------------------------------------- sign-in

async function signIn(event) {
  event.preventDefault();
  const button = el.signinForm.querySelector('button');
  button.disabled = true;
  el.signinError.textContent = '';
  let response;
  try {
    response = await fetch('/api/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: el.token.value }),
    });
  } catch {
    el.signinError.textContent = 'Cannot reach the server.';
    return;
  } finally {
    button.disabled = false;
  }
  if (response.status === 401) {
    el.signinError.textContent = 'That token is not valid.';
    el.token.select();
  } else if (!response.ok) {
    el.signinError.textContent = `Sign-in failed (HTTP ${response.status}).`;
  } else {
    el.token.value = '';
    await signedIn();
  }
}

async function signOut() {
  // Whether or not the server answers, this page forgets everything it showed.
  await fetch('/api/session', { method: 'DELETE', credentials: 'same-origin' }).catch(() => undefined);
  history.replaceState(null, '', location.pathname);
  signedOut('');
}

function signedOut(message) {
  if (session) {
    session.events?.close();
    clearTimeout(session.retryTimer);
    clearInterval(session.tickTimer);
    clearTimeout(session.searchTimer);
    session = null;
  }
  el.filters.reset();
  el.list.replaceChildren();
  el.loadMore.hidden = true;
  showPlaceholder('Select a call to read its transcript and summary.');
  el.listMessage.textContent = '';
  el.appView.hidden = true;
  el.signOut.hidden = true;
  el.live.hidden = true;
  el.signinView.hidden = false;
  el.signinError.textContent = message;
  el.token.focus();
}

/** Shows the app; the first page of calls is both the proof of a session and the first thing to show. */
async function signedIn(firstPage) {
  session = newSession();
  el.signinView.hidden = true;
  el.appView.hidden = false;
  el.signOut.hidden = false;
  el.live.hidden = false;
  session.tickTimer = setInterval(tick, 1000);
  if (firstPage) renderFirstPage(firstPage);
  else await guarded(resetList).catch(showListError);
  if (!session) return;
  connectEvents();
  openFromHash();
}

async function start() {
  el.signinForm.addEventListener('submit', signIn);
  el.signOut.addEventListener('click', signOut);
  el.filters.addEventListener('input', onFilterInput);
  el.filters.addEventListener('submit', (event) => {
    event.preventDefault();
    applyFilters();
  });
  el.loadMore.addEventListener('click', () => guarded(loadMore).catch(showListError));
  el.list.addEventListener('keydown', moveFocusInList);
  window.addEventListener('hashchange', openFromHash);
  try {
    await signedIn(await api(`/api/calls?${listParams().toString()}`));
  } catch (error) {
    signedOut(error instanceof Unauthorized ? '' : `Cannot load calls: ${error.message}`);
  }
}

// ---------------------------------------------------------------- call list

function filterValues() {
  const form = new FormData(el.filters);
  return {
    status: asText(form.get('status')),
    q: asText(form.get('q')).trim(),
    since: asText(form.get('since')),
    until: asText(form.get('until')),
  };
}

/** A local calendar day -> the instant it starts, so "To" includes the whole of its day. */
function dayStart(day, offsetDays = 0) {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year, month - 1, date + offsetDays);
}

function listParams(cursor) {
  const filters = filterValues();
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (cursor) params.set('cursor', cursor);
  if (filters.status) params.set('status', filters.status);
  if (filters.q) params.set('q', filters.q);
  if (filters.since) params.set('since', dayStart(filters.since).toISOString());
  if (filters.until) params.set('until', dayStart(filters.until, 1).toISOString());
  return params;
}

/** Whether a call just announced by the live feed belongs in the list as filtered. */
function matchesFilters(call) {
  const filters = filterValues();
  if (filters.q) return false;
  if (filters.status && filters.status !== call.status) return false;
  const startedMs = new Date(call.startedAt).getTime();
  if (filters.since && startedMs < dayStart(filters.since).getTime()) return false;
  if (filters.until && startedMs >= dayStart(filters.until, 1).getTime()) return false;
  return true;
}

/**
 * Fetches a page and hands it to `show` unless the filters changed meanwhile. Live events that
 * arrive during the request are held until after `show`, so an older page cannot undo them.
 */
async function fetchList(cursor, show) {
  const current = session;
  const generation = current.generation;
  current.listBusy++;
  try {
    const page = await api(`/api/calls?${listParams(cursor).toString()}`);
    if (session === current && current.generation === generation) show(page);
  } finally {
    current.listBusy--;
    if (current.listBusy === 0 && session === current) {
      for (const [kind, data] of current.listQueue.splice(0)) applyToList(kind, data);
    }
  }
}

async function resetList() {
  session.generation++;
  el.listMessage.textContent = 'Loading calls…';
  await fetchList(undefined, renderFirstPage);
}

function renderFirstPage(page) {
  session.rows.clear();
  el.list.replaceChildren();
  appendPage(page);
  // For the benchmark of navigation to first page; one mark per page load.
  if (performance.getEntriesByName(FIRST_PAGE_MARK).length === 0) performance.mark(FIRST_PAGE_MARK);
}

function appendPage(page) {
  for (const call of page.calls) upsertRow(call, { append: true });
  session.nextCursor = page.nextCursor;
  el.loadMore.hidden = page.nextCursor === null;
  updateListMessage();
}

async function loadMore() {
  if (!session.nextCursor) return;
  el.loadMore.disabled = true;
  try {
    await fetchList(session.nextCursor, appendPage);
  } finally {
    el.loadMore.disabled = false;
  }
}

/**
 * After the live feed was down: merges the newest page into what is shown, keeping the rows loaded
 * with "Load more" and keyboard focus. A gap (more new calls than a page) starts the list over.
 */
function refreshList() {
  return fetchList(undefined, mergeNewestPage);
}

function mergeNewestPage(page) {
  const oldest = page.calls.at(-1);
  const newestShown = session.rows.values().next().value?.call;
  if (page.nextCursor && oldest && newestShown && compareCalls(oldest, newestShown) < 0) {
    renderFirstPage(page);
    return;
  }
  for (const call of page.calls) upsertRow(call);
  if (session.rows.size === page.calls.length) {
    session.nextCursor = page.nextCursor;
    el.loadMore.hidden = page.nextCursor === null;
  }
  updateListMessage();
}

function updateListMessage() {
  if (session.rows.size > 0) el.listMessage.textContent = '';
  else el.listMessage.textContent = Object.values(filterValues()).some(Boolean) ? 'No calls match these filters.' : 'No calls yet.';
}

function showListError(error) {
  el.listMessage.textContent = `Cannot load calls: ${error.message}`;
}

/** Negative when `a` is listed above `b`: newest first, then by CallSid, as the API pages. */
function compareCalls(a, b) {
  const byStart = new Date(b.startedAt).getTime() - new Date(a.startedAt).getTime();
  if (byStart !== 0) return byStart;
  return a.callSid < b.callSid ? 1 : a.callSid > b.callSid ? -1 : 0;
}

/**
 * Updates a shown call in place, or inserts it where the API's order puts it. `append` is for pages
 * read in order. A call older than everything loaded waits for "Load more" instead.
 */
function upsertRow(call, { append = false } = {}) {
  const existing = session.rows.get(call.callSid);
  if (existing) {
    existing.call = keepEnding(existing.call, { ...existing.call, ...call });
    fillRow(existing.li, existing.call);
    return;
  }
  const li = h('li', { 'data-testid': 'call-row', 'data-call-sid': call.callSid });
  const row = { call, li };
  fillRow(li, call);
  if (append) {
    el.list.append(li);
    session.rows.set(call.callSid, row);
    return;
  }
  const before = [...session.rows.values()].find((other) => compareCalls(call, other.call) < 0);
  if (!before && session.nextCursor) return;
  el.list.insertBefore(li, before?.li ?? null);
  // Map order follows the DOM so that "newest shown" is the first entry.
  const entries = [...session.rows.entries()];
  const index = before ? entries.findIndex(([, other]) => other === before) : entries.length;
  entries.splice(index, 0, [call.callSid, row]);
  session.rows = new Map(entries);
}

function fillRow(li, call) {
  li.dataset.status = call.status;
  const selected = session.detail?.callSid === call.callSid;
  const summary = firstLine(call.summary);
  const link = h(
    'a',
    { href: `#call=${encodeURIComponent(call.callSid)}`, class: 'row-link', 'aria-current': selected ? 'true' : null },
    statusBadge(call.status),
    h('span', { class: 'caller', 'data-testid': 'caller' }, partyLabel(call)),
    h('time', { class: 'started', datetime: call.startedAt }, formatTime(call.startedAt)),
    h('span', { class: 'duration', 'data-testid': 'duration' }, formatDuration(durationOf(call))),
    h(
      'span',
      { class: summary ? 'synopsis' : 'synopsis muted', 'data-testid': 'row-summary' },
      summary || (call.status === 'in-progress' ? 'Call in progress' : 'No summary yet'),
    ),
  );
  const old = li.firstElementChild;
  // Keep the same link element when it has focus, so refreshing a row never throws focus away.
  if (old && old === document.activeElement) {
    old.replaceChildren(...link.childNodes);
    for (const name of ['href', 'aria-current']) {
      if (link.hasAttribute(name)) old.setAttribute(name, link.getAttribute(name));
      else old.removeAttribute(name);
    }
  } else {
    li.replaceChildren(link);
  }
}

function statusBadge(status, testId = 'status') {
  return h('span', { class: `badge status-${status}`, 'data-testid': testId, 'data-status': status }, STATUS_LABELS[status] ?? status);
}

function onFilterInput(event) {
  clearTimeout(session.searchTimer);
  if (event.target.name === 'q') session.searchTimer = setTimeout(applyFilters, SEARCH_DEBOUNCE_MS);
  else applyFilters();
}

function applyFilters() {
  clearTimeout(session.searchTimer);
  guarded(resetList).catch(showListError);
}

/** Up and down arrows walk the rows; Enter opens one (it is a link). */
function moveFocusInList(event) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const links = [...el.list.querySelectorAll('a.row-link')];
  const index = links.indexOf(document.activeElement);
  if (index === -1) return;
  const next = links[index + (event.key === 'ArrowDown' ? 1 : -1)];
  if (next) {
    event.preventDefault();
    next.focus();
  }
}

function tick() {
  if (!session) return;
  for (const { call, li } of session.rows.values()) {
    if (call.status === 'in-progress') li.querySelector('[data-testid="duration"]').textContent = formatDuration(durationOf(call));
  }
  const detail = session.detail;
  if (detail?.call?.status === 'in-progress') detail.parts.duration.textContent = formatDuration(durationOf(detail.call));
}

// ---------------------------------------------------------------- call detail

function openFromHash() {
  if (!session) return;
  const match = /^#call=(.+)$/.exec(location.hash);
  const callSid = match ? decodeURIComponent(match[1]) : null;
  const previous = session.detail?.callSid ?? null;
  if (callSid === previous) return;
  session.detail = callSid ? { callSid, call: null, loading: 0, queue: [], parts: null, turns: new Map() } : null;
  for (const sid of [previous, callSid]) {
    const row = sid && session.rows.get(sid);
    if (row) fillRow(row.li, row.call);
  }
  if (!callSid) {
    showPlaceholder('Select a call to read its transcript and summary.');
    return;
  }
  showPlaceholder('Loading call…');
  guarded(() => loadDetail(session.detail)).catch((error) => {
    if (session?.detail?.callSid === callSid) el.detail.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Cannot load this call: ${error.message}`));
  });
}

function showPlaceholder(text) {
  el.detail.replaceChildren(h('p', { class: 'placeholder' }, text));
}

/** Fetches the call and merges it into the view; live events meanwhile wait, then apply on top. */
async function loadDetail(detail) {
  detail.loading++;
  try {
    const call = await api(`/api/calls/${encodeURIComponent(detail.callSid)}`);
    if (session?.detail !== detail) return;
    if (!detail.parts) renderDetail(detail);
    detail.call = detail.call ? keepEnding(detail.call, call) : call;
    for (const turn of call.turns) upsertTurn(detail, turn);
    updateDetail(detail);
  } finally {
    detail.loading--;
    if (detail.loading === 0) {
      for (const [kind, data] of detail.queue.splice(0)) if (session?.detail === detail) applyToDetail(detail, kind, data);
    }
  }
}

function renderDetail(detail) {
  const parts = {
    heading: h('h2', { 'data-testid': 'detail-caller' }),
    status: h('span'),
    started: h('time'),
    duration: h('span', { 'data-testid': 'detail-duration' }),
    transcript: h('ol', { class: 'transcript', role: 'log', 'aria-label': 'Transcript', 'data-testid': 'transcript' }),
    emptyTranscript: h('p', { class: 'muted' }, 'Nothing said yet.'),
    timeline: h('section', { class: 'call-timeline', 'aria-labelledby': 'timeline-title', 'data-testid': 'timeline-section', hidden: true }),
    summary: h('div', { 'data-testid': 'summary' }),
    handoff: h('section', { class: 'handoff', 'aria-labelledby': 'handoff-title', 'data-testid': 'handoff', hidden: true }),
    facts: h('dl', { class: 'facts', 'data-testid': 'call-facts' }),
  };
  detail.parts = parts;
  el.detail.replaceChildren(
    h(
      'header',
      { class: 'detail-head' },
      parts.heading,
      h('p', { class: 'meta' }, parts.status, ' ', parts.started, ' · ', parts.duration),
    ),
    h(
      'div',
      { class: 'detail-body' },
      h(
        'div',
        { class: 'conversation' },
        parts.handoff,
        parts.timeline,
        h('section', { 'aria-labelledby': 'summary-title', class: 'summary' }, h('h3', { id: 'summary-title' }, 'Summary'), parts.summary),
        h('section', { 'aria-labelledby': 'transcript-title' }, h('h3', { id: 'transcript-title' }, 'Transcript'), parts.emptyTranscript, parts.transcript),
      ),
      h('aside', { class: 'side', 'aria-labelledby': 'facts-title' }, h('h3', { id: 'facts-title' }, 'Call'), parts.facts),
    ),
  );
}

function updateDetail(detail) {
  const { call, parts } = detail;
  parts.heading.textContent = partyLabel(call);
  parts.status.replaceChildren(statusBadge(call.status, 'detail-status'));
  parts.started.dateTime = call.startedAt;
  parts.started.textContent = formatTime(call.startedAt);
  parts.duration.textContent = formatDuration(durationOf(call));
  parts.emptyTranscript.hidden = detail.turns.size > 0;
  renderHandoff(parts.handoff, call.handoff);
  renderSummary(parts.summary, call);
  renderFacts(parts.facts, call);
}

/** A warm transfer: why the bot passed the caller on, and the brief the person heard first. */
function renderHandoff(container, handoff) {
  container.hidden = !handoff;
  if (!handoff) {
    container.replaceChildren();
    return;
  }
  container.replaceChildren(
    h('h3', { id: 'handoff-title' }, 'Transferred to a person'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Reason'),
      h('dd', { 'data-testid': 'handoff-reason' }, asText(handoff.reason) || '—'),
      h('dt', {}, 'What the person heard'),
      h('dd', {}, h('blockquote', { class: 'whisper', 'data-testid': 'handoff-whisper' }, asText(handoff.whisper) || '—')),
    ),
  );
}

function renderSummary(container, call) {
  const summary = call.summary;
  if (!summary) {
    const note = call.status === 'in-progress' ? 'Written when the call ends.' : 'Being written…';
    container.replaceChildren(h('p', { class: 'muted', 'data-testid': 'summary-pending' }, note));
    return;
  }
  const list = (items, testId) =>
    items.length > 0 ? h('ul', { 'data-testid': testId }, ...items.map((item) => h('li', {}, item))) : h('p', { class: 'muted', 'data-testid': testId }, 'None');
  container.replaceChildren(
    h('p', { class: 'synopsis-text', 'data-testid': 'summary-synopsis' }, asText(summary.synopsis) || asText(summary.text)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Intent'),
      h('dd', { 'data-testid': 'summary-intent' }, asText(summary.intent) || '—'),
      h('dt', {}, 'Outcome'),
      h('dd', { 'data-testid': 'summary-outcome' }, asText(summary.outcome) || '—'),
      h('dt', {}, 'Sentiment'),
      h('dd', { 'data-testid': 'summary-sentiment' }, asText(summary.sentiment) || '—'),
      h('dt', {}, 'Language'),
      h('dd', { 'data-testid': 'summary-language' }, asText(summary.language) || '—'),
    ),
    h('h4', {}, 'Action items'),
    list(asTextList(summary.actionItems), 'summary-actions'),
    h('h4', {}, 'Key facts'),
    list(asTextList(summary.keyFacts), 'summary-facts'),
  );
}

function renderFacts(container, call) {
  const rows = [
    ['Call SID', call.callSid],
    ['To', call.to ?? '—'],
    ['Ended', call.endedAt ? formatTime(call.endedAt) : '—'],
    ['End reason', call.endReason ?? '—', 'end-reason'],
    ['Language', call.language ?? '—'],
  ];
  if (call.usage) {
    const { inputTokens, outputTokens, totalTokens } = call.usage;
    rows.push(['Tokens', `${numberFormat.format(totalTokens)} (in ${numberFormat.format(inputTokens)}, out ${numberFormat.format(outputTokens)})`]);
  }
  for (const [key, value] of Object.entries(call.figures ?? {})) rows.push([figureLabel(key), figureValue(key, value)]);
  const inCall = Array.isArray(call.inCallSummaries) ? call.inCallSummaries.length : 0;
  if (inCall > 0) rows.push(['In-call summaries', String(inCall)]);
  container.replaceChildren(...rows.flatMap(([term, value, testId]) => [h('dt', {}, term), h('dd', { 'data-testid': testId }, value)]));
}

/**
 * Inserts or replaces a turn by seq; an interrupted version is never replaced by the uncut one, but
 * takes its timing when that came later.
 */
function upsertTurn(detail, turn) {
  const existing = detail.turns.get(turn.seq);
  if (existing?.turn.interrupted && !turn.interrupted && existing.turn.itemId === turn.itemId) {
    if (!turn.timing || existing.turn.timing) return;
    turn = { ...existing.turn, timing: turn.timing };
  }
  const li = renderTurn(turn);
  if (existing) {
    existing.li.replaceWith(li);
  } else {
    const follow = isFollowing();
    const after = [...detail.turns.values()].filter((other) => other.turn.seq > turn.seq).sort((a, b) => a.turn.seq - b.turn.seq)[0];
    detail.parts.transcript.insertBefore(li, after?.li ?? null);
    if (follow && !after) li.scrollIntoView({ block: 'end' });
  }
  detail.turns.set(turn.seq, { turn, li });
  detail.parts.emptyTranscript.hidden = true;
  renderCallTimeline(detail);
}

/** The picture of the call, redrawn as turns come and are timed. */
function renderCallTimeline(detail) {
  const turns = [...detail.turns.values()].map((entry) => entry.turn).sort((a, b) => a.seq - b.seq);
  const picture = renderTimeline(turns);
  const container = detail.parts.timeline;
  container.hidden = picture === null;
  container.replaceChildren(
    h('h3', { id: 'timeline-title' }, 'Timeline'),
    ...(picture ? [picture] : []),
    h(
      'p',
      { class: 'legend' },
      h('span', { class: 'key caller' }, 'caller'),
      h('span', { class: 'key wait' }, 'waiting for the bot'),
      h('span', { class: 'key tool' }, 'tool'),
      h('span', { class: 'key bot' }, 'bot'),
      h('span', { class: 'key barge-in' }, 'barge-in'),
    ),
  );
}

/** In the two-column layout the detail scrolls on its own; a reader scrolled up is left in peace. */
function isFollowing() {
  const scroller = el.detail;
  if (getComputedStyle(scroller).overflowY === 'visible') return false;
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= FOLLOW_SLACK_PX;
}

// ---------------------------------------------------------------- live feed

function connectEvents() {
  const current = session;
  const source = new EventSource('/api/events');
  current.events = source;
  setLive('connecting');
  source.addEventListener('open', () => {
    setLive('on');
    if (!current.missedEvents) return;
    current.missedEvents = false;
    guarded(refreshList).catch(showListError);
    if (current.detail) guarded(() => loadDetail(current.detail)).catch(() => undefined);
  });
  source.addEventListener('error', () => {
    if (session !== current) return;
    current.missedEvents = true;
    setLive('reconnecting');
    // The browser retries dropped connections itself but gives up on HTTP errors, such as the 401
    // of an expired session.
    if (source.readyState === EventSource.CLOSED) retryEvents(current);
  });
  for (const kind of LIVE_EVENTS) {
    source.addEventListener(kind, (message) => {
      if (session !== current) return;
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (typeof data?.callSid !== 'string') return;
      if (current.listBusy > 0) current.listQueue.push([kind, data]);
      else applyToList(kind, data);
      const detail = current.detail;
      if (detail?.callSid === data.callSid) {
        if (detail.loading > 0) detail.queue.push([kind, data]);
        else applyToDetail(detail, kind, data);
      }
    });
  }
}

/** Signs out if the session is gone, else opens a new feed; keeps trying while the server is away. */
function retryEvents(current) {
  current.retryTimer = setTimeout(() => {
    if (session !== current) return;
    guarded(async () => {
      await api('/api/calls?limit=1');
      if (session === current) connectEvents();
    }).catch(() => {
      if (session === current) retryEvents(current);
    });
  }, EVENTS_RETRY_MS);
}

function setLive(state) {
  el.live.dataset.state = state;
  el.live.textContent = { connecting: 'Connecting…', on: 'Live', reconnecting: 'Reconnecting…' }[state];
}

function applyToList(kind, data) {
  const row = session.rows.get(data.callSid);
  if (kind === 'call') {
    // A row already shown came from the store, which knows at least as much as this announcement.
    if (row) return;
    const call = { callSid: data.callSid, status: 'in-progress', startedAt: data.startedAt, endedAt: null, from: data.from, to: data.to, direction: data.direction, durationMs: null, summary: null };
    if (matchesFilters(call)) upsertRow(call);
    updateListMessage();
  } else if (kind === 'call-ended' && row) {
    upsertRow({ ...row.call, status: data.status, endedAt: data.endedAt, durationMs: new Date(data.endedAt).getTime() - new Date(row.call.startedAt).getTime() });
  } else if (kind === 'summary' && row) {
    upsertRow({ ...row.call, summary: data.text });
  }
}

function applyToDetail(detail, kind, data) {
  if (!detail.parts) return;
  const call = detail.call;
  if (kind === 'turn' || kind === 'turn-updated') {
    upsertTurn(detail, data);
  } else if (kind === 'call-ended') {
    Object.assign(call, {
      status: data.status,
      endedAt: data.endedAt,
      endReason: data.endReason,
      durationMs: new Date(data.endedAt).getTime() - new Date(call.startedAt).getTime(),
    });
    updateDetail(detail);
    // A hand-off, usage and figures are stored by the time the ending is announced; the feed carries none of them.
    guarded(() => loadDetail(detail)).catch(() => undefined);
  } else if (kind === 'summary') {
    call.summary = { ...data.content, text: data.text, language: data.language };
    updateDetail(detail);
  }
}

start();
