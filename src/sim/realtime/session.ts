import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { z } from 'zod';
import { decodeMulaw, encodeMulaw } from '../../audio/g711.js';
import { pcm16FromBytes } from '../../audio/pcm.js';
import { voiceClip } from '../assets.js';
import type { ScriptCursor, ScriptedTool } from '../scenarios.js';
import { CLIENT_EVENT_TYPES, clientEventSchema, type ClientEvent, type clientItemSchema } from './client-events.js';
import { deepMerge, defaultSession, itemPlainText, wireItem, type ReceivedEvent, type SimItem } from './items.js';
import { EnergyVad, type VadEvent } from './vad.js';

export type { ReceivedEvent, SimContentPart, SimItem } from './items.js';

/** How the simulated model paces itself. */
export interface SimTiming {
  /**
   * The model's thinking time: from the end of the caller's turn (or response.create) to the first
   * audio delta, or to the function calls. A fixed delay, or one drawn uniformly from a range for each response.
   */
  modelLatencyMs: number | { minMs: number; maxMs: number };
  /** Audio per delta, in ms. */
  deltaMs: number;
  /** Generation speed relative to real time (the real service is faster than real time). */
  speed: number;
  /** From commit to the input transcription. */
  transcriptionDelayMs: number;
  /** A cancellation takes effect this late, with deltas still flowing meanwhile (in-flight audio). */
  cancelLagMs: number;
}

export const DEFAULT_SIM_TIMING: SimTiming = {
  modelLatencyMs: 250,
  deltaMs: 100,
  speed: 4,
  transcriptionDelayMs: 150,
  cancelLagMs: 0,
};

interface ActiveResponse {
  id: string;
  item: SimItem;
  pcm: Int16Array;
  text: string;
  /** Everything generated, as streamed in transcript deltas (the item itself may be truncated). */
  transcript: string;
  sentSamples: number;
  startedAtMs: number;
  timers: NodeJS.Timeout[];
  cancelling: boolean;
}

const MAX_ITEM_ID_LENGTH = 32;
/** callbridge's ids for history it seeds into a new session: those user turns were answered in the old one. */
const SEEDED_ITEM_PREFIX = 'cb_';
const AUDIO_TOKENS_PER_SECOND = 10;

export const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('base64url').slice(0, 16)}`;

/**
 * One simulated Realtime session on one socket: the GA protocol of protocols.md 2, with an energy VAD
 * on the appended audio, scripted transcripts, real recorded speech as the voice, usage that grows
 * with the context, and the real service's validation errors.
 */
export class SimSession {
  readonly id = newId('sess');
  readonly items: SimItem[] = [];
  readonly received: ReceivedEvent[] = [];
  /** Every audio delta sent: when, for which response, and how much audio (ms). */
  readonly deltasSent: { atMs: number; responseId: string; ms: number }[] = [];
  /** When each speech_started was sent. */
  readonly speechStartsAtMs: number[] = [];
  /** When each function call's arguments were complete (response.function_call_arguments.done sent), by call_id. */
  readonly functionCallsDoneAtMs = new Map<string, number>();
  /**
   * Every response started: when it was created and finished, and which clip it spoke
   * (`tool:lookup_order+end_call` for a response of function calls).
   */
  readonly responses: { id: string; createdAtMs: number; doneAtMs?: number; status?: string; reply: string }[] = [];
  readonly #socket: WebSocket;
  readonly #script: ScriptCursor;
  readonly #timing: SimTiming;
  readonly #now: () => number;
  #config: Record<string, unknown>;
  #vad: EnergyVad;
  #uncommittedMs = 0;
  #speechItemId: string | undefined;
  #speechStartMs = 0;
  #active: ActiveResponse | undefined;
  #pendingReply: string | undefined;
  #pendingTools: ScriptedTool[] = [];
  /**
   * A user text message the client created since the last response and the last committed audio turn:
   * the next response answers it as the script's next turn (callbridge sends key presses this way).
   */
  #unansweredText = false;
  #greeted = false;
  #silent = false;
  #audioSent = false;
  #closed = false;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(socket: WebSocket, model: string, script: ScriptCursor, timing: SimTiming, now: () => number) {
    this.#socket = socket;
    this.#script = script;
    this.#timing = timing;
    this.#now = now;
    this.#config = defaultSession(this.id, model);
    this.#vad = this.#makeVad();
    socket.on('message', (data) => this.#onMessage(data.toString()));
    socket.on('close', () => this.#shutdown());
    socket.on('ping', (data) => {
      if (!this.#silent) socket.pong(data);
    });
    this.#emit({ type: 'session.created', session: this.#config });
  }

  /** False once either side closed the socket. */
  get isOpen(): boolean {
    return !this.#closed && this.#socket.readyState === this.#socket.OPEN;
  }

  get session(): Readonly<Record<string, unknown>> {
    return this.#config;
  }

  /** Client events of one type, in arrival order. */
  receivedOf(type: string): ReceivedEvent[] {
    return this.received.filter((entry) => entry.event.type === type);
  }

  /** Answers nothing from now on, pings included, while the socket stays open (a half-open connection). */
  goSilent(): void {
    this.#silent = true;
  }

  /** Drops the socket without a close handshake, as a network failure would. */
  drop(): void {
    this.#socket.terminate();
    this.#shutdown();
  }

  #onMessage(raw: string): void {
    if (this.#closed) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.#error('invalid_request_error', 'invalid_json', 'Invalid JSON in message.', null);
      return;
    }
    const type = (json as { type?: unknown })?.type;
    if (typeof type !== 'string' || !CLIENT_EVENT_TYPES.includes(type as ClientEvent['type'])) {
      this.#error(
        'invalid_request_error',
        'invalid_value',
        `Invalid value: '${String(type)}'. Supported values are: ${CLIENT_EVENT_TYPES.map((t) => `'${t}'`).join(', ')}.`,
        'type',
      );
      return;
    }
    const parsed = clientEventSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.#error('invalid_request_error', 'invalid_value', `Invalid '${issue?.path.join('.')}': ${issue?.message}.`, issue?.path.join('.') ?? null);
      return;
    }
    const event = parsed.data;
    this.received.push({ atMs: this.#now(), event: event as ReceivedEvent['event'] });
    this.#handle(event);
  }

  #handle(event: ClientEvent): void {
    switch (event.type) {
      case 'session.update':
        return this.#updateSession(event.session, event.event_id);
      case 'input_audio_buffer.append':
        return this.#append(event.audio);
      case 'input_audio_buffer.commit':
        if (this.#uncommittedMs < 100) {
          this.#error(
            'invalid_request_error',
            'input_audio_buffer_commit_empty',
            `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${this.#uncommittedMs.toFixed(2)}ms of audio.`,
            null,
            event.event_id,
          );
          return;
        }
        this.#commit(this.#speechItemId ?? newId('item'), this.#uncommittedMs);
        return;
      case 'input_audio_buffer.clear':
        this.#uncommittedMs = 0;
        this.#speechItemId = undefined;
        this.#emit({ type: 'input_audio_buffer.cleared' });
        return;
      case 'conversation.item.create':
        return this.#createItem(event.item, event.previous_item_id ?? undefined, event.event_id);
      case 'conversation.item.delete': {
        const index = this.items.findIndex((item) => item.id === event.item_id);
        if (index < 0) return this.#itemNotFound(event.item_id, event.event_id);
        this.items.splice(index, 1);
        this.#emit({ type: 'conversation.item.deleted', item_id: event.item_id });
        return;
      }
      case 'conversation.item.retrieve': {
        const item = this.items.find((candidate) => candidate.id === event.item_id);
        if (!item) return this.#itemNotFound(event.item_id, event.event_id);
        this.#emit({ type: 'conversation.item.retrieved', item: wireItem(item) });
        return;
      }
      case 'conversation.item.truncate':
        return this.#truncate(event.item_id, event.content_index, event.audio_end_ms, event.event_id);
      case 'response.create':
        if (event.response?.conversation === 'none') return;
        return this.#startResponse(event.event_id);
      case 'response.cancel':
        if (!this.#active || this.#active.cancelling || (event.response_id && event.response_id !== this.#active.id)) {
          this.#error(
            'invalid_request_error',
            'response_cancel_not_active',
            'Cancellation failed: no active response found',
            null,
            event.event_id,
          );
          return;
        }
        this.#finishResponse('cancelled', 'client_cancelled');
        return;
    }
  }

  #updateSession(update: Record<string, unknown>, eventId: string | undefined): void {
    if (update['type'] !== 'realtime') {
      this.#error('invalid_request_error', 'missing_required_parameter', "Missing required parameter: 'session.type'.", 'session.type', eventId);
      return;
    }
    const outputVoice = (update['audio'] as { output?: { voice?: string } } | undefined)?.output?.voice;
    if (outputVoice !== undefined && this.#audioSent && outputVoice !== this.#voice) {
      this.#error(
        'invalid_request_error',
        'cannot_update_voice',
        'Cannot update a conversation\'s voice if assistant audio is present.',
        'session.audio.output.voice',
        eventId,
      );
      return;
    }
    const inputFormat = (update['audio'] as { input?: { format?: { type?: string; rate?: number } } } | undefined)?.input?.format;
    if (inputFormat && !['audio/pcm', 'audio/pcmu', 'audio/pcma'].includes(inputFormat.type ?? '')) {
      this.#error('invalid_request_error', 'invalid_value', `Invalid value: '${inputFormat.type}'.`, 'session.audio.input.format.type', eventId);
      return;
    }
    if (inputFormat?.type === 'audio/pcm' && inputFormat.rate !== undefined && inputFormat.rate !== 24000) {
      this.#error('invalid_request_error', 'invalid_value', 'Only 24000 Hz is supported for audio/pcm.', 'session.audio.input.format.rate', eventId);
      return;
    }
    this.#config = deepMerge(this.#config, update);
    this.#vad = this.#makeVad();
    this.#emit({ type: 'session.updated', session: this.#config });
  }

  #append(audioBase64: string): void {
    const bytes = Buffer.from(audioBase64, 'base64');
    const mulaw = this.#inputFormat === 'audio/pcmu';
    const samples = mulaw ? decodeMulaw(bytes) : pcm16FromBytes(bytes);
    const ms = mulaw ? bytes.length / 8 : bytes.length / 48;
    this.#uncommittedMs += ms;
    if (!this.#turnDetection) return;
    for (const vadEvent of this.#vad.push(samples)) this.#onVad(vadEvent);
  }

  #onVad(event: VadEvent): void {
    if (event.kind === 'speech-started') {
      this.#speechItemId = newId('item');
      this.#speechStartMs = event.audioStartMs;
      this.speechStartsAtMs.push(this.#now());
      this.#emit({ type: 'input_audio_buffer.speech_started', audio_start_ms: Math.round(event.audioStartMs), item_id: this.#speechItemId });
      if (this.#active && !this.#active.cancelling && this.#turnDetection?.['interrupt_response'] !== false) {
        this.#active.cancelling = true;
        this.#later(this.#timing.cancelLagMs, () => this.#finishResponse('cancelled', 'turn_detected'));
      }
      return;
    }
    const itemId = this.#speechItemId ?? newId('item');
    this.#emit({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: Math.round(event.audioEndMs), item_id: itemId });
    // Like the service, the turn keeps the speech (with its padding), not the silence around it.
    this.#commit(itemId, event.speechEndMs - this.#speechStartMs);
    if (this.#turnDetection?.['create_response'] !== false && !this.#active) this.#startResponse(undefined);
  }

  #commit(itemId: string, audioMs: number): void {
    const previous = this.items[this.items.length - 1]?.id ?? null;
    const item: SimItem = {
      id: itemId,
      type: 'message',
      role: 'user',
      status: 'completed',
      content: [{ type: 'input_audio', transcript: null }],
      audioMs,
    };
    this.#uncommittedMs = 0;
    this.#speechItemId = undefined;
    this.items.push(item);
    const turn = this.#advanceScript();
    this.#emit({ type: 'input_audio_buffer.committed', previous_item_id: previous, item_id: itemId });
    this.#emit({ type: 'conversation.item.added', previous_item_id: previous, item: wireItem(item) });
    this.#emit({ type: 'conversation.item.done', previous_item_id: previous, item: wireItem(item) });
    if (!this.#transcriptionModel) return;
    this.#later(this.#timing.transcriptionDelayMs, () => {
      item.content[0]!.transcript = turn.transcript;
      if (turn.transcript) {
        this.#emit({ type: 'conversation.item.input_audio_transcription.delta', item_id: itemId, content_index: 0, delta: turn.transcript });
      }
      this.#emit({
        type: 'conversation.item.input_audio_transcription.completed',
        item_id: itemId,
        content_index: 0,
        transcript: turn.transcript,
        usage: { type: 'duration', seconds: Math.round(item.audioMs / 1000) },
      });
    });
  }

  #createItem(input: z.infer<typeof clientItemSchema>, previousItemId: string | undefined, eventId: string | undefined): void {
    if (input.id && input.id.length > MAX_ITEM_ID_LENGTH) {
      this.#error('invalid_request_error', 'string_above_max_length', `Invalid 'item.id': string too long. Expected a string with maximum length ${MAX_ITEM_ID_LENGTH}, but got a string with length ${input.id.length} instead.`, 'item.id', eventId);
      return;
    }
    if (input.id && this.items.some((item) => item.id === input.id)) {
      this.#error('invalid_request_error', 'item_already_exists', `Item with id '${input.id}' already exists.`, 'item.id', eventId);
      return;
    }
    if (input.type === 'message') {
      const allowed =
        input.role === 'system' ? ['input_text'] : input.role === 'assistant' ? ['output_text', 'text'] : ['input_text', 'input_audio', 'text'];
      const bad = (input.content ?? []).find((part) => !allowed.includes(part.type));
      if (!input.role || bad) {
        this.#error(
          'invalid_request_error',
          'invalid_value',
          `Invalid value: '${bad?.type ?? 'role'}'. Supported values for ${input.role ?? 'message'} content are: ${allowed.map((t) => `'${t}'`).join(', ')}.`,
          'item.content',
          eventId,
        );
        return;
      }
    }
    let index = this.items.length;
    if (previousItemId === 'root') index = 0;
    else if (previousItemId !== undefined) {
      const previous = this.items.findIndex((item) => item.id === previousItemId);
      if (previous < 0) {
        this.#error('invalid_request_error', 'item_not_found', `Previous item with item_id '${previousItemId}' not found.`, 'previous_item_id', eventId);
        return;
      }
      index = previous + 1;
    }
    const item: SimItem = {
      id: input.id ?? newId('item'),
      type: input.type,
      status: 'completed',
      content: (input.content ?? []).map((part) => ({ type: part.type, ...(part.text !== undefined ? { text: part.text } : {}) })),
      audioMs: 0,
      ...(input.role ? { role: input.role } : {}),
      ...(input.call_id ? { call_id: input.call_id } : {}),
      ...(input.name ? { name: input.name } : {}),
      ...(input.arguments ? { arguments: input.arguments } : {}),
      ...(input.output ? { output: input.output } : {}),
    };
    this.items.splice(index, 0, item);
    if (item.role === 'user' && !item.id.startsWith(SEEDED_ITEM_PREFIX) && item.content.some((part) => part.type === 'input_text')) {
      this.#unansweredText = true;
    }
    const previous = index === 0 ? null : this.items[index - 1]!.id;
    this.#emit({ type: 'conversation.item.added', previous_item_id: previous, item: wireItem(item) });
    this.#emit({ type: 'conversation.item.done', previous_item_id: previous, item: wireItem(item) });
  }

  /** The next scripted user turn becomes what the following responses answer. */
  #advanceScript(): ReturnType<ScriptCursor['nextUserTurn']> {
    const turn = this.#script.nextUserTurn();
    this.#pendingReply = turn.reply;
    this.#pendingTools = turn.tools;
    this.#unansweredText = false;
    return turn;
  }

  #truncate(itemId: string, contentIndex: number, audioEndMs: number, eventId: string | undefined): void {
    const item = this.items.find((candidate) => candidate.id === itemId);
    if (!item) return this.#itemNotFound(itemId, eventId);
    if (item.role !== 'assistant' || !item.content.some((part) => part.type === 'output_audio')) {
      this.#error('invalid_request_error', 'invalid_value', 'Only assistant messages with audio can be truncated.', 'item_id', eventId);
      return;
    }
    if (contentIndex !== 0) {
      this.#error('invalid_request_error', 'invalid_value', `Invalid 'content_index': content part ${contentIndex} does not exist.`, 'content_index', eventId);
      return;
    }
    if (audioEndMs > item.audioMs) {
      this.#error(
        'invalid_request_error',
        'invalid_value',
        `Audio content of ${Math.floor(item.audioMs)}ms is already shorter than ${audioEndMs}ms`,
        'audio_end_ms',
        eventId,
      );
      return;
    }
    const part = item.content[0]!;
    const transcript = part.transcript ?? '';
    part.transcript = item.audioMs > 0 ? transcript.slice(0, Math.round((transcript.length * audioEndMs) / item.audioMs)) : '';
    item.audioMs = audioEndMs;
    item.truncated = true;
    this.#emit({ type: 'conversation.item.truncated', item_id: itemId, content_index: contentIndex, audio_end_ms: audioEndMs });
  }

  #startResponse(eventId: string | undefined): void {
    if (this.#active) {
      this.#error(
        'invalid_request_error',
        'conversation_already_has_active_response',
        `Conversation already has an active response in progress: ${this.#active.id}. Wait until the response is finished before creating a new one.`,
        null,
        eventId,
      );
      return;
    }
    if (this.#unansweredText) this.#advanceScript();
    if (this.#pendingTools.length > 0) {
      this.#callTools(this.#pendingTools);
      this.#pendingTools = [];
      return;
    }
    const replyId = this.#pendingReply ?? (this.#greeted ? this.#script.scenario.fallbackReply : this.#script.scenario.greeting);
    this.#pendingReply = undefined;
    this.#greeted = true;
    const clip = voiceClip(replyId);
    const responseId = newId('resp');
    const item: SimItem = {
      id: newId('item'),
      type: 'message',
      role: 'assistant',
      status: 'in_progress',
      content: [{ type: 'output_audio', transcript: '' }],
      audioMs: 0,
    };
    const response: ActiveResponse = {
      id: responseId,
      item,
      pcm: clip.pcm,
      text: clip.text,
      transcript: '',
      sentSamples: 0,
      startedAtMs: this.#now(),
      timers: [],
      cancelling: false,
    };
    this.#active = response;
    this.responses.push({ id: responseId, createdAtMs: response.startedAtMs, reply: replyId });
    this.#emit({ type: 'response.created', response: { object: 'realtime.response', id: responseId, status: 'in_progress', output: [] } });
    const samplesPerDelta = Math.round(this.#timing.deltaMs * 24);
    const deltaCount = Math.ceil(clip.pcm.length / samplesPerDelta);
    const start = () => {
      if (this.#active !== response) return;
      const previous = this.items[this.items.length - 1]?.id ?? null;
      this.items.push(item);
      this.#emit({ type: 'response.output_item.added', response_id: responseId, output_index: 0, item: wireItem(item) });
      this.#emit({ type: 'conversation.item.added', previous_item_id: previous, item: wireItem(item) });
      this.#emit({ type: 'response.content_part.added', response_id: responseId, item_id: item.id, output_index: 0, content_index: 0, part: { type: 'audio', transcript: '' } });
    };
    const latencyMs = this.#modelLatencyMs();
    response.timers.push(this.#later(latencyMs, start));
    for (let index = 0; index < deltaCount; index++) {
      const atMs = latencyMs + (index * this.#timing.deltaMs) / this.#timing.speed;
      response.timers.push(this.#later(atMs, () => this.#sendDelta(response, samplesPerDelta)));
    }
    const endMs = latencyMs + (deltaCount * this.#timing.deltaMs) / this.#timing.speed;
    response.timers.push(this.#later(endMs, () => this.#finishResponse('completed', null)));
  }

  /** A response of function calls, one output item each: no audio; the scripted reply waits for their outputs. */
  #callTools(tools: ScriptedTool[]): void {
    const responseId = newId('resp');
    this.responses.push({ id: responseId, createdAtMs: this.#now(), reply: `tool:${tools.map((tool) => tool.name).join('+')}` });
    this.#emit({ type: 'response.created', response: { object: 'realtime.response', id: responseId, status: 'in_progress', output: [] } });
    this.#later(this.#modelLatencyMs(), () => {
      const items = tools.map((tool, outputIndex) => this.#emitFunctionCall(responseId, outputIndex, tool));
      const record = this.responses.find((entry) => entry.id === responseId);
      if (record) Object.assign(record, { doneAtMs: this.#now(), status: 'completed' });
      this.#emit({
        type: 'response.done',
        response: {
          object: 'realtime.response',
          id: responseId,
          status: 'completed',
          status_details: null,
          output: items.map(wireItem),
          usage: this.#usage(items),
        },
      });
    });
  }

  #emitFunctionCall(responseId: string, outputIndex: number, tool: ScriptedTool): SimItem {
    const item: SimItem = {
      id: newId('item'),
      type: 'function_call',
      status: 'in_progress',
      content: [],
      call_id: newId('call'),
      name: tool.name,
      arguments: '',
      audioMs: 0,
    };
    const args = JSON.stringify(tool.arguments);
    const previous = this.items[this.items.length - 1]?.id ?? null;
    this.items.push(item);
    const base = { response_id: responseId, item_id: item.id, output_index: outputIndex };
    this.#emit({ type: 'response.output_item.added', response_id: responseId, output_index: outputIndex, item: wireItem(item) });
    this.#emit({ type: 'conversation.item.added', previous_item_id: previous, item: wireItem(item) });
    this.#emit({ type: 'response.function_call_arguments.delta', ...base, call_id: item.call_id, delta: args });
    item.arguments = args;
    item.status = 'completed';
    this.#emit({ type: 'response.function_call_arguments.done', ...base, call_id: item.call_id, name: tool.name, arguments: args });
    this.#emit({ type: 'response.output_item.done', response_id: responseId, output_index: outputIndex, item: wireItem(item) });
    this.#emit({ type: 'conversation.item.done', item: wireItem(item) });
    return item;
  }

  #sendDelta(response: ActiveResponse, samplesPerDelta: number): void {
    if (this.#active !== response) return;
    const chunk = response.pcm.subarray(response.sentSamples, response.sentSamples + samplesPerDelta);
    const words = response.text.split(' ');
    const wordsBefore = Math.round((words.length * response.sentSamples) / response.pcm.length);
    response.sentSamples += chunk.length;
    if (!response.item.truncated) response.item.audioMs = response.sentSamples / 24;
    const wordsAfter = Math.round((words.length * response.sentSamples) / response.pcm.length);
    this.#audioSent = true;
    this.deltasSent.push({ atMs: this.#now(), responseId: response.id, ms: chunk.length / 24 });
    const base = { response_id: response.id, item_id: response.item.id, output_index: 0, content_index: 0 };
    this.#emit({ type: 'response.output_audio.delta', ...base, delta: this.#encodeOutput(chunk) });
    if (wordsAfter > wordsBefore) {
      const delta = (wordsBefore > 0 ? ' ' : '') + words.slice(wordsBefore, wordsAfter).join(' ');
      response.transcript += delta;
      if (!response.item.truncated) response.item.content[0]!.transcript += delta;
      this.#emit({ type: 'response.output_audio_transcript.delta', ...base, delta });
    }
  }

  #finishResponse(status: 'completed' | 'cancelled', reason: 'turn_detected' | 'client_cancelled' | null): void {
    const response = this.#active;
    if (!response) return;
    this.#active = undefined;
    for (const timer of response.timers) this.#clearLater(timer);
    const record = this.responses.find((entry) => entry.id === response.id);
    if (record) Object.assign(record, { doneAtMs: this.#now(), status });
    const { item } = response;
    const base = { response_id: response.id, item_id: item.id, output_index: 0, content_index: 0 };
    const transcript = response.transcript;
    const started = this.items.includes(item);
    if (started) {
      item.status = status === 'completed' ? 'completed' : 'incomplete';
      this.#emit({ type: 'response.output_audio.done', ...base });
      this.#emit({ type: 'response.output_audio_transcript.done', ...base, transcript });
      this.#emit({ type: 'response.content_part.done', ...base, part: { type: 'audio', transcript } });
      this.#emit({ type: 'response.output_item.done', response_id: response.id, output_index: 0, item: wireItem(item) });
      this.#emit({ type: 'conversation.item.done', item: wireItem(item) });
    }
    this.#emit({
      type: 'response.done',
      response: {
        object: 'realtime.response',
        id: response.id,
        status,
        status_details: status === 'completed' ? null : { type: 'cancelled', reason },
        output: started ? [wireItem(item)] : [],
        usage: this.#usage(started ? [item] : []),
      },
    });
  }

  /** Token accounting that grows with the context like the real service's: every response re-reads it. */
  #usage(outputs: readonly SimItem[]) {
    const textTokens = (text: string) => Math.ceil(text.length / 4);
    const audioTokens = (ms: number) => Math.ceil((ms / 1000) * AUDIO_TOKENS_PER_SECOND);
    let inputText = textTokens(String(this.#config['instructions'] ?? ''));
    let inputAudio = 0;
    for (const item of this.items) {
      if (outputs.includes(item)) continue;
      if (item.audioMs > 0) inputAudio += audioTokens(item.audioMs);
      else inputText += textTokens(itemPlainText(item));
    }
    const outputAudio = outputs.reduce((sum, item) => sum + audioTokens(item.audioMs), 0);
    const outputText = outputs.reduce((sum, item) => sum + textTokens(item.content[0]?.transcript ?? ''), 0);
    const input = inputText + inputAudio;
    const outputTokens = outputAudio + outputText;
    return {
      total_tokens: input + outputTokens,
      input_tokens: input,
      output_tokens: outputTokens,
      input_token_details: { text_tokens: inputText, audio_tokens: inputAudio, cached_tokens: Math.floor(input * 0.5) },
      output_token_details: { text_tokens: outputText, audio_tokens: outputAudio },
    };
  }

  #itemNotFound(itemId: string, eventId: string | undefined): void {
    this.#error('invalid_request_error', 'item_not_found', `Item with item_id '${itemId}' not found.`, 'item_id', eventId);
  }

  #error(type: string, code: string, message: string, param: string | null, eventId?: string): void {
    this.#emit({ type: 'error', error: { type, code, message, param, event_id: eventId ?? null } });
  }

  #emit(event: Record<string, unknown> & { type: string }): void {
    if (this.#closed || this.#silent || this.#socket.readyState !== this.#socket.OPEN) return;
    this.#socket.send(JSON.stringify({ event_id: newId('event'), ...event }));
    if (event.type === 'response.function_call_arguments.done') this.functionCallsDoneAtMs.set(String(event['call_id']), this.#now());
  }

  #modelLatencyMs(): number {
    const latency = this.#timing.modelLatencyMs;
    return typeof latency === 'number' ? latency : latency.minMs + Math.random() * (latency.maxMs - latency.minMs);
  }

  #later(delayMs: number, action: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, delayMs);
    this.#timers.add(timer);
    return timer;
  }

  #clearLater(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  #shutdown(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#active = undefined;
  }

  #makeVad(): EnergyVad {
    const detection = this.#turnDetection;
    return new EnergyVad(
      {
        threshold: Number(detection?.['threshold'] ?? 0.5),
        prefixPaddingMs: Number(detection?.['prefix_padding_ms'] ?? 300),
        silenceDurationMs: Number(detection?.['silence_duration_ms'] ?? 500),
      },
      this.#inputFormat === 'audio/pcmu' ? 8000 : 24000,
    );
  }

  /** The clips are PCM16 24 kHz; a session asking for G.711 gets them as mu-law 8 kHz. */
  #encodeOutput(pcm24k: Int16Array): string {
    const format = (this.#config['audio'] as { output?: { format?: { type?: string } } } | undefined)?.output?.format?.type;
    if (format !== 'audio/pcmu') return Buffer.from(pcm24k.buffer, pcm24k.byteOffset, pcm24k.byteLength).toString('base64');
    // A simulator's voice needs no studio resampler: a 3-sample average is enough of a low-pass for 24 -> 8 kHz.
    const pcm8k = new Int16Array(Math.floor(pcm24k.length / 3));
    for (let i = 0; i < pcm8k.length; i++) pcm8k[i] = Math.round((pcm24k[3 * i]! + pcm24k[3 * i + 1]! + pcm24k[3 * i + 2]!) / 3);
    return Buffer.from(encodeMulaw(pcm8k)).toString('base64');
  }

  get #input(): Record<string, unknown> | undefined {
    return (this.#config['audio'] as { input?: Record<string, unknown> } | undefined)?.input;
  }

  get #inputFormat(): string {
    return String((this.#input?.['format'] as { type?: string } | undefined)?.type ?? 'audio/pcm');
  }

  get #turnDetection(): Record<string, unknown> | null {
    return (this.#input?.['turn_detection'] as Record<string, unknown> | null | undefined) ?? null;
  }

  get #transcriptionModel(): string | undefined {
    return (this.#input?.['transcription'] as { model?: string } | null | undefined)?.model;
  }

  get #voice(): string | undefined {
    return (this.#config['audio'] as { output?: { voice?: string } } | undefined)?.output?.voice;
  }
}
