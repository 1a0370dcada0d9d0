import { describe, expect, it } from 'vitest';
import { Conversation } from '../../../src/conversation/conversation.js';
import { seedEvents } from '../../../src/conversation/seed.js';
import type { RealtimeItem, RealtimeServerEvent } from '../../../src/realtime/server-events.js';

let counter = 0;
const added = (item: RealtimeItem, previous?: string | null): RealtimeServerEvent => ({
  type: 'conversation.item.added',
  event_id: `e${++counter}`,
  item,
  previous_item_id: previous,
});
const userAudio = (id: string): RealtimeItem => ({ id, type: 'message', role: 'user', content: [{ type: 'input_audio', transcript: null }] });
const assistant = (id: string): RealtimeItem => ({ id, type: 'message', role: 'assistant', content: [] });

describe('Conversation', () => {
  it('mirrors server order, including inserts after a given item and at the root', () => {
    const conversation = new Conversation();
    conversation.apply(added(userAudio('u1'), null));
    conversation.apply(added(assistant('a1'), 'u1'));
    conversation.apply(added(userAudio('u2'), 'u1'));
    conversation.apply(added({ id: 'cb_sum_1', type: 'message', role: 'system', content: [{ type: 'input_text', text: 'S' }] }, 'root'));
    expect(conversation.items.map((item) => item.id)).toEqual(['cb_sum_1', 'u1', 'u2', 'a1']);
    expect(conversation.get('cb_sum_1')).toMatchObject({ synthetic: true, text: 'S' });
    conversation.apply({ type: 'conversation.item.deleted', event_id: 'x', item_id: 'u2' });
    expect(conversation.items.map((item) => item.id)).toEqual(['cb_sum_1', 'u1', 'a1']);
  });

  it('fills user transcripts when they arrive and reports them; failed ones become empty, not unknown', () => {
    const conversation = new Conversation();
    conversation.apply(added(userAudio('u1')));
    conversation.apply(added(userAudio('u2')));
    expect(conversation.get('u1')?.text).toBeUndefined();
    const facts = conversation.apply({
      type: 'conversation.item.input_audio_transcription.completed',
      event_id: 'x',
      item_id: 'u1',
      content_index: 0,
      transcript: 'Hello',
    });
    expect(facts).toEqual([{ kind: 'user-transcript', itemId: 'u1', text: 'Hello' }]);
    conversation.apply({ type: 'conversation.item.input_audio_transcription.failed', event_id: 'y', item_id: 'u2' });
    expect(conversation.get('u2')?.text).toBe('');
  });

  it('takes assistant text from the transcript, and keeps only what was heard once told', () => {
    const conversation = new Conversation();
    conversation.apply(added(assistant('a1')));
    conversation.apply({ type: 'response.output_audio_transcript.done', event_id: 'x', response_id: 'r', item_id: 'a1', transcript: 'One two three' });
    expect(conversation.get('a1')).toMatchObject({ text: 'One two three', hasAudio: true });
    conversation.setText('a1', 'One');
    expect(conversation.get('a1')?.text).toBe('One');
  });

  it('keeps the full generated text when the final transcript comes back truncated', () => {
    const conversation = new Conversation();
    conversation.apply(added(assistant('a1')));
    for (const delta of ['One', ' two', ' three']) {
      conversation.apply({ type: 'response.output_audio_transcript.delta', event_id: 'd', response_id: 'r', item_id: 'a1', delta });
    }
    const facts = conversation.apply({ type: 'response.output_audio_transcript.done', event_id: 'x', response_id: 'r', item_id: 'a1', transcript: 'One tw' });
    expect(facts).toEqual([{ kind: 'assistant-transcript', itemId: 'a1', text: 'One two three' }]);
  });

  it('keeps the latest usage and forgets everything on reset', () => {
    const conversation = new Conversation();
    conversation.apply({ type: 'response.done', event_id: 'x', response: { id: 'r', status: 'completed', usage: { total_tokens: 10, input_tokens: 8, output_tokens: 2 } } });
    expect(conversation.usage?.total_tokens).toBe(10);
    conversation.apply(added(userAudio('u1')));
    conversation.reset();
    expect(conversation.items).toEqual([]);
    expect(conversation.usage).toBeUndefined();
  });
});

describe('seedEvents', () => {
  it('replays the summary and the last K turns as text, with ids unique to the new session', () => {
    const conversation = new Conversation();
    conversation.apply(added({ id: 'cb_sum_1', type: 'message', role: 'system', content: [{ type: 'input_text', text: 'old summary' }] }));
    for (const [id, role, text] of [['u1', 'user', 'first'], ['a1', 'assistant', 'second'], ['u2', 'user', 'third'], ['a2', 'assistant', 'fourth']] as const) {
      conversation.apply(added({ id, type: 'message', role, content: [{ type: role === 'user' ? 'input_text' : 'output_text', text }] }));
    }
    expect(seedEvents(conversation.items, 'current summary', 2, 'r1')).toEqual([
      { type: 'conversation.item.create', item: { id: 'cb_sum_r1', type: 'message', role: 'system', content: [{ type: 'input_text', text: 'current summary' }] } },
      { type: 'conversation.item.create', item: { id: 'cb_r1_0', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'third' }] } },
      { type: 'conversation.item.create', item: { id: 'cb_r1_1', type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'fourth' }] } },
    ]);
    expect(seedEvents([], undefined, 2, 'r2')).toEqual([]);
  });
});
