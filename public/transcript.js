// @ts-check
// One transcript entry, rendered the same whether it came from the store or from the live feed.

import { botTiming } from './call-model.js';
import { h } from './dom.js';
import { clockFormat, describeValue, formatMs, formatTime, numberFormat } from './format.js';

/** @typedef {import('./api.js').TurnJson} TurnJson */
/** @typedef {import('./call-model.js').BotTimingJson} BotTimingJson */
/** @typedef {NonNullable<TurnJson['tool']>} ToolJson */
/** @typedef {import('./dom.js').Child} Child */

/**
 * How a tool call went, as the server records it; anything else is shown as sent.
 * @type {Record<string, string>}
 */
const TOOL_OUTCOME_LABELS = {
  ok: 'ok',
  error: 'failed',
  timeout: 'timed out',
  unknown_tool: 'unknown tool',
  invalid_arguments: 'invalid arguments',
};
/** Longer tool arguments or results are cut to this many characters, the whole kept in a <details>. */
const TOOL_PREVIEW_CHARS = 160;

/**
 * One transcript entry, the same from the store and from the live feed.
 * @param {TurnJson} turn
 */
export function renderTurn(turn) {
  if (turn.role === 'tool') return renderToolTurn(turn, turn.tool);
  const isBot = turn.role === 'assistant';
  const keys = isBot ? '' : (turn.keys ?? '');
  return h(
    'li',
    {
      class: `turn ${isBot ? 'bot' : 'caller'}`,
      'data-testid': 'turn',
      'data-role': turn.role,
      'data-seq': turn.seq,
      'data-interrupted': turn.interrupted ? 'true' : null,
      'data-keys': keys || null,
    },
    turnHeading(isBot ? 'Bot' : 'Caller', turn, turn.interrupted ? h('span', { class: 'tag', 'data-testid': 'interrupted-tag' }, 'interrupted') : null),
    h('p', { class: 'text', 'data-testid': 'turn-text' }, ...(keys ? [keysBadge(keys)] : spokenText(turn, isBot))),
    latencyLine(botTiming(turn)),
  );
}

/**
 * How long the caller waited for a bot turn, and where that time went.
 * @param {BotTimingJson | null} timing
 */
function latencyLine(timing) {
  if (!timing) return null;
  /**
   * @param {string} label
   * @param {number | null} ms
   * @param {string} testId
   */
  const part = (label, ms, testId) => h('span', { 'data-testid': testId }, `${label} ${formatMs(ms)}`);
  const waited = timing.totalMs !== null ? `waited ${formatMs(timing.totalMs)}` : 'not heard';
  return h(
    'p',
    {
      class: 'latency',
      title: timing.speechEndedMs === null ? 'From the bot being asked to the caller hearing it' : 'From the caller stopping to the caller hearing the answer',
      'data-testid': 'turn-latency',
      'data-total-ms': timing.totalMs,
      'data-model-ms': timing.modelLatencyMs,
    },
    h('strong', { 'data-testid': 'latency-total' }, waited),
    ': ',
    part('model', timing.modelLatencyMs, 'latency-model'),
    timing.toolMs !== null ? ' (' : null,
    timing.toolMs !== null ? part('tools', timing.toolMs, 'latency-tools') : null,
    timing.toolMs !== null ? ')' : null,
    ' · ',
    part('bridge', timing.bridgeLatencyMs, 'latency-bridge'),
    ' · ',
    part('playback start', timing.playbackStartMs, 'latency-playback'),
  );
}

/**
 * @param {string} speaker
 * @param {TurnJson} turn
 * @param {...Child} extras
 */
function turnHeading(speaker, turn, ...extras) {
  return h(
    'p',
    { class: 'who' },
    h('span', { class: 'speaker' }, speaker),
    ' ',
    h('time', { datetime: turn.at }, formatTime(turn.at, clockFormat)),
    ...extras,
  );
}

/**
 * What was said; of a bot turn the caller cut off, what they heard and, struck out, what they did not.
 * @param {TurnJson} turn
 * @param {boolean} isBot
 * @returns {Child[]}
 */
function spokenText(turn, isBot) {
  if (isBot && turn.interrupted) {
    const heard = turn.heardText;
    const generated = turn.text;
    // heardText is a prefix of text by construction; anything else is shown whole rather than guessed at.
    const unheard = generated.startsWith(heard) ? generated.slice(heard.length) : generated;
    return [
      heard ? h('span', { 'data-testid': 'heard' }, heard) : null,
      unheard.trim()
        ? h('del', { class: 'unheard', title: 'generated but not heard', 'data-testid': 'unheard' }, h('span', { class: 'sr-only' }, ' (generated but not heard:) '), unheard)
        : null,
    ];
  }
  if (turn.text.trim()) return [turn.text];
  return [h('span', { class: 'muted' }, isBot ? '(no words)' : '(inaudible)')];
}

/**
 * Digits the caller pressed instead of speaking.
 * @param {string} keys
 */
function keysBadge(keys) {
  return h('span', { class: 'keys', title: 'pressed on the phone keypad', 'data-testid': 'turn-keys' }, h('span', { class: 'keys-label' }, 'keys'), ' ', h('kbd', {}, keys));
}

/**
 * A function the bot called: what it asked, what it was told, how that went and how long it took.
 * Without its tool record (optional in the store), the turn's text is all that names the call.
 * @param {TurnJson} turn
 * @param {ToolJson | null} tool
 */
function renderToolTurn(turn, tool) {
  const name = tool?.name || turn.text || 'unnamed tool';
  const outcome = tool?.outcome || 'unknown';
  const failed = outcome !== 'ok';
  return h(
    'li',
    { class: `turn tool${failed ? ' failed' : ''}`, 'data-testid': 'turn', 'data-role': 'tool', 'data-seq': turn.seq, 'data-tool': name, 'data-outcome': outcome },
    turnHeading(
      'Tool',
      turn,
      h('span', { class: 'outcome', 'data-testid': 'tool-outcome', 'data-outcome': outcome }, TOOL_OUTCOME_LABELS[outcome] ?? outcome),
      h('span', { class: 'took', title: 'time the tool took', 'data-testid': 'tool-duration' }, formatMs(tool?.durationMs ?? null)),
    ),
    h('p', { class: 'tool-name' }, h('code', { 'data-testid': 'tool-name' }, name)),
    h(
      'dl',
      { class: 'tool-io' },
      h('dt', {}, 'Arguments'),
      h('dd', {}, ...toolValue(tool?.arguments ?? {}, 'tool-arguments', 'All arguments')),
      h('dt', {}, 'Result'),
      h('dd', {}, ...(tool ? toolValue(tool.output, 'tool-output', 'Full result') : [h('span', { class: 'muted', 'data-testid': 'tool-output' }, 'none')])),
    ),
  );
}

/**
 * One line of JSON or text; when that had to be cut, the whole of it (JSON indented) behind a toggle.
 * @param {unknown} value
 * @param {string} testId
 * @param {string} moreLabel
 */
function toolValue(value, testId, moreLabel) {
  const { short, full } = describeValue(value);
  const cut = short.length > TOOL_PREVIEW_CHARS;
  const line = h('code', { class: 'value', 'data-testid': testId, 'data-truncated': cut ? 'true' : null }, cut ? `${short.slice(0, TOOL_PREVIEW_CHARS)}…` : short);
  if (!cut) return [line];
  return [
    line,
    h(
      'details',
      { class: 'full-value', 'data-testid': `${testId}-full` },
      h('summary', {}, `${moreLabel} (${numberFormat.format(full.length)} characters)`),
      h('pre', {}, full),
    ),
  ];
}
