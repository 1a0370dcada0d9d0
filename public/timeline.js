// @ts-check
// The call at a glance: who spoke when, the caller's wait before each answer, tools and barge-ins,
// drawn from the turns' timings (ms since the call started, one clock for all of them).

import { botTiming, callerTiming } from './call-model.js';
import { formatMs } from './format.js';

/** @typedef {import('./api.js').TurnJson} TurnJson */
/** @typedef {{ seq: number, startMs: number, endMs: number }} Span */

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 1000;
const LANES = { caller: 6, wait: 30, bot: 54 };
const BAR_HEIGHT = 18;

/**
 * @param {string} tag
 * @param {Record<string, string | number | null | undefined>} [attributes]
 * @param {...(Node | string)} children
 */
function s(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

/**
 * The spans to draw, in ms, from turns as the API gives them; turns without a timing are skipped.
 * @param {TurnJson[]} turns in order
 */
export function timelineSpans(turns) {
  /** @type {Span[]} */
  const caller = [];
  for (const turn of turns) {
    const timing = callerTiming(turn);
    if (timing) caller.push({ seq: turn.seq, startMs: timing.speechStartedMs, endMs: timing.speechEndedMs });
  }
  const spans = {
    caller,
    /** @type {(Span & { interrupted: boolean })[]} */
    bot: [],
    /** @type {(Span & { totalMs: number | null })[]} */
    waits: [],
    /** @type {Span[]} */
    tools: [],
    /** @type {{ seq: number, atMs: number }[]} */
    bargeIns: [],
  };
  for (const turn of turns) {
    const timing = botTiming(turn);
    const startMs = timing?.heardMs ?? timing?.sentMs ?? null;
    if (!timing || startMs === null) continue;
    let endMs = startMs + timing.audioMs;
    if (turn.interrupted) {
      // The caller's next speech is where they cut in.
      const cutIn = caller.find((speech) => speech.startMs > startMs);
      if (cutIn) {
        endMs = Math.min(endMs, cutIn.startMs);
        spans.bargeIns.push({ seq: turn.seq, atMs: cutIn.startMs });
      }
    }
    spans.bot.push({ seq: turn.seq, startMs, endMs, interrupted: turn.interrupted });
    const askedMs = timing.speechEndedMs ?? timing.responseCreatedMs;
    if (timing.heardMs !== null) spans.waits.push({ seq: turn.seq, startMs: askedMs, endMs: timing.heardMs, totalMs: timing.totalMs });
    if (timing.toolMs !== null) spans.tools.push({ seq: turn.seq, startMs: timing.responseCreatedMs - timing.toolMs, endMs: timing.responseCreatedMs });
  }
  return spans;
}

/**
 * An SVG picture of the call, or null while nothing is timed.
 * @param {TurnJson[]} turns in order
 */
export function renderTimeline(turns) {
  const spans = timelineSpans(turns);
  const all = [...spans.caller, ...spans.bot, ...spans.waits];
  if (all.length === 0) return null;
  const endMs = Math.max(...all.map((span) => span.endMs)) || 1;
  /** @param {number} ms */
  const x = (ms) => Math.max(0, Math.min(WIDTH, (ms / endMs) * WIDTH));
  /**
   * @param {keyof typeof LANES} lane
   * @param {Span} span
   * @param {string} kind
   * @param {string} title
   * @param {Record<string, number | null>} [extra]
   */
  const bar = (lane, span, kind, title, extra = {}) =>
    s(
      'rect',
      { class: `span ${kind}`, x: x(span.startMs), y: LANES[lane], width: Math.max(1, x(span.endMs) - x(span.startMs)), height: BAR_HEIGHT, 'data-testid': `timeline-${kind}`, 'data-seq': span.seq, ...extra },
      s('title', {}, title),
    );
  /** @param {number} ms */
  const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
  return s(
    'svg',
    { class: 'timeline', viewBox: `0 0 ${WIDTH} 80`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'Who spoke when, and the wait before each answer', 'data-testid': 'timeline' },
    ...spans.caller.map((span) => bar('caller', span, 'caller', `Caller spoke ${seconds(span.startMs)} to ${seconds(span.endMs)}`)),
    ...spans.waits.map((span) => bar('wait', span, 'wait', `Caller waited ${formatMs(span.totalMs)} for the answer`, { 'data-total-ms': span.totalMs })),
    ...spans.tools.map((span) => bar('wait', span, 'tool', `Tools ran ${formatMs(span.endMs - span.startMs)}`)),
    ...spans.bot.map((span) => bar('bot', span, span.interrupted ? 'bot interrupted' : 'bot', `Bot spoke ${seconds(span.startMs)} to ${seconds(span.endMs)}${span.interrupted ? ', cut off' : ''}`)),
    ...spans.bargeIns.map((mark) =>
      s('line', { class: 'barge-in', x1: x(mark.atMs), x2: x(mark.atMs), y1: 0, y2: 80, 'data-testid': 'timeline-barge-in' }, s('title', {}, `Caller barged in at ${seconds(mark.atMs)}`)),
    ),
  );
}
