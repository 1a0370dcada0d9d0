import type { WebSocket } from 'ws';
import type { ScriptCursor } from '../scenarios.js';
import { parseClientEvent, type ClientEvent, type ClientEventType, type ReceivedEvent } from './client-events.js';
import { InputBuffer, type CommittedAudio, type InputBufferEvent } from './input-buffer.js';
import { ItemStore } from './item-store.js';
import { wireItem, type SimItem } from './items.js';
import { Responses, type ResponseRecord } from './responses.js';
import { ScriptTurns } from './script-turns.js';
import { newId, type ServerEvent } from './server-events.js';
import { SimSessionConfig } from './session-config.js';
import { SimTimers, type SimTiming } from './timing.js';

/**
 * One simulated Realtime session on one socket: the GA protocol of docs/protocols.md 2, with an energy VAD
 * on the appended audio, scripted transcripts, real recorded speech as the voice, usage that grows
 * with the context, and the real service's validation errors. This class routes client events to the
 * job that handles them and owns the socket and the timers.
 */
export class SimSession {
  readonly id = newId('sess');
  /** Every client event accepted, in arrival order. */
  readonly received: ReceivedEvent[] = [];
  /** When each speech_started was sent. */
  readonly speechStartsAtMs: number[] = [];
  /** When each function call's arguments were complete (response.function_call_arguments.done sent), by call_id. */
  readonly functionCallsDoneAtMs = new Map<string, number>();
  readonly #socket: WebSocket;
  readonly #now: () => number;
  readonly #timing: SimTiming;
  readonly #timers = new SimTimers();
  readonly #config: SimSessionConfig;
  readonly #store: ItemStore;
  readonly #input: InputBuffer;
  readonly #turns: ScriptTurns;
  readonly #responses: Responses;
  #silent = false;
  #closed = false;

  constructor(socket: WebSocket, model: string, script: ScriptCursor, timing: SimTiming, now: () => number) {
    this.#socket = socket;
    this.#now = now;
    this.#timing = timing;
    const emit = (event: ServerEvent) => this.#emit(event);
    this.#config = new SimSessionConfig(this.id, model);
    this.#store = new ItemStore(emit);
    this.#input = new InputBuffer(this.#config.vad());
    this.#turns = new ScriptTurns(script);
    this.#responses = new Responses({ emit, items: this.#store, config: this.#config, timers: this.#timers, timing, now });
    socket.on('message', (data) => this.#onMessage(data.toString()));
    socket.on('close', () => this.#shutdown());
    socket.on('ping', (data) => {
      if (!this.#silent) socket.pong(data);
    });
    this.#emit({ type: 'session.created', session: this.#config.current });
  }

  /** False once either side closed the socket. */
  get isOpen(): boolean {
    return !this.#closed && this.#socket.readyState === this.#socket.OPEN;
  }

  get session(): Readonly<Record<string, unknown>> {
    return this.#config.current;
  }

  /** The conversation as the model's context holds it. */
  get items(): readonly SimItem[] {
    return this.#store.items;
  }

  /** Every response started (see ResponseRecord). */
  get responses(): readonly ResponseRecord[] {
    return this.#responses.records;
  }

  /** Every audio delta sent: when, for which response, and how much audio (ms). */
  get deltasSent(): readonly { atMs: number; responseId: string; ms: number }[] {
    return this.#responses.deltasSent;
  }

  /** Client events of one type, in arrival order. */
  receivedOf<T extends ClientEventType>(type: T): ReceivedEvent<T>[] {
    const matches: ReceivedEvent<T>[] = [];
    for (const { atMs, event } of this.received) if (isOfType(event, type)) matches.push({ atMs, event });
    return matches;
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
    const parsed = parseClientEvent(raw);
    if (!parsed.ok) return this.#emit(parsed.error);
    this.received.push({ atMs: this.#now(), event: parsed.event });
    this.#handle(parsed.event);
  }

  #handle(event: ClientEvent): void {
    switch (event.type) {
      case 'session.update': {
        const error = this.#config.update(event.session, event.event_id, this.#responses.audioSent);
        if (error) return this.#emit(error);
        this.#input.vad = this.#config.vad();
        return this.#emit({ type: 'session.updated', session: this.#config.current });
      }
      case 'input_audio_buffer.append': {
        const detection = this.#config.turnDetection;
        for (const vadEvent of this.#input.append(event.audio, this.#config.inputFormat, detection !== null)) this.#onVad(vadEvent);
        return;
      }
      case 'input_audio_buffer.commit': {
        const commit = this.#input.commit(event.event_id);
        if ('error' in commit) return this.#emit(commit.error);
        return this.#commitTurn(commit.turn);
      }
      case 'input_audio_buffer.clear':
        this.#input.clear();
        return this.#emit({ type: 'input_audio_buffer.cleared' });
      case 'conversation.item.create': {
        const item = this.#store.create(event.item, event.previous_item_id ?? undefined, event.event_id);
        if (item) this.#turns.itemCreated(item);
        return;
      }
      case 'conversation.item.delete':
        return this.#store.delete(event.item_id, event.event_id);
      case 'conversation.item.retrieve':
        return this.#store.retrieve(event.item_id, event.event_id);
      case 'conversation.item.truncate':
        return this.#store.truncate(event.item_id, event.content_index, event.audio_end_ms, event.event_id);
      case 'response.create':
        if (event.response?.conversation === 'none') return;
        return this.#responses.create(this.#turns, event.event_id);
      case 'response.cancel':
        return this.#responses.cancel(event.response_id, event.event_id);
    }
  }

  #onVad(event: InputBufferEvent): void {
    const detection = this.#config.turnDetection;
    if (event.kind === 'speech-started') {
      this.speechStartsAtMs.push(this.#now());
      this.#emit({ type: 'input_audio_buffer.speech_started', audio_start_ms: Math.round(event.audioStartMs), item_id: event.itemId });
      if (detection?.['interrupt_response'] !== false) this.#responses.interrupt();
      return;
    }
    this.#emit({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: Math.round(event.audioEndMs), item_id: event.turn.itemId });
    this.#commitTurn(event.turn);
    if (detection?.['create_response'] !== false && !this.#responses.active) this.#responses.create(this.#turns, undefined);
  }

  /** Committed audio becomes a user item, answered by the script's next turn and transcribed a little later. */
  #commitTurn({ itemId, audioMs }: CommittedAudio): void {
    const item: SimItem = {
      id: itemId,
      type: 'message',
      role: 'user',
      status: 'completed',
      content: [{ type: 'input_audio', transcript: null }],
      audioMs,
    };
    const previous = this.#store.append(item);
    const turn = this.#turns.advance();
    this.#emit({ type: 'input_audio_buffer.committed', previous_item_id: previous, item_id: itemId });
    this.#emit({ type: 'conversation.item.added', previous_item_id: previous, item: wireItem(item) });
    this.#emit({ type: 'conversation.item.done', previous_item_id: previous, item: wireItem(item) });
    if (!this.#config.transcriptionModel) return;
    this.#timers.later(this.#timing.transcriptionDelayMs, () => {
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

  #emit(event: ServerEvent): void {
    if (this.#closed || this.#silent || this.#socket.readyState !== this.#socket.OPEN) return;
    this.#socket.send(JSON.stringify({ event_id: newId('event'), ...event }));
    if (event.type === 'response.function_call_arguments.done') this.functionCallsDoneAtMs.set(String(event['call_id']), this.#now());
  }

  #shutdown(): void {
    this.#closed = true;
    this.#timers.cancelAll();
    this.#responses.stop();
  }
}

const isOfType = <T extends ClientEventType>(event: ClientEvent, type: T): event is Extract<ClientEvent, { type: T }> => event.type === type;
