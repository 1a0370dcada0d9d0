// @ts-check
// The live feed (server-sent events): one connection while signed in, its state shown in the top bar,
// kept open across server restarts; a 401 on retry ends the session.

import { checkSession, guarded } from './api.js';
import { byId } from './dom.js';

/** @typedef {import('./api.js').LiveEventName} LiveEventName */
/** @typedef {import('./api.js').LiveEventsJson} LiveEventsJson */
/**
 * One event from the feed, by its name.
 * @typedef {{ [K in LiveEventName]: { kind: K, data: LiveEventsJson[K] } }[LiveEventName]} LiveEvent
 */
/**
 * @typedef {object} LiveFeedListeners
 * @property {(event: LiveEvent) => void} onEvent
 * @property {() => void} onCatchUp Runs when the feed opens and events may have been missed: before
 *   it first opened (the list was read earlier) or while it was down.
 */

const RETRY_MS = 3000;
/** Every event the server sends; the type insists none is left out. */
const EVENT_NAMES = /** @type {LiveEventName[]} */ (
  Object.keys(/** @satisfies {Record<LiveEventName, true>} */ ({ call: true, turn: true, 'turn-updated': true, 'call-ended': true, summary: true }))
);
const LIVE_TEXT = { connecting: 'Connecting…', on: 'Live', reconnecting: 'Reconnecting…' };

const indicator = byId('live', HTMLElement);

/** @typedef {{ listeners: LiveFeedListeners, source: EventSource | null, missedEvents: boolean, retryTimer: number }} Connection */
/** @type {Connection | null} */
let connection = null;

/** @param {LiveFeedListeners} listeners */
export function startLiveFeed(listeners) {
  stopLiveFeed();
  connection = { listeners, source: null, missedEvents: true, retryTimer: 0 };
  indicator.hidden = false;
  connect(connection);
}

export function stopLiveFeed() {
  indicator.hidden = true;
  if (!connection) return;
  connection.source?.close();
  clearTimeout(connection.retryTimer);
  connection = null;
}

/** @param {Connection} current */
function connect(current) {
  const source = new EventSource('/api/events');
  current.source = source;
  showState('connecting');
  source.addEventListener('open', () => {
    showState('on');
    if (!current.missedEvents) return;
    current.missedEvents = false;
    current.listeners.onCatchUp();
  });
  source.addEventListener('error', () => {
    if (connection !== current) return;
    current.missedEvents = true;
    showState('reconnecting');
    // The browser retries dropped connections itself but gives up on HTTP errors, such as the 401
    // of an expired session.
    if (source.readyState === EventSource.CLOSED) retry(current);
  });
  for (const kind of EVENT_NAMES) {
    source.addEventListener(kind, (message) => {
      if (connection !== current) return;
      current.listeners.onEvent(/** @type {LiveEvent} */ ({ kind, data: JSON.parse(message.data) }));
    });
  }
}

/**
 * Ends the session if it is gone, else opens a new feed; keeps trying while the server is away.
 * @param {Connection} current
 */
function retry(current) {
  current.retryTimer = window.setTimeout(() => {
    if (connection !== current) return;
    guarded(async () => {
      await checkSession();
      if (connection === current) connect(current);
    }).catch(() => {
      if (connection === current) retry(current);
    });
  }, RETRY_MS);
}

/** @param {keyof typeof LIVE_TEXT} state */
function showState(state) {
  indicator.dataset.state = state;
  indicator.textContent = LIVE_TEXT[state];
}
