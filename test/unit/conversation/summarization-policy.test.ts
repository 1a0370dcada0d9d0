import { describe, expect, it } from 'vitest';
import type { ContextItem } from '../../../src/conversation/conversation.js';
import { planSummarization } from '../../../src/conversation/summarization-policy.js';

const settings = { triggerTokens: 1000, keepTurns: 2 };

/** `text: null` is a transcript that has not arrived yet. */
function message(id: string, role: 'user' | 'assistant' | 'system', text: string | null = `${id} text`): ContextItem {
  return { id, type: 'message', role, text: text ?? undefined, hasAudio: role !== 'system', callId: undefined, synthetic: id.startsWith('cb_') };
}

function call(id: string, callId: string, type: 'function_call' | 'function_call_output'): ContextItem {
  return { id, type, role: undefined, text: `${type} ${callId}`, hasAudio: false, callId, synthetic: false };
}

const conversation = [
  message('a1', 'assistant'),
  message('u1', 'user'),
  message('a2', 'assistant'),
  message('u2', 'user'),
  message('a3', 'assistant'),
];

describe('planSummarization', () => {
  it('does nothing below the token threshold or without usage', () => {
    expect(planSummarization(conversation, 999, settings)).toBeUndefined();
    expect(planSummarization(conversation, undefined, settings)).toBeUndefined();
  });

  it('does nothing when there are no more turns than it keeps', () => {
    expect(planSummarization(conversation.slice(0, 2), 5000, settings)).toBeUndefined();
  });

  it('summarizes everything older than the last K turns', () => {
    expect(planSummarization(conversation, 1000, settings)).toEqual({ itemIds: ['a1', 'u1', 'a2'], previousSummaryId: undefined });
  });

  it('folds in and replaces the previous summary, which is not itself a turn', () => {
    const withSummary = [message('cb_sum_1', 'system', 'earlier'), ...conversation];
    expect(planSummarization(withSummary, 1000, settings)).toEqual({ itemIds: ['a1', 'u1', 'a2'], previousSummaryId: 'cb_sum_1' });
  });

  it('stops before a user item whose transcript is still unknown', () => {
    const pending = [message('a1', 'assistant'), message('u1', 'user', null), ...conversation.slice(2)];
    expect(planSummarization(pending, 1000, settings)).toEqual({ itemIds: ['a1'], previousSummaryId: undefined });
    const firstUnknown = [message('u0', 'user', null), ...conversation];
    expect(planSummarization(firstUnknown, 1000, settings)).toBeUndefined();
  });

  it('steps over a caller item whose transcript never came, keeping it, once it is overdue', () => {
    const lost = { ...message('u1', 'user', null), addedAtMs: 1000 };
    const items = [message('a1', 'assistant'), lost, ...conversation.slice(2)];
    expect(planSummarization(items, 1000, settings, 5000)).toEqual({ itemIds: ['a1'], previousSummaryId: undefined });
    expect(planSummarization(items, 1000, { ...settings, transcriptTimeoutMs: 10_000 }, 11_000)).toEqual({
      itemIds: ['a1', 'a2'],
      previousSummaryId: undefined,
    });
  });

  it('never separates a function call from its output', () => {
    const items = [
      message('u1', 'user'),
      call('fc1', 'call_1', 'function_call'),
      message('a1', 'assistant'),
      call('fo1', 'call_1', 'function_call_output'),
      message('a2', 'assistant'),
      message('u2', 'user'),
    ];
    // The cut would fall between the call (kept out) and its output (after the cut): both stay.
    expect(planSummarization(items, 1000, { triggerTokens: 1000, keepTurns: 3 })).toEqual({
      itemIds: ['u1'],
      previousSummaryId: undefined,
    });
    // With the pair wholly before the cut, both go together.
    expect(planSummarization(items, 1000, { triggerTokens: 1000, keepTurns: 2 })?.itemIds).toEqual(['u1', 'fc1', 'a1', 'fo1']);
  });
});
