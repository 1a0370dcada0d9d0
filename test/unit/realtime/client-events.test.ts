import { describe, expect, it } from 'vitest';
import {
  appendAudio,
  assistantTextMessage,
  cancelResponse,
  createItem,
  createResponse,
  deleteItem,
  functionCallOutput,
  serializeClientEvent,
  sessionUpdate,
  systemMessage,
  truncateItem,
  userTextMessage,
} from '../../../src/realtime/client-events.js';
import { buildSession } from '../../../src/realtime/session-config.js';

describe('client events: the GA shapes of docs/protocols.md 2.3', () => {
  it('session.update wraps the session unchanged', () => {
    const session = buildSession({
      model: 'gpt-realtime',
      voice: 'marin',
      instructions: 'Be brief.',
      transcriptionModel: 'gpt-4o-transcribe',
      turnDetection: { type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 },
    });
    expect(sessionUpdate(session)).toEqual({ type: 'session.update', session });
    expect(sessionUpdate(session)).toEqual({
      type: 'session.update',
      session: expect.objectContaining({ type: 'realtime', model: 'gpt-realtime' }),
    });
  });

  it('input_audio_buffer.append carries the base64 audio', () => {
    expect(appendAudio('AAECAw==')).toEqual({ type: 'input_audio_buffer.append', audio: 'AAECAw==' });
  });

  it('response.create has no response object without instructions', () => {
    expect(createResponse()).toEqual({ type: 'response.create' });
    expect(createResponse('')).toEqual({ type: 'response.create' });
  });

  it('response.create carries per-response instructions when given', () => {
    expect(createResponse('Greet the caller.')).toEqual({
      type: 'response.create',
      response: { instructions: 'Greet the caller.' },
    });
  });

  it('response.cancel names the response only when given', () => {
    expect(cancelResponse()).toEqual({ type: 'response.cancel' });
    expect(cancelResponse('resp_1')).toEqual({ type: 'response.cancel', response_id: 'resp_1' });
  });

  it('conversation.item.truncate uses content_index 0 and whole milliseconds', () => {
    expect(truncateItem('item_1', 1500)).toEqual({
      type: 'conversation.item.truncate',
      item_id: 'item_1',
      content_index: 0,
      audio_end_ms: 1500,
    });
  });

  it('truncate floors audio_end_ms', () => {
    expect(truncateItem('item_1', 1234.9)).toMatchObject({ audio_end_ms: 1234 });
    expect(truncateItem('item_1', 0.999)).toMatchObject({ audio_end_ms: 0 });
  });

  it('truncate never sends a negative audio_end_ms', () => {
    expect(truncateItem('item_1', -1)).toMatchObject({ audio_end_ms: 0 });
    expect(truncateItem('item_1', -0.5)).toMatchObject({ audio_end_ms: 0 });
    expect(Object.is((truncateItem('item_1', -0.5) as { audio_end_ms: number }).audio_end_ms, 0)).toBe(true);
  });

  it('conversation.item.delete names the item', () => {
    expect(deleteItem('item_1')).toEqual({ type: 'conversation.item.delete', item_id: 'item_1' });
  });

  it('conversation.item.create has no previous_item_id unless given', () => {
    const item = userTextMessage('item_u', 'hello');
    const event = createItem(item);
    expect(event).toEqual({ type: 'conversation.item.create', item });
    expect(event).not.toHaveProperty('previous_item_id');
  });

  it("conversation.item.create with previous_item_id 'root' inserts at the beginning", () => {
    const item = systemMessage('item_summary', 'Summary of the call so far.');
    expect(createItem(item, 'root')).toEqual({ type: 'conversation.item.create', item, previous_item_id: 'root' });
  });

  it('conversation.item.create passes another previous_item_id through', () => {
    const item = assistantTextMessage('item_a', 'Earlier answer.');
    expect(createItem(item, 'item_summary')).toEqual({
      type: 'conversation.item.create',
      item,
      previous_item_id: 'item_summary',
    });
  });
});

describe('conversation items', () => {
  it('system messages use input_text content', () => {
    expect(systemMessage('item_s', 'You are on a call.')).toEqual({
      id: 'item_s',
      type: 'message',
      role: 'system',
      content: [{ type: 'input_text', text: 'You are on a call.' }],
    });
  });

  it('user text messages use input_text content', () => {
    expect(userTextMessage('item_u', 'What are your hours?')).toEqual({
      id: 'item_u',
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: 'What are your hours?' }],
    });
  });

  it('assistant text messages use output_text content', () => {
    expect(assistantTextMessage('item_a', 'We open at nine.')).toEqual({
      id: 'item_a',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'We open at nine.' }],
    });
  });

  it('function call output carries the call id and output string, and no id', () => {
    const item = functionCallOutput('call_abc', '{"ok":true}');
    expect(item).toEqual({ type: 'function_call_output', call_id: 'call_abc', output: '{"ok":true}' });
    expect(createItem(item)).toEqual({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: 'call_abc', output: '{"ok":true}' },
    });
  });

  it('serializes a whole create event to the documented JSON', () => {
    expect(JSON.stringify(createItem(systemMessage('s1', 'hi'), 'root'))).toBe(
      '{"type":"conversation.item.create","item":{"id":"s1","type":"message","role":"system",' +
        '"content":[{"type":"input_text","text":"hi"}]},"previous_item_id":"root"}',
    );
  });
});

describe('serializing client events', () => {
  it('writes caller audio as the same text JSON.stringify would, and every other event through it', () => {
    for (const audio of ['', 'AAAA', Buffer.from(Array.from({ length: 961 }, (_, i) => i & 0xff)).toString('base64')]) {
      expect(serializeClientEvent(appendAudio(audio))).toBe(JSON.stringify(appendAudio(audio)));
    }
    const truncate = truncateItem('item_"1"', 1500);
    expect(serializeClientEvent(truncate)).toBe(JSON.stringify(truncate));
  });
});
