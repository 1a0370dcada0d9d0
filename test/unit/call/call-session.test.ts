import { EventEmitter } from 'node:events';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadResamplerEngine, type ResamplerEngine } from '../../../src/audio/resampler.js';
import { CallSession, type CallEnd, type CallSessionOptions } from '../../../src/call/call-session.js';
import type { BotTurn } from '../../../src/call/turn-timeline.js';
import type { ModelLink, ReadyInfo } from '../../../src/call/model-link.js';
import type { Summarizer } from '../../../src/conversation/summarizer.js';
import { silentLogger } from '../../../src/log.js';
import type { RealtimeClientEvent } from '../../../src/realtime/client-events.js';
import { parseServerEvent, type RealtimeServerEvent } from '../../../src/realtime/server-events.js';
import type { MediaStreamSink, StreamStart, TwilioMediaStream } from '../../../src/telephony/media-stream.js';
import { ToolRegistry } from '../../../src/tools/registry.js';
import { ToolError, type Tool } from '../../../src/tools/tool.js';

/** The model side as the session sees it: records what it was sent, emits what the test says. */
class FakeModelLink extends EventEmitter<{ ready: [ReadyInfo]; event: [RealtimeServerEvent]; lost: [unknown]; failed: []; rejected: [string]; droppedAudio: [number] }> {
  readonly sent: RealtimeClientEvent[] = [];
  appendedMs = 0;
  closed = false;
  send(event: RealtimeClientEvent): boolean {
    this.sent.push(event);
    return true;
  }
  appendAudio(_pcm: string, ms: number): void {
    this.appendedMs += ms;
  }
  /** The fake's input-audio clock is the test's clock. */
  audioReceivedAtMs(audioMs: number): number {
    return audioMs;
  }
  close(): void {
    this.closed = true;
  }
  /** Validated like a real frame, so the tests can only send what the service could. */
  serverSends(event: Record<string, unknown>): void {
    const parsed = parseServerEvent(JSON.stringify({ event_id: `ev_${this.sent.length}`, ...event }));
    if (parsed.kind !== 'message') throw new Error(`not a valid server event: ${JSON.stringify(parsed)}`);
    this.emit('event', parsed.message);
  }
  sentOf(type: string): RealtimeClientEvent[] {
    return this.sent.filter((event) => event.type === type);
  }
}

/** Twilio's side: records media, marks and clears; the test echoes marks as Twilio would. */
class FakeStream extends EventEmitter<{ dtmf: [string]; stop: []; closed: [unknown] }> {
  readonly streamSid = 'MZ00000000000000000000000000000001';
  sink: MediaStreamSink | undefined;
  readonly marks: string[] = [];
  readonly payloads: string[] = [];
  clears = 0;
  closed = false;
  get media(): number {
    return this.payloads.length;
  }
  sendMedia(mulawBase64: string): boolean {
    this.payloads.push(mulawBase64);
    return true;
  }
  sendMark(name: string): void {
    this.marks.push(name);
  }
  together(send: () => void): void {
    send();
  }
  deliverTo(sink: MediaStreamSink): void {
    this.sink = sink;
  }
  clear(): void {
    this.clears++;
  }
  close(): void {
    this.closed = true;
  }
  echoAllMarks(): void {
    for (const mark of this.marks.splice(0)) this.sink?.mark(mark);
  }
}

const START: StreamStart = {
  streamSid: 'MZ00000000000000000000000000000001',
  callSid: 'CA00000000000000000000000000000001',
  accountSid: 'AC00000000000000000000000000000001',
  tracks: ['inbound'],
  encoding: 'audio/x-mulaw',
  sampleRate: 8000,
  customParameters: {},
};

const summarizer: Summarizer = {
  model: 'fake',
  summarizeInCall: async () => ({ facts: [], synopsis: 'The caller wants a refund.' }),
  summarizeCall: async () => {
    throw new Error('not used');
  },
};

let engine: ResamplerEngine;
beforeAll(async () => {
  engine = await loadResamplerEngine();
});

/** A session on fakes, not yet given its stream; `ended` collects how it ended. */
function newSession(link: FakeModelLink, overrides: Partial<CallSessionOptions> = {}) {
  const session = new CallSession({
    callSid: START.callSid,
    engine,
    createModelLink: () => link as unknown as ModelLink,
    greeting: 'Greet the caller.',
    summarizer,
    summarization: { triggerTokens: 100_000, keepTurns: 6 },
    summaryLanguage: undefined,
    logger: silentLogger(),
    now: () => 0,
    tools: new ToolRegistry([]),
    parties: { from: '+14155550100', to: '+15005550006' },
    ...overrides,
  });
  const ended: CallEnd[] = [];
  session.on('ended', (end) => ended.push(end));
  return { session, ended };
}

function setup(options: { tools?: Tool[]; handoffEnabled?: boolean } = {}) {
  const link = new FakeModelLink();
  const stream = new FakeStream();
  let nowMs = 0;
  const { session, ended } = newSession(link, {
    now: () => nowMs,
    tools: new ToolRegistry(options.tools ?? []),
    handoffEnabled: options.handoffEnabled ?? false,
  });
  link.emit('ready', { reconnected: false, gapMs: 0 });
  session.attachStream(stream as unknown as TwilioMediaStream, START);
  return { session, link, stream, ended, advance: (ms: number) => (nowMs += ms) };
}

/** 100 ms of PCM16 24 kHz silence, base64: one audio delta. */
const DELTA = Buffer.alloc(4800).toString('base64');

function speak(link: FakeModelLink, responseId: string, itemId: string, deltas: number): void {
  link.serverSends({ type: 'response.created', response: { id: responseId, object: 'realtime.response', status: 'in_progress', output: [] } });
  link.serverSends({
    type: 'response.output_item.added',
    response_id: responseId,
    output_index: 0,
    item: { id: itemId, type: 'message', role: 'assistant', status: 'in_progress', content: [] },
  });
  for (let index = 0; index < deltas; index++) {
    link.serverSends({ type: 'response.output_audio.delta', response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, delta: DELTA });
  }
}

function finish(link: FakeModelLink, responseId: string): void {
  link.serverSends({ type: 'response.done', response: { id: responseId, object: 'realtime.response', status: 'completed', output: [] } });
}

function callTool(link: FakeModelLink, responseId: string, index: number, name: string, args: string): void {
  link.serverSends({
    type: 'response.function_call_arguments.done',
    response_id: responseId,
    item_id: `item_fc${index}`,
    output_index: index,
    call_id: `call_${index}`,
    name,
    arguments: args,
  });
}

const outputs = (link: FakeModelLink) =>
  link.sentOf('conversation.item.create').map((event) => (event as { item: { call_id?: string; output?: string } }).item);

afterEach(() => {
  vi.useRealTimers();
});

describe('CallSession', () => {
  it("times each bot turn from the caller's end of speech to the first echo, and puts it on the turn", () => {
    const { session, link, stream, advance } = setup();
    const botTurns: BotTurn[] = [];
    session.on('botTurn', (turn) => botTurns.push(turn));
    link.serverSends({ type: 'input_audio_buffer.speech_started', audio_start_ms: 200, item_id: 'item_u1' });
    advance(1500);
    link.serverSends({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 1480, item_id: 'item_u1' });
    advance(400);
    link.serverSends({ type: 'response.output_audio_transcript.done', response_id: 'resp_2', item_id: 'item_2', output_index: 0, content_index: 0, transcript: 'Sure.' });
    speak(link, 'resp_2', 'item_2', 2);
    advance(100);
    stream.echoAllMarks();
    finish(link, 'resp_2');

    expect(botTurns).toHaveLength(1);
    expect(botTurns[0]).toMatchObject({
      itemId: 'item_2',
      timing: { responseId: 'resp_2', speechEndedMs: 1480, firstDeltaMs: 1900, sentMs: 1900, heardMs: 2000, audioMs: 200, modelLatencyMs: 420, bridgeLatencyMs: 0, playbackStartMs: 100, totalMs: 520 },
    });
    expect(session.transcript.turns().find((turn) => turn.itemId === 'item_2')?.timing).toEqual(botTurns[0]!.timing);
  });

  it('keeps the turn of a response still running when the call ends, with what the caller heard of it', () => {
    const { session, link, stream, advance } = setup();
    const turns: { itemId: string; text: string; heardText: string; interrupted: boolean }[] = [];
    session.on('turn', (turn) => turns.push(turn));
    const sentence = 'one two three four five six seven eight nine ten';
    link.serverSends({ type: 'response.output_audio_transcript.done', response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 0, transcript: sentence });
    speak(link, 'resp_1', 'item_1', 10);
    stream.echoAllMarks();
    link.serverSends({ type: 'response.output_audio_transcript.done', response_id: 'resp_2', item_id: 'item_2', output_index: 0, content_index: 0, transcript: sentence });
    speak(link, 'resp_2', 'item_2', 10);
    // The first second of the second response is sent; its first 300 ms have been echoed as played.
    stream.marks.splice(3);
    stream.echoAllMarks();
    advance(100);
    expect(turns).toEqual([]);

    stream.emit('stop');
    expect(turns.map(({ itemId, heardText, interrupted }) => ({ itemId, heardText, interrupted }))).toEqual([
      { itemId: 'item_1', heardText: sentence, interrupted: false },
      { itemId: 'item_2', heardText: 'one two three four', interrupted: true },
    ]);
  });

  it('greets once the model is ready, and plays each delta at once with its own mark', () => {
    const { link, stream } = setup();
    expect(link.sent[0]).toEqual({ type: 'response.create', response: { instructions: 'Greet the caller.' } });
    speak(link, 'resp_1', 'item_1', 3);
    expect(stream.media).toBe(3);
    expect(stream.marks).toHaveLength(3);
  });

  it('never sends Twilio an empty media message, whatever the model sends', () => {
    const { link, stream } = setup();
    speak(link, 'resp_1', 'item_1', 0);
    for (const delta of ['', '', 'AA==', 'AAA=', '']) {
      link.serverSends({ type: 'response.output_audio.delta', response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 0, delta });
    }
    expect(stream.media).toBeLessThanOrEqual(1);
    for (const payload of stream.payloads) expect(Buffer.from(payload, 'base64').length).toBeGreaterThan(0);
    expect(stream.marks).toHaveLength(stream.media);
  });

  it('turns fuzzed model audio into valid, non-empty media only', () => {
    const { link, stream } = setup();
    speak(link, 'resp_1', 'item_1', 0);
    // A fixed-seed generator: the same 400 deltas of 0-9 random bytes every run.
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let index = 0; index < 400; index++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(random() * 10) }, () => Math.floor(random() * 256)));
      link.serverSends({ type: 'response.output_audio.delta', response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 0, delta: bytes.toString('base64') });
    }
    expect(stream.media).toBeGreaterThan(0);
    for (const payload of stream.payloads) {
      expect(payload).toMatch(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
      expect(Buffer.from(payload, 'base64').length).toBeGreaterThan(0);
    }
    expect(stream.marks).toHaveLength(stream.media);
  });

  it('contains a fault in its own event handling: the call ends as failed, nothing is thrown at the socket', () => {
    const { link, session, ended } = setup();
    const faults: string[] = [];
    session.on('fault', ({ where }) => faults.push(where));
    session.on('turn', () => {
      throw new Error('a bug in an observer');
    });
    expect(() => {
      link.serverSends({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'item_u1', content_index: 0, transcript: 'hello' });
    }).not.toThrow();
    expect(faults).toEqual(['model event']);
    expect(ended).toEqual([expect.objectContaining({ status: 'failed', reason: 'internal error (model event)' })]);
    expect(link.closed).toBe(true);
  });

  it('stops the bot when the caller talks over it: clear, truncate at what was heard, cancel', () => {
    const { link, stream, session, advance } = setup();
    const bargeIns: number[] = [];
    session.on('bargeIn', ({ interrupted }) => bargeIns.push(interrupted.length));
    speak(link, 'resp_1', 'item_1', 10);
    advance(250);
    link.serverSends({ type: 'input_audio_buffer.speech_started', audio_start_ms: 1000, item_id: 'item_u1' });
    expect(stream.clears).toBe(1);
    expect(link.sentOf('conversation.item.truncate')).toEqual([
      { type: 'conversation.item.truncate', item_id: 'item_1', content_index: 0, audio_end_ms: 250 },
    ]);
    expect(link.sentOf('response.cancel')).toEqual([{ type: 'response.cancel', response_id: 'resp_1' }]);
    expect(bargeIns).toEqual([1]);
    expect(session.figures.bargeIns).toBe(1);
  });

  it('answers a tool call as soon as the handler does, and asks for one response after the response is done', async () => {
    let release!: (value: unknown) => void;
    const lookup: Tool = {
      name: 'lookup_order',
      description: 'Look up an order',
      parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] },
      handler: (args) => new Promise((resolve) => (release = () => resolve({ orderId: args['orderId'], status: 'shipped' }))),
    };
    const { link, session } = setup({ tools: [lookup] });
    const calls: string[] = [];
    session.on('toolCall', (record) => calls.push(`${record.name}:${record.outcome}`));
    link.serverSends({ type: 'response.created', response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] } });
    callTool(link, 'resp_1', 0, 'lookup_order', '{"orderId":"4572"}');
    finish(link, 'resp_1');
    expect(link.sentOf('response.create')).toHaveLength(1);
    release(undefined);
    await vi.waitFor(() => expect(outputs(link)).toHaveLength(1));
    expect(outputs(link)[0]).toEqual({ type: 'function_call_output', call_id: 'call_0', output: '{"orderId":"4572","status":"shipped"}' });
    expect(link.sent.at(-1)).toEqual({ type: 'response.create' });
    expect(calls).toEqual(['lookup_order:ok']);
    expect(session.transcript.turns()).toMatchObject([{ role: 'tool', text: 'lookup_order({"orderId":"4572"})' }]);
  });

  it('is not quiet enough to rotate the model session while the model owes a reply: to the caller, or to a tool output', async () => {
    let release!: (value: unknown) => void;
    const lookup: Tool = {
      name: 'lookup_order',
      description: 'Look up an order',
      parameters: { type: 'object', properties: {} },
      handler: () => new Promise((resolve) => (release = () => resolve({ status: 'shipped' }))),
    };
    const link = new FakeModelLink();
    let isQuiet!: () => boolean;
    let nowMs = 0;
    newSession(link, {
      now: () => nowMs,
      tools: new ToolRegistry([lookup]),
      createModelLink: (hooks) => {
        isQuiet = hooks.isQuiet;
        return link as unknown as ModelLink;
      },
    });
    link.emit('ready', { reconnected: false, gapMs: 0 });
    expect(isQuiet()).toBe(true);
    link.serverSends({ type: 'input_audio_buffer.speech_started', audio_start_ms: 0, item_id: 'item_u1' });
    expect(isQuiet()).toBe(false);
    link.serverSends({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 900, item_id: 'item_u1' });
    // The caller is done, and the model's reply to what they said has not begun.
    expect(isQuiet()).toBe(false);
    link.serverSends({ type: 'response.created', response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] } });
    callTool(link, 'resp_1', 0, 'lookup_order', '{}');
    finish(link, 'resp_1');
    // Nothing is playing and nobody speaks, but the tool runs: its output is for this session.
    expect(isQuiet()).toBe(false);
    release(undefined);
    await vi.waitFor(() => expect(link.sent.at(-1)).toEqual({ type: 'response.create' }));
    // The reply is asked for and not yet created.
    expect(isQuiet()).toBe(false);
    link.serverSends({ type: 'response.created', response: { id: 'resp_2', object: 'realtime.response', status: 'in_progress', output: [] } });
    expect(isQuiet()).toBe(false);
    finish(link, 'resp_2');
    expect(isQuiet()).toBe(true);
    // A pause the model does not answer holds a rotation back for a while only.
    link.serverSends({ type: 'input_audio_buffer.speech_started', audio_start_ms: 2000, item_id: 'item_u2' });
    link.serverSends({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 2500, item_id: 'item_u2' });
    expect(isQuiet()).toBe(false);
    nowMs += 5000;
    expect(isQuiet()).toBe(true);
  });

  it('gives every call of a response its output, failures included, then one response.create', async () => {
    const failing: Tool = {
      name: 'book',
      description: 'Book a slot',
      parameters: { type: 'object', properties: {} },
      handler: async () => {
        throw new ToolError('no free slot');
      },
    };
    const { link } = setup({ tools: [failing] });
    link.serverSends({ type: 'response.created', response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] } });
    callTool(link, 'resp_1', 0, 'book', '{}');
    callTool(link, 'resp_1', 1, 'no_such_tool', '{}');
    callTool(link, 'resp_1', 2, 'book', 'not json');
    finish(link, 'resp_1');
    await vi.waitFor(() => expect(outputs(link)).toHaveLength(3));
    const byCall = Object.fromEntries(outputs(link).map((item) => [item.call_id, JSON.parse(item.output!) as { error: string }]));
    expect(byCall['call_0']!.error).toContain('no free slot');
    expect(byCall['call_1']!.error).toContain('no tool named no_such_tool');
    expect(byCall['call_2']!.error).toContain('invalid arguments');
    await vi.waitFor(() => expect(link.sentOf('response.create')).toHaveLength(2));
  });

  it('ends the call once the goodbye after end_call has played, with the reason', () => {
    const { link, stream, ended, session } = setup();
    link.serverSends({ type: 'response.created', response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] } });
    callTool(link, 'resp_1', 0, 'end_call', '{"reason":"caller said goodbye"}');
    finish(link, 'resp_1');
    expect(outputs(link)).toEqual([{ type: 'function_call_output', call_id: 'call_0', output: '{"ok":true}' }]);
    expect(link.sent.at(-1)).toEqual({ type: 'response.create' });

    speak(link, 'resp_2', 'item_bye', 5);
    finish(link, 'resp_2');
    expect(session.isEnded).toBe(false);
    stream.echoAllMarks();
    expect(ended).toEqual([expect.objectContaining({ status: 'completed', reason: 'the bot ended the call: caller said goodbye' })]);
    expect(stream.closed).toBe(true);
  });

  it('does not hang up on a caller who talks over the goodbye', () => {
    const { link, stream, session } = setup();
    link.serverSends({ type: 'response.created', response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] } });
    callTool(link, 'resp_1', 0, 'end_call', '{}');
    finish(link, 'resp_1');
    speak(link, 'resp_2', 'item_bye', 5);
    link.serverSends({ type: 'input_audio_buffer.speech_started', audio_start_ms: 1000, item_id: 'item_u1' });
    finish(link, 'resp_2');
    stream.echoAllMarks();
    expect(session.isEnded).toBe(false);
  });

  it('sends a burst of key presses to the model as the caller\'s words, 1.5 s after the last key or at once on #', () => {
    vi.useFakeTimers();
    const { link, stream, session } = setup();
    const before = link.sent.length;
    for (const digit of ['4', '5']) stream.emit('dtmf', digit);
    vi.advanceTimersByTime(1400);
    stream.emit('dtmf', '7');
    vi.advanceTimersByTime(1400);
    expect(link.sent.length).toBe(before);
    vi.advanceTimersByTime(100);
    const [item] = link.sent.slice(before).filter((event) => event.type === 'conversation.item.create') as { item: { role: string; content: { type: string; text: string }[] } }[];
    expect(item!.item.role).toBe('user');
    expect(item!.item.content[0]).toEqual({ type: 'input_text', text: expect.stringContaining('4 5 7') });
    expect(link.sent.at(-1)).toEqual({ type: 'response.create' });

    stream.emit('dtmf', '1');
    stream.emit('dtmf', '#');
    expect(link.sentOf('conversation.item.create')).toHaveLength(2);
    expect(session.transcript.turns().map((turn) => turn.keys)).toEqual(['457', '1#']);
  });

  it('waits for a running response before asking for the answer to key presses', () => {
    vi.useFakeTimers();
    const { link, stream } = setup();
    speak(link, 'resp_1', 'item_1', 2);
    const creates = link.sentOf('response.create').length;
    stream.emit('dtmf', '#');
    expect(link.sentOf('response.create')).toHaveLength(creates);
    finish(link, 'resp_1');
    expect(link.sentOf('response.create')).toHaveLength(creates + 1);
  });

  it('transfers only after the announcement played, with a whisper made at transfer time', async () => {
    const { link, stream, session, ended } = setup({ handoffEnabled: true });
    const handoffs: unknown[] = [];
    session.on('handoff', (handoff) => handoffs.push(handoff));
    link.serverSends({ type: 'response.created', response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [] } });
    callTool(link, 'resp_1', 0, 'transfer_to_human', '{"reason":"refund request"}');
    finish(link, 'resp_1');
    speak(link, 'resp_2', 'item_announce', 3);
    finish(link, 'resp_2');
    stream.echoAllMarks();
    await vi.waitFor(() => expect(ended).toHaveLength(1));
    expect(ended[0]!.reason).toBe('transferred to a human');
    expect(handoffs).toEqual([{ reason: 'refund request', whisper: expect.stringContaining('Reason: refund request') }]);
  });

  function withoutStream(streamElsewhere?: () => Promise<boolean>) {
    const link = new FakeModelLink();
    return { link, ...newSession(link, { streamTimeoutMs: 5000, ...(streamElsewhere ? { streamElsewhere } : {}) }) };
  }

  it('greets only once the stream is there, so a stream that went to another instance costs no greeting', () => {
    const { link, session } = withoutStream();
    link.emit('ready', { reconnected: false, gapMs: 0 });
    expect(link.sentOf('response.create')).toEqual([]);
    session.attachStream(new FakeStream() as unknown as TwilioMediaStream, START);
    expect(link.sentOf('response.create')).toEqual([{ type: 'response.create', response: { instructions: 'Greet the caller.' } }]);
  });

  it('fails the call when Twilio never opens the stream', async () => {
    vi.useFakeTimers();
    const { link, ended } = withoutStream(async () => false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(ended).toEqual([expect.objectContaining({ status: 'failed', reason: 'media stream never connected' })]);
    expect(link.closed).toBe(true);
  });

  it('closes its model session quietly when another instance took the stream', async () => {
    vi.useFakeTimers();
    const { link, ended } = withoutStream(async () => true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(ended).toEqual([expect.objectContaining({ servedElsewhere: true })]);
    expect(link.closed).toBe(true);
  });
});
