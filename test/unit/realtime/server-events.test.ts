import { describe, expect, it } from 'vitest';
import {
  audioDeltaFastPath,
  itemText,
  parseServerEvent,
  serverEventSchema,
  type RealtimeItem,
} from '../../../src/realtime/server-events.js';
import { BAD_BASE64, GOOD_BASE64, itAgreesWithTheSchema } from '../../support/fast-path-contract.js';

const PCM_BASE64 = Buffer.from(new Int16Array([0, 1000, -1000, 32767, -32768]).buffer).toString('base64');

/* Realistic GA payloads for every server event we parse (docs/protocols.md 2.4). */
const USER_ITEM = {
  id: 'item_user_1',
  object: 'realtime.item',
  type: 'message',
  status: 'completed',
  role: 'user',
  content: [{ type: 'input_audio', transcript: null }],
};
const ASSISTANT_ITEM = {
  id: 'item_asst_1',
  object: 'realtime.item',
  type: 'message',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_audio', transcript: 'Hello, how can I help?' }],
};
const FUNCTION_CALL_ITEM = {
  id: 'item_fc_1',
  object: 'realtime.item',
  type: 'function_call',
  status: 'completed',
  call_id: 'call_abc',
  name: 'transfer_to_human',
  arguments: '{"reason":"billing"}',
};

const VALID_EVENTS: Record<string, Record<string, unknown>> = {
  'session.created': {
    type: 'session.created',
    event_id: 'event_1',
    session: { type: 'realtime', id: 'sess_1', object: 'realtime.session', model: 'gpt-realtime', output_modalities: ['audio'] },
  },
  'session.updated': {
    type: 'session.updated',
    event_id: 'event_2',
    session: {
      type: 'realtime',
      id: 'sess_1',
      audio: { input: { format: { type: 'audio/pcm', rate: 24000 } }, output: { voice: 'marin' } },
    },
  },
  error: {
    type: 'error',
    event_id: 'event_3',
    error: {
      type: 'invalid_request_error',
      code: 'response_cancel_not_active',
      message: 'Cancellation failed: no active response found',
      param: null,
      event_id: 'client_evt_7',
    },
  },
  'input_audio_buffer.speech_started': {
    type: 'input_audio_buffer.speech_started',
    event_id: 'event_4',
    audio_start_ms: 1000,
    item_id: 'item_user_1',
  },
  'input_audio_buffer.speech_stopped': {
    type: 'input_audio_buffer.speech_stopped',
    event_id: 'event_5',
    audio_end_ms: 2300,
    item_id: 'item_user_1',
  },
  'input_audio_buffer.committed': {
    type: 'input_audio_buffer.committed',
    event_id: 'event_6',
    previous_item_id: null,
    item_id: 'item_user_1',
  },
  'conversation.item.added': {
    type: 'conversation.item.added',
    event_id: 'event_7',
    previous_item_id: null,
    item: { ...USER_ITEM, status: 'in_progress' },
  },
  'conversation.item.created': {
    type: 'conversation.item.created',
    event_id: 'event_8',
    previous_item_id: 'item_0',
    item: USER_ITEM,
  },
  'conversation.item.done': {
    type: 'conversation.item.done',
    event_id: 'event_9',
    previous_item_id: null,
    item: USER_ITEM,
  },
  'conversation.item.retrieved': {
    type: 'conversation.item.retrieved',
    event_id: 'event_10',
    item: ASSISTANT_ITEM,
  },
  'conversation.item.deleted': { type: 'conversation.item.deleted', event_id: 'event_11', item_id: 'item_old' },
  'conversation.item.truncated': {
    type: 'conversation.item.truncated',
    event_id: 'event_12',
    item_id: 'item_asst_1',
    content_index: 0,
    audio_end_ms: 1500,
  },
  'conversation.item.input_audio_transcription.completed': {
    type: 'conversation.item.input_audio_transcription.completed',
    event_id: 'event_13',
    item_id: 'item_user_1',
    content_index: 0,
    transcript: 'I would like to talk to someone about my bill.',
    usage: { type: 'tokens', total_tokens: 30, input_tokens: 20, output_tokens: 10 },
  },
  'conversation.item.input_audio_transcription.failed': {
    type: 'conversation.item.input_audio_transcription.failed',
    event_id: 'event_14',
    item_id: 'item_user_1',
    content_index: 0,
    error: { type: 'transcription_error', code: 'audio_unintelligible', message: 'The audio could not be transcribed.', param: null },
  },
  'response.created': {
    type: 'response.created',
    event_id: 'event_15',
    response: { object: 'realtime.response', id: 'resp_1', status: 'in_progress', status_details: null, output: [], usage: null },
  },
  'response.output_item.added': {
    type: 'response.output_item.added',
    event_id: 'event_16',
    response_id: 'resp_1',
    output_index: 0,
    item: { ...ASSISTANT_ITEM, status: 'in_progress', content: [] },
  },
  'response.output_item.done': {
    type: 'response.output_item.done',
    event_id: 'event_17',
    response_id: 'resp_1',
    output_index: 0,
    item: ASSISTANT_ITEM,
  },
  'response.output_audio.delta': {
    type: 'response.output_audio.delta',
    event_id: 'event_18',
    response_id: 'resp_1',
    item_id: 'item_asst_1',
    output_index: 0,
    content_index: 0,
    delta: PCM_BASE64,
  },
  'response.output_audio.done': {
    type: 'response.output_audio.done',
    event_id: 'event_19',
    response_id: 'resp_1',
    item_id: 'item_asst_1',
    output_index: 0,
    content_index: 0,
  },
  'response.output_audio_transcript.delta': {
    type: 'response.output_audio_transcript.delta',
    event_id: 'event_19',
    response_id: 'resp_1',
    item_id: 'item_asst_1',
    output_index: 0,
    content_index: 0,
    delta: 'Hello, how',
  },
  'response.output_audio_transcript.done': {
    type: 'response.output_audio_transcript.done',
    event_id: 'event_20',
    response_id: 'resp_1',
    item_id: 'item_asst_1',
    output_index: 0,
    content_index: 0,
    transcript: 'Hello, how can I help?',
  },
  'response.function_call_arguments.done': {
    type: 'response.function_call_arguments.done',
    event_id: 'event_21',
    response_id: 'resp_2',
    item_id: 'item_fc_1',
    output_index: 0,
    call_id: 'call_abc',
    name: 'transfer_to_human',
    arguments: '{"reason":"billing"}',
  },
  'response.done': {
    type: 'response.done',
    event_id: 'event_22',
    response: {
      object: 'realtime.response',
      id: 'resp_1',
      status: 'completed',
      status_details: null,
      output: [ASSISTANT_ITEM],
      conversation_id: 'conv_1',
      output_modalities: ['audio'],
      max_output_tokens: 'inf',
      audio: { output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin' } },
      usage: {
        total_tokens: 253,
        input_tokens: 132,
        output_tokens: 121,
        input_token_details: { text_tokens: 119, audio_tokens: 13, image_tokens: 0, cached_tokens: 64 },
        output_token_details: { text_tokens: 30, audio_tokens: 91 },
      },
      metadata: null,
    },
  },
};

const parse = (value: unknown) => parseServerEvent(JSON.stringify(value));

describe('parseServerEvent: valid events', () => {
  it.each(Object.entries(VALID_EVENTS))('parses %s, keeping every field', (_type, event) => {
    expect(parse(event)).toEqual({ kind: 'message', message: event });
  });

  it('parses a cancelled response.done after a barge-in, with its status details and no usage', () => {
    const event = {
      type: 'response.done',
      event_id: 'event_30',
      response: {
        id: 'resp_3',
        status: 'cancelled',
        status_details: { type: 'cancelled', reason: 'turn_detected' },
        output: [],
        usage: null,
      },
    };
    const parsed = parse(event);
    expect(parsed).toEqual({ kind: 'message', message: event });
    if (parsed.kind !== 'message' || parsed.message.type !== 'response.done') throw new Error('expected response.done');
    expect(parsed.message.response.status_details?.reason).toBe('turn_detected');
  });

  it('parses a failed response.done with an error in its status details', () => {
    const event = {
      type: 'response.done',
      event_id: 'event_31',
      response: {
        id: 'resp_4',
        status: 'failed',
        status_details: { type: 'failed', error: { type: 'server_error', code: 'internal_error' } },
      },
    };
    expect(parse(event)).toEqual({ kind: 'message', message: event });
  });

  it('parses a response.done carrying a function call item', () => {
    const event = {
      type: 'response.done',
      event_id: 'event_32',
      response: { id: 'resp_2', status: 'completed', status_details: null, output: [FUNCTION_CALL_ITEM] },
    };
    const parsed = parse(event);
    if (parsed.kind !== 'message' || parsed.message.type !== 'response.done') throw new Error('expected response.done');
    expect(parsed.message.response.output?.[0]).toEqual(FUNCTION_CALL_ITEM);
  });

  it('parses an error event with only the required fields', () => {
    const event = { type: 'error', event_id: 'event_33', error: { type: 'server_error', message: 'Something went wrong' } };
    expect(parse(event)).toEqual({ kind: 'message', message: event });
  });

  it('parses the error the service sends for the beta header', () => {
    const event = {
      type: 'error',
      event_id: 'event_34',
      error: { type: 'invalid_request_error', code: 'beta_api_shape_disabled', message: 'The beta API shape is disabled.', param: null, event_id: null },
    };
    expect(parse(event)).toEqual({ kind: 'message', message: event });
  });

  it('parses a user item added with input_audio content whose transcript is null', () => {
    const parsed = parse(VALID_EVENTS['conversation.item.added']);
    if (parsed.kind !== 'message' || parsed.message.type !== 'conversation.item.added') throw new Error('expected item.added');
    expect(parsed.message.item.content).toEqual([{ type: 'input_audio', transcript: null }]);
    expect(itemText(parsed.message.item)).toBeUndefined();
  });

  it('parses an audio delta whose delta is empty', () => {
    const event = { ...VALID_EVENTS['response.output_audio.delta'], delta: '' };
    expect(parse(event).kind).toBe('message');
  });
});

describe('parseServerEvent: unknown types', () => {
  it.each([
    'rate_limits.updated',
    'response.content_part.added',
    'response.content_part.done',
    'response.function_call_arguments.delta',
    'conversation.item.input_audio_transcription.delta',
    'input_audio_buffer.cleared',
    'response.audio.delta',
    'some.future.event',
  ])('reports %s as unknown', (type) => {
    expect(parse({ type, event_id: 'event_99', anything: [1, 2, 3] })).toEqual({ kind: 'unknown', type });
  });

  it('reports an unknown type as unknown even when the rest is junk', () => {
    expect(parse({ type: 'rate_limits.updated' })).toEqual({ kind: 'unknown', type: 'rate_limits.updated' });
  });
});

describe('parseServerEvent: malformed events', () => {
  const without = (type: string, key: string): Record<string, unknown> => {
    const { [key]: _dropped, ...rest } = VALID_EVENTS[type] ?? {};
    return rest;
  };

  const cases: Array<[string, string]> = [
    ['not JSON', '{"type":'],
    ['JSON null', 'null'],
    ['a JSON array', '[{"type":"error"}]'],
    ['a missing type', JSON.stringify(without('response.created', 'type'))],
    ['a numeric type', JSON.stringify({ ...VALID_EVENTS['response.created'], type: 1 })],
    ['an audio delta whose delta is not base64', JSON.stringify({ ...VALID_EVENTS['response.output_audio.delta'], delta: 'not base64!' })],
    ['an audio delta whose delta is a number', JSON.stringify({ ...VALID_EVENTS['response.output_audio.delta'], delta: 12 })],
    ['a missing event_id', JSON.stringify(without('response.output_audio.delta', 'event_id'))],
    ['a missing item_id on speech_started', JSON.stringify(without('input_audio_buffer.speech_started', 'item_id'))],
    ['a missing item_id on an audio delta', JSON.stringify(without('response.output_audio.delta', 'item_id'))],
    ['a missing item_id on transcription.completed', JSON.stringify(without('conversation.item.input_audio_transcription.completed', 'item_id'))],
    ['response.done without response.id', JSON.stringify({ type: 'response.done', event_id: 'e', response: { status: 'completed' } })],
    ['response.done without a response', JSON.stringify(without('response.done', 'response'))],
    ['response.created without response.id', JSON.stringify({ type: 'response.created', event_id: 'e', response: {} })],
    ['response.done with a non-numeric usage count', JSON.stringify({
      type: 'response.done',
      event_id: 'e',
      response: { id: 'resp_1', status: 'completed', usage: { total_tokens: '1', input_tokens: 1, output_tokens: 0 } },
    })],
    ['an error event without a message', JSON.stringify({ type: 'error', event_id: 'e', error: { type: 'server_error' } })],
    ['an item with an unknown role', JSON.stringify({ ...VALID_EVENTS['conversation.item.done'], item: { ...USER_ITEM, role: 'robot' } })],
    ['an item without an id', JSON.stringify({ type: 'conversation.item.done', event_id: 'e', item: { type: 'message' } })],
    ['a transcript that is null on transcription.completed', JSON.stringify({
      ...VALID_EVENTS['conversation.item.input_audio_transcription.completed'],
      transcript: null,
    })],
  ];

  it.each(cases)('reports %s as malformed with a reason', (_name, raw) => {
    const parsed = parseServerEvent(raw);
    expect(parsed.kind).toBe('malformed');
    if (parsed.kind !== 'malformed') throw new Error('expected malformed');
    expect(parsed.reason.length).toBeGreaterThan(0);
  });

  it('names the event type and the offending field in the reason', () => {
    const parsed = parse(without('response.output_audio.delta', 'item_id'));
    if (parsed.kind !== 'malformed') throw new Error('expected malformed');
    expect(parsed.reason).toMatch(/^response\.output_audio\.delta: item_id /);
    const noId = parse({ type: 'response.done', event_id: 'e', response: { status: 'completed' } });
    if (noId.kind !== 'malformed') throw new Error('expected malformed');
    expect(noId.reason).toMatch(/^response\.done: response\.id /);
  });
});

describe('parseServerEvent: the audio delta fast path agrees with the schema', () => {
  const DELTA = VALID_EVENTS['response.output_audio.delta'] ?? {};
  const delta = (patch: Record<string, unknown>) => {
    const event: Record<string, unknown> = { ...DELTA, ...patch };
    for (const key of Object.keys(patch)) if (patch[key] === undefined) delete event[key];
    return JSON.stringify(event);
  };
  const withDelta = (value: unknown) => delta({ delta: value });

  const valid: Array<[string, string]> = [
    ['the GA example', JSON.stringify(DELTA)],
    ['unknown fields, kept after the known ones', JSON.stringify({ obfuscation: 'x', ...DELTA, extra: { deep: [1] } })],
    ['unknown fields named like Object.prototype members', delta({ toString: 'x', constructor: 1, hasOwnProperty: null })],
    ['an own __proto__ key', JSON.stringify(DELTA).replace('{', '{"__proto__":{"polluted":true},')],
    ['fields in another order', JSON.stringify(Object.fromEntries(Object.entries(DELTA).reverse()))],
    ['negative and fractional indexes', delta({ output_index: -1, content_index: 0.5 })],
    ['an empty event_id', delta({ event_id: '' })],
    ...GOOD_BASE64.map(([name, value]): [string, string] => [`a delta ${name}`, withDelta(value)]),
  ];

  const malformed: Array<[string, string]> = [
    ['a missing event_id', delta({ event_id: undefined })],
    ['a numeric event_id', delta({ event_id: 18 })],
    ['a null response_id', delta({ response_id: null })],
    ['a missing response_id', delta({ response_id: undefined })],
    ['a missing item_id', delta({ item_id: undefined })],
    ['an item_id object', delta({ item_id: { id: 'item_asst_1' } })],
    ['a string output_index', delta({ output_index: '0' })],
    ['a missing content_index', delta({ content_index: undefined })],
    ['a null content_index', delta({ content_index: null })],
    ['an output_index that overflows to Infinity', delta({ output_index: 0 }).replace('"output_index":0', '"output_index":1e999')],
    ['a content_index that overflows to -Infinity', delta({ content_index: 0 }).replace('"content_index":0', '"content_index":-1e999')],
    ...BAD_BASE64.map(([name, value]): [string, string] => [`a delta ${name}`, withDelta(value)]),
  ];

  itAgreesWithTheSchema({ type: 'response.output_audio.delta', schema: serverEventSchema, fastPath: audioDeltaFastPath, parse: parseServerEvent, valid, malformed });

  it('rejects a bad delta with the message of before', () => {
    expect(parseServerEvent(withDelta('A=AA'))).toEqual({
      kind: 'malformed',
      reason: 'response.output_audio.delta: delta expected base64',
    });
  });
});

describe('itemText', () => {
  const message = (content: RealtimeItem['content']): RealtimeItem => ({ id: 'item_1', type: 'message', content });

  it('reads output_text', () => {
    expect(itemText(message([{ type: 'output_text', text: 'Sure, one moment.' }]))).toBe('Sure, one moment.');
  });

  it('reads input_text', () => {
    expect(itemText(message([{ type: 'input_text', text: 'Summary so far: ...' }]))).toBe('Summary so far: ...');
  });

  it('reads the transcript of audio parts, input and output', () => {
    expect(itemText(message([{ type: 'output_audio', transcript: 'Hello there.' }]))).toBe('Hello there.');
    expect(itemText(message([{ type: 'input_audio', transcript: 'Hi.' }]))).toBe('Hi.');
  });

  it('reads the older text/audio part names leniently', () => {
    expect(itemText(message([{ type: 'text', text: 'old text' }]))).toBe('old text');
    expect(itemText(message([{ type: 'audio', transcript: 'old audio' }]))).toBe('old audio');
  });

  it('joins several parts with a space and skips parts without text', () => {
    expect(
      itemText(
        message([
          { type: 'input_text', text: 'first' },
          { type: 'input_audio', transcript: null },
          { type: 'input_audio', transcript: 'second' },
        ]),
      ),
    ).toBe('first second');
  });

  it('returns undefined when no part carries text', () => {
    expect(itemText(message([{ type: 'input_audio', transcript: null }]))).toBeUndefined();
    expect(itemText(message([{ type: 'input_audio' }]))).toBeUndefined();
    expect(itemText(message([]))).toBeUndefined();
    expect(itemText({ id: 'item_2', type: 'function_call', call_id: 'c', name: 'n', arguments: '{}' })).toBeUndefined();
  });

  it('works on an item straight from a parsed event', () => {
    const parsed = parse(VALID_EVENTS['response.output_item.done']);
    if (parsed.kind !== 'message' || parsed.message.type !== 'response.output_item.done') throw new Error('expected item.done');
    expect(itemText(parsed.message.item)).toBe('Hello, how can I help?');
  });
});
