import type { CallDetail, CallListItem, CallRecord, CallSummaryView } from '../store/types.js';

/*
 * The JSON that leaves the service for a stored call: one shape for the operator API and the summary
 * webhook, so integrations see the same fields wherever they read them.
 */

/** The fields every view of a call shares, picked from the wider list item or detail. */
export function callJson(call: CallRecord): CallRecord {
  return {
    callSid: call.callSid,
    status: call.status,
    startedAt: call.startedAt,
    endedAt: call.endedAt,
    from: call.from,
    to: call.to,
    direction: call.direction,
    durationMs: call.durationMs,
  };
}

export function listItemJson(call: CallListItem) {
  return { ...callJson(call), summary: call.summary };
}

export function summaryJson(summary: CallSummaryView | null) {
  if (!summary) return null;
  return { ...summary.content, text: summary.text, language: summary.language, model: summary.model, createdAt: summary.createdAt };
}

export function detailJson(call: CallDetail) {
  return {
    ...callJson(call),
    streamSid: call.streamSid,
    endReason: call.endReason,
    language: call.language,
    usage: call.usage,
    figures: call.figures,
    handoff: call.handoff,
    jobs: call.jobs,
    turns: call.turns.map((turn) => ({
      seq: turn.seq,
      role: turn.role,
      text: turn.text,
      heardText: turn.heardText,
      interrupted: turn.interrupted,
      itemId: turn.itemId,
      at: turn.at,
      keys: turn.keys ?? null,
      tool: turn.tool ?? null,
      timing: turn.timing ?? null,
    })),
    summary: summaryJson(call.summary),
    inCallSummaries: call.inCallSummaries.map(summaryJson),
  };
}
