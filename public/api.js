// @ts-check
// The operator API as the dashboard calls it. Its answers are typed by the server's own description
// of them (src/http/api-types.ts), and a 401 anywhere ends the session in one place.

/** @typedef {import('../src/call-status.js').CallStatus} CallStatus */
/** @typedef {import('../src/http/api-types.js').CallListItemJson} CallListItemJson */
/** @typedef {import('../src/http/api-types.js').CallListPageJson} CallListPageJson */
/** @typedef {import('../src/http/api-types.js').CallDetailJson} CallDetailJson */
/** @typedef {import('../src/http/api-types.js').TurnJson} TurnJson */
/** @typedef {import('../src/http/api-types.js').LiveEventName} LiveEventName */
/** @typedef {import('../src/http/api-types.js').LiveEventsJson} LiveEventsJson */

export class Unauthorized extends Error {}

/** @type {(message: string) => void} */
let sessionEnded = () => undefined;

/**
 * Who to tell when the server no longer knows this browser.
 * @param {(message: string) => void} listener
 */
export function onSessionEnded(listener) {
  sessionEnded = listener;
}

/**
 * Runs an API-backed action; a 401 anywhere means the session is gone.
 * @template T
 * @param {() => Promise<T>} action
 * @returns {Promise<T | undefined>}
 */
export function guarded(action) {
  return action().catch((error) => {
    if (!(error instanceof Unauthorized)) throw error;
    sessionEnded('Your session has ended. Sign in again.');
    return undefined;
  });
}

/**
 * @param {string} path
 * @returns {Promise<unknown>}
 */
async function getJson(path) {
  const response = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (response.status === 401) throw new Unauthorized();
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new Error(typeof body?.error === 'string' ? `${body.error} (HTTP ${response.status})` : `HTTP ${response.status}`);
  }
  return response.json();
}

/**
 * @param {URLSearchParams} query
 * @returns {Promise<CallListPageJson>}
 */
export async function listCalls(query) {
  return /** @type {CallListPageJson} */ (await getJson(`/api/calls?${query.toString()}`));
}

/**
 * @param {string} callSid
 * @returns {Promise<CallDetailJson>}
 */
export async function getCall(callSid) {
  return /** @type {CallDetailJson} */ (await getJson(`/api/calls/${encodeURIComponent(callSid)}`));
}

/** Resolves while the session holds, as cheaply as the API can say so; throws Unauthorized when not. */
export async function checkSession() {
  await getJson('/api/calls?limit=1');
}

/**
 * Trades the operator token for a session cookie; throws when the server cannot be reached.
 * @param {string} token
 * @returns {Promise<{ ok: boolean, status: number }>} ok when signed in; status 401 for a wrong token
 */
export async function createSession(token) {
  const response = await fetch('/api/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  return { ok: response.ok, status: response.status };
}

/** Whether or not the server answers, the cookie is as good as gone for this page. */
export async function deleteSession() {
  await fetch('/api/session', { method: 'DELETE', credentials: 'same-origin' }).catch(() => undefined);
}
