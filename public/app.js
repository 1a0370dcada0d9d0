// @ts-check
// The operator dashboard: signing in and out, and wiring the list, the detail and the live feed
// together. Plain DOM, no framework and no build step, so the CSP can stay at 'self'; every piece of
// call data reaches the page through textContent or attributes, never as markup.

import { Unauthorized, createSession, deleteSession, listCalls, onSessionEnded } from './api.js';
import { applyToDetail, closeCall, openCall, reloadCall } from './call-detail.js';
import { applyToList, firstPageQuery, initCallList, refreshCallList, selectRow, startCallList, stopCallList } from './call-list.js';
import { byId } from './dom.js';
import { startLiveFeed, stopLiveFeed } from './live-feed.js';

/** @typedef {import('./api.js').CallListPageJson} CallListPageJson */

const signOutButton = byId('sign-out', HTMLButtonElement);
const signinView = byId('signin-view', HTMLElement);
const signinForm = byId('signin-form', HTMLFormElement);
const signInButton = byId('sign-in', HTMLButtonElement);
const tokenInput = byId('token', HTMLInputElement);
const signinError = byId('signin-error', HTMLElement);
const appView = byId('app-view', HTMLElement);

let signedInNow = false;

/** @param {SubmitEvent} event */
async function signIn(event) {
  event.preventDefault();
  signInButton.disabled = true;
  signinError.textContent = '';
  let answer;
  try {
    answer = await createSession(tokenInput.value);
  } catch {
    signinError.textContent = 'Cannot reach the server.';
    return;
  } finally {
    signInButton.disabled = false;
  }
  if (answer.status === 401) {
    signinError.textContent = 'That token is not valid.';
    tokenInput.select();
  } else if (!answer.ok) {
    signinError.textContent = `Sign-in failed (HTTP ${answer.status}).`;
  } else {
    tokenInput.value = '';
    await signedIn();
  }
}

async function signOut() {
  // Whether or not the server answers, this page forgets everything it showed.
  await deleteSession();
  history.replaceState(null, '', location.pathname);
  signedOut('');
}

/** @param {string} message */
function signedOut(message) {
  signedInNow = false;
  stopLiveFeed();
  stopCallList();
  closeCall();
  appView.hidden = true;
  signOutButton.hidden = true;
  signinView.hidden = false;
  signinError.textContent = message;
  tokenInput.focus();
}

/**
 * Shows the app; the first page of calls is both the proof of a session and the first thing to show.
 * @param {CallListPageJson} [firstPage]
 */
async function signedIn(firstPage) {
  signedInNow = true;
  signinView.hidden = true;
  appView.hidden = false;
  signOutButton.hidden = false;
  await startCallList(firstPage);
  if (!signedInNow) return;
  startLiveFeed({
    onEvent: (event) => {
      applyToList(event);
      applyToDetail(event);
    },
    onCatchUp: () => {
      refreshCallList();
      reloadCall();
    },
  });
  openFromHash();
}

/** The call named by the URL (`#call=CA…`) is the one open. */
function openFromHash() {
  if (!signedInNow) return;
  const match = /^#call=(.+)$/.exec(location.hash);
  const callSid = match?.[1] ? decodeURIComponent(match[1]) : null;
  selectRow(callSid);
  openCall(callSid);
}

async function start() {
  onSessionEnded(signedOut);
  initCallList();
  signinForm.addEventListener('submit', signIn);
  signOutButton.addEventListener('click', signOut);
  window.addEventListener('hashchange', openFromHash);
  try {
    await signedIn(await listCalls(firstPageQuery()));
  } catch (error) {
    signedOut(error instanceof Unauthorized ? '' : `Cannot load calls: ${error instanceof Error ? error.message : String(error)}`);
  }
}

start();
