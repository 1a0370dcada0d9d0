// @ts-check
// The call open in the detail: read from the API, then kept current by the live feed, with the
// transcript following new turns unless the reader scrolled up.

import { getCall, guarded } from './api.js';
import { keepEnding, storedTurn, turnToShow, withEnding } from './call-model.js';
import { byId, h } from './dom.js';
import { renderDetailView, renderTimelineSection, showDuration, updateDetailView } from './detail-view.js';
import { renderTurn } from './transcript.js';

/** @typedef {import('./api.js').TurnJson} TurnJson */
/** @typedef {import('./live-feed.js').LiveEvent} LiveEvent */
/** @typedef {import('./detail-view.js').DetailView} DetailView */
/** @typedef {import('./detail-view.js').ShownCall} ShownCall */
/**
 * @typedef {object} Detail
 * @property {string} callSid
 * @property {ShownCall | null} call null until first read
 * @property {DetailView | null} view null until first read
 * @property {Map<number, { turn: TurnJson, li: HTMLLIElement }>} turns by seq
 * @property {number} loading reads in flight; live events wait for them, then apply on top
 * @property {LiveEvent[]} held
 */

const NOTHING_OPEN = 'Select a call to read its transcript and summary.';
/** How close to the bottom (px) still counts as "following" a live transcript. */
const FOLLOW_SLACK_PX = 48;

const container = byId('detail', HTMLElement);

/** @type {Detail | null} */
let detail = null;
let tickTimer = 0;

/**
 * Shows this call, or none. Opening the call already open does nothing.
 * @param {string | null} callSid
 */
export function openCall(callSid) {
  if (callSid === (detail?.callSid ?? null)) return;
  closeCall();
  if (!callSid) return;
  /** @type {Detail} */
  const opened = { callSid, call: null, view: null, turns: new Map(), loading: 0, held: [] };
  detail = opened;
  tickTimer = window.setInterval(() => {
    if (opened.view && opened.call?.status === 'in-progress') showDuration(opened.view, opened.call);
  }, 1000);
  showPlaceholder('Loading call…');
  guarded(() => load(opened)).catch((error) => {
    if (detail === opened) container.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Cannot load this call: ${error.message}`));
  });
}

export function closeCall() {
  clearInterval(tickTimer);
  detail = null;
  showPlaceholder(NOTHING_OPEN);
}

/** Reads the open call again, for whatever the live feed may have missed. */
export function reloadCall() {
  if (detail) reload(detail);
}

/** @param {Detail} opened */
function reload(opened) {
  guarded(() => load(opened)).catch(() => undefined);
}

/** @param {LiveEvent} event */
export function applyToDetail(event) {
  if (detail?.callSid !== event.data.callSid) return;
  if (detail.loading > 0) detail.held.push(event);
  else apply(detail, event);
}

/** @param {string} text */
function showPlaceholder(text) {
  container.replaceChildren(h('p', { class: 'placeholder' }, text));
}

/**
 * Fetches the call and merges it into the view; live events meanwhile wait, then apply on top.
 * @param {Detail} opened
 */
async function load(opened) {
  opened.loading++;
  try {
    const call = await getCall(opened.callSid);
    if (detail !== opened) return;
    const view = opened.view ?? renderDetailView(container);
    opened.view = view;
    opened.call = opened.call ? keepEnding(opened.call, call) : call;
    for (const turn of call.turns) upsertTurn(opened, view, turn);
    view.emptyTranscript.hidden = opened.turns.size > 0;
    updateDetailView(view, opened.call);
  } finally {
    opened.loading--;
    if (opened.loading === 0) for (const event of opened.held.splice(0)) if (detail === opened) apply(opened, event);
  }
}

/**
 * @param {Detail} opened
 * @param {LiveEvent} event
 */
function apply(opened, event) {
  const { call, view } = opened;
  if (!call || !view) return;
  switch (event.kind) {
    case 'turn':
    case 'turn-updated':
      upsertTurn(opened, view, storedTurn(event.data));
      return;
    case 'call-ended':
      opened.call = { ...withEnding(call, event.data), endReason: event.data.endReason };
      updateDetailView(view, opened.call);
      // A hand-off, usage and figures are stored by the time the ending is announced; the feed carries none of them.
      reload(opened);
      return;
    case 'summary':
      opened.call = { ...call, summary: { ...event.data.content, text: event.data.text, language: event.data.language } };
      updateDetailView(view, opened.call);
      return;
    default:
      return;
  }
}

/**
 * Inserts or replaces a turn by seq, following the transcript's end when the reader is there.
 * @param {Detail} opened
 * @param {DetailView} view
 * @param {TurnJson} arriving
 */
function upsertTurn(opened, view, arriving) {
  const shown = opened.turns.get(arriving.seq);
  const turn = turnToShow(shown?.turn, arriving);
  if (!turn) return;
  const li = renderTurn(turn);
  if (shown) {
    shown.li.replaceWith(li);
  } else {
    const follow = isFollowing();
    const after = [...opened.turns.values()].filter((other) => other.turn.seq > turn.seq).sort((a, b) => a.turn.seq - b.turn.seq)[0];
    view.transcript.insertBefore(li, after?.li ?? null);
    if (follow && !after) li.scrollIntoView({ block: 'end' });
  }
  opened.turns.set(turn.seq, { turn, li });
  view.emptyTranscript.hidden = true;
  renderTimelineSection(view, [...opened.turns.values()].map((entry) => entry.turn).sort((a, b) => a.seq - b.seq));
}

/** In the two-column layout the detail scrolls on its own; a reader scrolled up is left in peace. */
function isFollowing() {
  if (getComputedStyle(container).overflowY === 'visible') return false;
  return container.scrollHeight - container.scrollTop - container.clientHeight <= FOLLOW_SLACK_PX;
}
