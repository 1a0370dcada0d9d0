// @ts-check
// The parts of a call's detail: header, hand-off, timeline, summary and facts, drawn from what is
// known of the call. The transcript's entries are transcript.js's.

import { h } from './dom.js';
import { contentText, contentTextList, durationOf, figureLabel, figureValue, formatDuration, formatTime, numberFormat, partyLabel } from './format.js';
import { statusBadge } from './status.js';
import { renderTimeline } from './timeline.js';

/** @typedef {import('./api.js').CallDetailJson} CallDetailJson */
/** @typedef {import('./api.js').TurnJson} TurnJson */
/**
 * A summary as shown: from the store, or as the live feed announced it (without the stored one's
 * model and time). Its content's fields are the summarizing model's JSON, passed on untyped.
 * @typedef {{ [field: string]: unknown, text: string, language: string | null }} ShownSummary
 */
/** @typedef {Omit<CallDetailJson, 'summary'> & { summary: ShownSummary | null }} ShownCall */
/** @typedef {ReturnType<typeof renderDetailView>} DetailView */

/**
 * Replaces what `container` shows with an empty detail, and returns its parts to fill.
 * @param {HTMLElement} container
 */
export function renderDetailView(container) {
  const view = {
    heading: h('h2', { 'data-testid': 'detail-caller' }),
    status: h('span'),
    started: h('time'),
    duration: h('span', { 'data-testid': 'detail-duration' }),
    transcript: h('ol', { class: 'transcript', role: 'log', 'aria-label': 'Transcript', 'data-testid': 'transcript' }),
    emptyTranscript: h('p', { class: 'muted' }, 'Nothing said yet.'),
    timeline: h('section', { class: 'call-timeline', 'aria-labelledby': 'timeline-title', 'data-testid': 'timeline-section', hidden: true }),
    summary: h('div', { 'data-testid': 'summary' }),
    handoff: h('section', { class: 'handoff', 'aria-labelledby': 'handoff-title', 'data-testid': 'handoff', hidden: true }),
    facts: h('dl', { class: 'facts', 'data-testid': 'call-facts' }),
  };
  container.replaceChildren(
    h('header', { class: 'detail-head' }, view.heading, h('p', { class: 'meta' }, view.status, ' ', view.started, ' · ', view.duration)),
    h(
      'div',
      { class: 'detail-body' },
      h(
        'div',
        { class: 'conversation' },
        view.handoff,
        view.timeline,
        h('section', { 'aria-labelledby': 'summary-title', class: 'summary' }, h('h3', { id: 'summary-title' }, 'Summary'), view.summary),
        h('section', { 'aria-labelledby': 'transcript-title' }, h('h3', { id: 'transcript-title' }, 'Transcript'), view.emptyTranscript, view.transcript),
      ),
      h('aside', { class: 'side', 'aria-labelledby': 'facts-title' }, h('h3', { id: 'facts-title' }, 'Call'), view.facts),
    ),
  );
  return view;
}

/**
 * Everything but the transcript, from what is known of the call.
 * @param {DetailView} view
 * @param {ShownCall} call
 */
export function updateDetailView(view, call) {
  view.heading.textContent = partyLabel(call);
  view.status.replaceChildren(statusBadge(call.status, 'detail-status'));
  view.started.dateTime = call.startedAt;
  view.started.textContent = formatTime(call.startedAt);
  showDuration(view, call);
  renderHandoff(view.handoff, call.handoff);
  renderSummary(view.summary, call);
  renderFacts(view.facts, call);
}

/**
 * @param {DetailView} view
 * @param {ShownCall} call
 */
export function showDuration(view, call) {
  view.duration.textContent = formatDuration(durationOf(call));
}

/**
 * A warm transfer: why the bot passed the caller on, and the brief the person heard first.
 * @param {HTMLElement} container
 * @param {CallDetailJson['handoff']} handoff
 */
function renderHandoff(container, handoff) {
  container.hidden = !handoff;
  if (!handoff) {
    container.replaceChildren();
    return;
  }
  container.replaceChildren(
    h('h3', { id: 'handoff-title' }, 'Transferred to a person'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Reason'),
      h('dd', { 'data-testid': 'handoff-reason' }, handoff.reason || '—'),
      h('dt', {}, 'What the person heard'),
      h('dd', {}, h('blockquote', { class: 'whisper', 'data-testid': 'handoff-whisper' }, handoff.whisper || '—')),
    ),
  );
}

/**
 * @param {HTMLElement} container
 * @param {ShownCall} call
 */
function renderSummary(container, call) {
  const summary = call.summary;
  if (!summary) {
    const note = call.status === 'in-progress' ? 'Written when the call ends.' : 'Being written…';
    container.replaceChildren(h('p', { class: 'muted', 'data-testid': 'summary-pending' }, note));
    return;
  }
  /**
   * @param {string[]} items
   * @param {string} testId
   */
  const list = (items, testId) =>
    items.length > 0 ? h('ul', { 'data-testid': testId }, ...items.map((item) => h('li', {}, item))) : h('p', { class: 'muted', 'data-testid': testId }, 'None');
  /** @param {string} field */
  const fact = (field) => contentText(summary[field]) || '—';
  container.replaceChildren(
    h('p', { class: 'synopsis-text', 'data-testid': 'summary-synopsis' }, contentText(summary['synopsis']) || summary.text),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Intent'),
      h('dd', { 'data-testid': 'summary-intent' }, fact('intent')),
      h('dt', {}, 'Outcome'),
      h('dd', { 'data-testid': 'summary-outcome' }, fact('outcome')),
      h('dt', {}, 'Sentiment'),
      h('dd', { 'data-testid': 'summary-sentiment' }, fact('sentiment')),
      h('dt', {}, 'Language'),
      h('dd', { 'data-testid': 'summary-language' }, summary.language || '—'),
    ),
    h('h4', {}, 'Action items'),
    list(contentTextList(summary['actionItems']), 'summary-actions'),
    h('h4', {}, 'Key facts'),
    list(contentTextList(summary['keyFacts']), 'summary-facts'),
  );
}

/**
 * @param {HTMLElement} container
 * @param {ShownCall} call
 */
function renderFacts(container, call) {
  /** @type {[term: string, value: string, testId?: string][]} */
  const rows = [
    ['Call SID', call.callSid],
    ['To', call.to ?? '—'],
    ['Ended', call.endedAt ? formatTime(call.endedAt) : '—'],
    ['End reason', call.endReason ?? '—', 'end-reason'],
    ['Language', call.language ?? '—'],
  ];
  if (call.usage) {
    const { inputTokens, outputTokens, totalTokens } = call.usage;
    rows.push(['Tokens', `${numberFormat.format(totalTokens)} (in ${numberFormat.format(inputTokens)}, out ${numberFormat.format(outputTokens)})`]);
  }
  for (const [key, value] of Object.entries(call.figures ?? {})) rows.push([figureLabel(key), figureValue(key, value)]);
  if (call.inCallSummaries.length > 0) rows.push(['In-call summaries', String(call.inCallSummaries.length)]);
  container.replaceChildren(...rows.flatMap(([term, value, testId]) => [h('dt', {}, term), h('dd', { 'data-testid': testId }, value)]));
}

/**
 * The picture of the call, redrawn as turns come and are timed.
 * @param {DetailView} view
 * @param {TurnJson[]} turns in order
 */
export function renderTimelineSection(view, turns) {
  const picture = renderTimeline(turns);
  view.timeline.hidden = picture === null;
  view.timeline.replaceChildren(
    h('h3', { id: 'timeline-title' }, 'Timeline'),
    ...(picture ? [picture] : []),
    h(
      'p',
      { class: 'legend' },
      h('span', { class: 'key caller' }, 'caller'),
      h('span', { class: 'key wait' }, 'waiting for the bot'),
      h('span', { class: 'key tool' }, 'tool'),
      h('span', { class: 'key bot' }, 'bot'),
      h('span', { class: 'key barge-in' }, 'barge-in'),
    ),
  );
}
