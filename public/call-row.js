// @ts-check
// One row of the call list: a link to the call with its status, party, start, duration and summary line.

import { h } from './dom.js';
import { durationOf, firstLine, formatDuration, formatTime, partyLabel } from './format.js';
import { statusBadge } from './status.js';

/** @typedef {import('./api.js').CallListItemJson} CallListItemJson */

/**
 * @param {CallListItemJson} call
 * @param {boolean} selected open in the detail
 */
export function renderRow(call, selected) {
  const li = h('li', { 'data-testid': 'call-row', 'data-call-sid': call.callSid });
  fillRow(li, call, selected);
  return li;
}

/**
 * Shows `call` in its row. The link element stays when it has focus, so refreshing a row never
 * throws focus away.
 * @param {HTMLLIElement} li
 * @param {CallListItemJson} call
 * @param {boolean} selected
 */
export function fillRow(li, call, selected) {
  li.dataset.status = call.status;
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
  if (old && old === document.activeElement) {
    old.replaceChildren(...link.childNodes);
    for (const name of ['href', 'aria-current']) {
      const value = link.getAttribute(name);
      if (value === null) old.removeAttribute(name);
      else old.setAttribute(name, value);
    }
  } else {
    li.replaceChildren(link);
  }
}

/**
 * The running duration of a call in progress, once a second.
 * @param {HTMLLIElement} li
 * @param {CallListItemJson} call
 */
export function tickRow(li, call) {
  const cell = li.querySelector('[data-testid="duration"]');
  if (call.status === 'in-progress' && cell) cell.textContent = formatDuration(durationOf(call));
}
