// @ts-check
// A call's status on the page: its badge, and the filter's choice of statuses.

import { CALL_STATUSES } from './call-status.js';
import { h } from './dom.js';
import { statusLabel } from './format.js';

/** @typedef {import('./api.js').CallStatus} CallStatus */

/**
 * @param {CallStatus} status
 * @param {string} [testId]
 */
export function statusBadge(status, testId = 'status') {
  return h('span', { class: `badge status-${status}`, 'data-testid': testId, 'data-status': status }, statusLabel(status));
}

/**
 * Offers every status the API accepts, after the options already there ("All").
 * @param {HTMLSelectElement} select
 */
export function addStatusOptions(select) {
  select.append(...CALL_STATUSES.map((status) => h('option', { value: status }, statusLabel(status))));
}
