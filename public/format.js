// How the dashboard shows times, durations, figures and JSON: pure functions of their input.

export const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
export const clockFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
export const numberFormat = new Intl.NumberFormat();

export function formatDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

export function formatTime(iso, format = timeFormat) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : format.format(date);
}

/** In-progress calls count up from their start; the clocks of server and browser are assumed close. */
export function durationOf(call) {
  if (call.status === 'in-progress') return Date.now() - new Date(call.startedAt).getTime();
  return call.durationMs;
}

export function firstLine(text) {
  return typeof text === 'string' ? (text.split('\n', 1)[0] ?? '') : '';
}

export function asText(value) {
  return typeof value === 'string' ? value : '';
}

export function asTextList(value) {
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string' && item.trim() !== '') : [];
}

/** Names for the figures the server records; any other key is spelled out from its camelCase. */
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

export function figureLabel(key) {
  if (Object.hasOwn(FIGURE_LABELS, key)) return FIGURE_LABELS[key];
  const words = key.replace(/Ms$/, '').replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function figureValue(key, value) {
  if (typeof value !== 'number') return '—';
  return key.endsWith('Ms') ? `${numberFormat.format(value)} ms` : numberFormat.format(value);
}

/** Tool timings are fractional milliseconds: whole ones are precise enough to read. */
export function formatMs(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  return ms < 1 ? '<1 ms' : `${numberFormat.format(Math.round(ms))} ms`;
}

/**
 * JSON on one line with a space after each colon and comma, e.g. `{"orderId": "4572"}`: still JSON,
 * easier to read than JSON.stringify's run-together form.
 */
function compactJson(value) {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${compactJson(item)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? String(value);
}

/** A value the model sent or a tool answered: `short` for one line, `full` for reading all of it. */
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

function isFinal(status) {
  return status !== 'in-progress';
}

/**
 * The live feed can announce an ending before the store has written it: an ended call never goes
 * back to in progress because a read raced the write.
 */
export function keepEnding(known, fresh) {
  if (!isFinal(known.status) || isFinal(fresh.status)) return fresh;
  const { status, endedAt, endReason, durationMs } = known;
  return { ...fresh, status, endedAt, endReason, durationMs };
}

/** Who the call was with: the caller, or for a call callbridge placed, the number it called. */
export function partyLabel(call) {
  if (call.direction === 'outbound') return `Outbound to ${call.to ?? 'an unknown number'}`;
  return call.from ?? 'Unknown caller';
}
