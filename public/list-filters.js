// @ts-check
// The call list's filter form: what it holds, and when a change of it should re-query.

/** @typedef {import('./list-model.js').Filters} Filters */

/** Typing a search waits for a pause; every other change applies at once. */
const SEARCH_DEBOUNCE_MS = 300;

let searchTimer = 0;

/**
 * @param {HTMLFormElement} form
 * @returns {Filters}
 */
export function readFilters(form) {
  const data = new FormData(form);
  /** @param {string} name */
  const field = (name) => String(data.get(name) ?? '');
  return { status: field('status'), q: field('q').trim(), since: field('since'), until: field('until') };
}

/**
 * Calls `changed` as the operator changes the filters.
 * @param {HTMLFormElement} form
 * @param {() => void} changed
 */
export function watchFilters(form, changed) {
  const now = () => {
    clearTimeout(searchTimer);
    changed();
  };
  form.addEventListener('input', (event) => {
    clearTimeout(searchTimer);
    if (event.target instanceof HTMLInputElement && event.target.name === 'q') searchTimer = window.setTimeout(now, SEARCH_DEBOUNCE_MS);
    else now();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    now();
  });
}

/**
 * Back to no filters, with no search still waiting to apply.
 * @param {HTMLFormElement} form
 */
export function clearFilters(form) {
  clearTimeout(searchTimer);
  form.reset();
}
