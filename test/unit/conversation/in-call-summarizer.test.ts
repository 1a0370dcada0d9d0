import { describe, expect, it } from 'vitest';
import { Conversation } from '../../../src/conversation/conversation.js';
import { InCallSummarizer, type AppliedSummary } from '../../../src/conversation/in-call-summarizer.js';
import type { InCallSummary, InCallSummaryRequest, Summarizer } from '../../../src/conversation/summarizer.js';
import { silentLogger } from '../../../src/log.js';
import type { RealtimeClientEvent } from '../../../src/realtime/client-events.js';
import type { RealtimeServerEvent } from '../../../src/realtime/server-events.js';

/** A summarizer whose answers the test releases by hand. */
class ManualSummarizer implements Summarizer {
  readonly model = 'test-model';
  readonly requests: InCallSummaryRequest[] = [];
  readonly #pending: { resolve: (summary: InCallSummary) => void; reject: (error: Error) => void }[] = [];

  summarizeInCall(request: InCallSummaryRequest): Promise<InCallSummary> {
    this.requests.push(request);
    return new Promise((resolve, reject) => this.#pending.push({ resolve, reject }));
  }

  summarizeCall(): Promise<never> {
    throw new Error('not used');
  }

  async answer(summary: InCallSummary): Promise<void> {
    this.#pending.shift()!.resolve(summary);
    await new Promise((resolve) => setImmediate(resolve));
  }

  async fail(): Promise<void> {
    this.#pending.shift()!.reject(new Error('upstream 500'));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

let eventCounter = 0;
const added = (id: string, role: 'user' | 'assistant' | 'system', text: string, previous?: string): RealtimeServerEvent => ({
  type: 'conversation.item.added',
  event_id: `e${++eventCounter}`,
  previous_item_id: previous ?? null,
  item: { id, type: 'message', role, content: [{ type: role === 'user' ? 'input_text' : 'output_text', text }] },
});
const done = (totalTokens: number): RealtimeServerEvent => ({
  type: 'response.done',
  event_id: `e${++eventCounter}`,
  response: {
    id: `r${eventCounter}`,
    status: 'completed',
    usage: { total_tokens: totalTokens, input_tokens: totalTokens, output_tokens: 0 },
  },
});

function setup() {
  const conversation = new Conversation();
  let previous: string | undefined;
  for (const [id, role] of [['a1', 'assistant'], ['u1', 'user'], ['a2', 'assistant'], ['u2', 'user'], ['a3', 'assistant']] as const) {
    conversation.apply(added(id, role, `${id} said something`, previous));
    previous = id;
  }
  const sent: RealtimeClientEvent[] = [];
  const applied: AppliedSummary[] = [];
  let nowMs = 0;
  let connected = true;
  const summarizer = new ManualSummarizer();
  const inCall = new InCallSummarizer({
    summarizer,
    settings: { triggerTokens: 1000, keepTurns: 2 },
    language: () => 'French',
    send: (event) => {
      if (connected) sent.push(event);
      return connected;
    },
    logger: silentLogger(),
    now: () => nowMs,
    onApplied: (summary) => applied.push(summary),
    retryDelayMs: 1000,
    applyTimeoutMs: 60_000,
  });
  return {
    conversation,
    sent,
    applied,
    summarizer,
    inCall,
    advance: (ms: number) => (nowMs += ms),
    disconnect: () => (connected = false),
  };
}

const SUMMARY = { facts: ['Order 4572'], synopsis: 'The caller asked about an order.' };

describe('InCallSummarizer', () => {
  it('summarizes the older turns once, in the configured language, off the response path', () => {
    const { conversation, summarizer, inCall, sent } = setup();
    conversation.apply(done(1500));
    inCall.considerAfterResponse(conversation);
    inCall.considerAfterResponse(conversation);
    expect(summarizer.requests).toEqual([
      {
        previousSummary: undefined,
        language: 'French',
        turns: [
          { role: 'assistant', text: 'a1 said something' },
          { role: 'user', text: 'u1 said something' },
          { role: 'assistant', text: 'a2 said something' },
        ],
      },
    ]);
    expect(sent).toEqual([]);
  });

  it('inserts the summary at the root, and deletes the summarized items only once the service has it', async () => {
    const { conversation, summarizer, inCall, sent, applied } = setup();
    conversation.apply(done(1500));
    inCall.considerAfterResponse(conversation);
    await summarizer.answer(SUMMARY);

    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: 'conversation.item.create',
      previous_item_id: 'root',
      item: { id: 'cb_sum_1', type: 'message', role: 'system', content: [{ type: 'input_text' }] },
    });
    inCall.onItemAdded('cb_sum_1');
    expect(sent.slice(1)).toEqual([
      { type: 'conversation.item.delete', item_id: 'a1' },
      { type: 'conversation.item.delete', item_id: 'u1' },
      { type: 'conversation.item.delete', item_id: 'a2' },
    ]);
    expect(applied).toEqual([expect.objectContaining({ summary: SUMMARY, tokensBefore: 1500, itemsSummarized: 3 })]);
    expect(inCall.currentText).toContain('Order 4572');
  });

  it('deletes nothing when the summary fails, and retries only after a backoff', async () => {
    const { conversation, summarizer, inCall, sent, advance } = setup();
    conversation.apply(done(1500));
    inCall.considerAfterResponse(conversation);
    await summarizer.fail();
    expect(sent).toEqual([]);

    inCall.considerAfterResponse(conversation);
    expect(summarizer.requests).toHaveLength(1);
    advance(1000);
    inCall.considerAfterResponse(conversation);
    expect(summarizer.requests).toHaveLength(2);
    await summarizer.fail();
    advance(1999);
    inCall.considerAfterResponse(conversation);
    expect(summarizer.requests).toHaveLength(2);
    advance(1);
    inCall.considerAfterResponse(conversation);
    expect(summarizer.requests).toHaveLength(3);
  });

  it('folds the previous summary into the next one', async () => {
    const { conversation, summarizer, inCall } = setup();
    conversation.apply(done(1500));
    inCall.considerAfterResponse(conversation);
    await summarizer.answer(SUMMARY);
    inCall.onItemAdded('cb_sum_1');
    conversation.apply(added('cb_sum_1', 'system', 'summary', 'root'));
    for (const id of ['a1', 'u1', 'a2']) conversation.apply({ type: 'conversation.item.deleted', event_id: id, item_id: id });
    conversation.apply(added('u3', 'user', 'u3 said something', 'a3'));
    conversation.apply(added('a4', 'assistant', 'a4 said something', 'u3'));
    conversation.apply(done(1200));
    inCall.considerAfterResponse(conversation);
    expect(summarizer.requests[1]).toMatchObject({ previousSummary: SUMMARY, turns: [{ text: 'u2 said something' }, { text: 'a3 said something' }] });
  });

  it('applies nothing to a session that was lost meanwhile, but keeps the summary for the next one', async () => {
    const { conversation, summarizer, inCall, sent } = setup();
    conversation.apply(done(1500));
    inCall.considerAfterResponse(conversation);
    inCall.onSessionLost();
    await summarizer.answer(SUMMARY);
    expect(sent).toEqual([]);
    expect(inCall.currentText).toContain('The caller asked about an order.');
  });
});
