// @ts-check
// How what the dashboard knows of a call changes as pages, details and live events arrive: pure
// functions, no DOM.

/** @typedef {import('./api.js').CallStatus} CallStatus */
/** @typedef {import('./api.js').TurnJson} TurnJson */
/** @typedef {import('./api.js').LiveEventsJson} LiveEventsJson */
/** @typedef {NonNullable<TurnJson['timing']>} TimingJson */
/** @typedef {Extract<TimingJson, { responseId: string }>} BotTimingJson */
/** @typedef {Exclude<TimingJson, BotTimingJson>} CallerTimingJson */
/** @typedef {{ status: CallStatus, endedAt: string | null, durationMs: number | null, endReason?: string | null }} Ending */

/**
 * The live feed can announce an ending before the store has written it: an ended call never goes
 * back to in progress because a read raced the write.
 * @template {Ending} T
 * @param {Ending} known
 * @param {T} fresh
 * @returns {T}
 */
export function keepEnding(known, fresh) {
  if (known.status === 'in-progress' || fresh.status !== 'in-progress') return fresh;
  const { status, endedAt, endReason, durationMs } = known;
  return { ...fresh, status, endedAt, endReason, durationMs };
}

/**
 * A call as it stands once the live feed says it ended.
 * @template {Ending & { startedAt: string }} T
 * @param {T} call
 * @param {LiveEventsJson['call-ended']} ended
 * @returns {T}
 */
export function withEnding(call, ended) {
  const durationMs = new Date(ended.endedAt).getTime() - new Date(call.startedAt).getTime();
  return { ...call, status: ended.status, endedAt: ended.endedAt, durationMs };
}

/**
 * A turn from the live feed in the form the API stores it in, so both render alike.
 * @param {LiveEventsJson['turn']} turn
 * @returns {TurnJson}
 */
export function storedTurn(turn) {
  const { seq, role, text, heardText, interrupted, itemId, at } = turn;
  return { seq, role, text, heardText, interrupted, itemId, at, keys: turn.keys ?? null, tool: turn.tool ?? null, timing: turn.timing ?? null };
}

/**
 * What to show for a turn that arrives while `shown` is on screen; null keeps `shown`. An
 * interrupted version is never replaced by the uncut one, but takes its timing when that came later.
 * @param {TurnJson | undefined} shown
 * @param {TurnJson} arriving
 * @returns {TurnJson | null}
 */
export function turnToShow(shown, arriving) {
  if (shown?.interrupted && !arriving.interrupted && shown.itemId === arriving.itemId) {
    if (!arriving.timing || shown.timing) return null;
    return { ...shown, timing: arriving.timing };
  }
  return arriving;
}

/**
 * @param {TurnJson} turn
 * @returns {BotTimingJson | null}
 */
export function botTiming(turn) {
  return turn.role === 'assistant' && turn.timing && 'responseId' in turn.timing ? turn.timing : null;
}

/**
 * @param {TurnJson} turn
 * @returns {CallerTimingJson | null}
 */
export function callerTiming(turn) {
  return turn.role === 'user' && turn.timing && !('responseId' in turn.timing) ? turn.timing : null;
}
