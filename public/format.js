// @ts-check
// How the dashboard shows times, durations, figures, statuses and JSON: pure functions of their input.

/** @typedef {import('./api.js').CallStatus} CallStatus */
/** @typedef {import('./api.js').CallListItemJson} CallListItemJson */

export const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
export const clockFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
export const numberFormat = new Intl.NumberFormat();

/** @param {number | null} ms */
export function formatDuration(ms) {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * @param {string} iso
 * @param {Intl.DateTimeFormat} [format]
 */
export function formatTime(iso, format = timeFormat) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : format.format(date);
}

/**
 * In-progress calls count up from their start; the clocks of server and browser are assumed close.
 * @param {Pick<CallListItemJson, 'status' | 'startedAt' | 'durationMs'>} call
 * @param {number} [nowMs]
 */
export function durationOf(call, nowMs = Date.now()) {
  if (call.status === 'in-progress') return nowMs - new Date(call.startedAt).getTime();
  return call.durationMs;
}

/** @param {string | null} text */
export function firstLine(text) {
  return text?.split('\n', 1)[0] ?? '';
}

/**
 * `in-progress` reads "In progress": the label is the status itself, so there is no list of labels to keep in step.
 * @param {CallStatus} status
 */
export function statusLabel(status) {
  return status.charAt(0).toUpperCase() + status.slice(1).replaceAll('-', ' ');
}

/**
 * A field of a summary's content. The content is the summarizing model's JSON, which the API passes
 * on untyped, so what it holds is checked here rather than trusted.
 * @param {unknown} value
 */
export function contentText(value) {
  return typeof value === 'string' ? value : '';
}

/** @param {unknown} value */
export function contentTextList(value) {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string' && item.trim() !== '') : [];
}

/**
 * Names for the figures the server records; any other key is spelled out from its camelCase.
 * @type {Record<string, string>}
 */
const FIGURE_LABELS = {
  firstAudioMs: 'First bot audio',
  bargeIns: 'Barge-ins',
  reconnects: 'Model reconnects',
  maxReconnectGapMs: 'Longest reconnect gap',
  summaries: 'In-call summaries',
  lastSummaryLatencyMs: 'Last summary took',
  tokensBeforeSummary: 'Context before summary',
  tokensAfterSummary: 'Context after summary',
  toolCalls: 'Tool calls',
};

/** @param {string} key */
export function figureLabel(key) {
  const known = Object.hasOwn(FIGURE_LABELS, key) ? FIGURE_LABELS[key] : undefined;
  if (known) return known;
  const words = key.replace(/Ms$/, '').replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * @param {string} key
 * @param {number | null} value
 */
export function figureValue(key, value) {
  if (value === null) return '—';
  return key.endsWith('Ms') ? `${numberFormat.format(value)} ms` : numberFormat.format(value);
}

/**
 * Tool timings are fractional milliseconds: whole ones are precise enough to read.
 * @param {number | null} ms
 */
export function formatMs(ms) {
  if (ms === null || !Number.isFinite(ms)) return '—';
  return ms < 1 ? '<1 ms' : `${numberFormat.format(Math.round(ms))} ms`;
}

/**
 * JSON on one line with a space after each colon and comma, e.g. `{"orderId": "4572"}`: still JSON,
 * easier to read than JSON.stringify's run-together form.
 * @param {unknown} value
 * @returns {string}
 */
function compactJson(value) {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${compactJson(item)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? String(value);
}

/**
 * A value the model sent or a tool answered: `short` for one line, `full` for reading all of it.
 * Text that parses as a JSON object or array is shown as that JSON.
 * @param {unknown} value
 */
export function describeValue(value) {
  if (typeof value !== 'string') return { short: compactJson(value ?? null), full: JSON.stringify(value ?? null, null, 2) };
  try {
    const parsed = JSON.parse(value);
    if (parsed !== null && typeof parsed === 'object') return { short: compactJson(parsed), full: JSON.stringify(parsed, null, 2) };
  } catch {
    // Not JSON: shown as the text it is.
  }
  return { short: value, full: value };
}

/**
 * Who the call was with: the caller, or for a call callbridge placed, the number it called.
 * @param {Pick<CallListItemJson, 'direction' | 'from' | 'to'>} call
 */
export function partyLabel(call) {
  if (call.direction === 'outbound') return `Outbound to ${call.to ?? 'an unknown number'}`;
  return call.from ?? 'Unknown caller';
}
