import { encodeMulaw } from '../../audio/g711.js';
import { voiceClip } from '../assets.js';
import type { ItemStore } from './item-store.js';
import { wireItem, type SimItem } from './items.js';
import type { ScriptTurns } from './script-turns.js';
import { invalidRequest, newId, type Emit } from './server-events.js';
import type { SimSessionConfig } from './session-config.js';
import { modelLatencyMs, type SimTiming, type SimTimers } from './timing.js';
import { callTools } from './tool-calls.js';
import { responseUsage } from './usage.js';

/** What a response needs of its session. */
export interface ResponseContext {
  readonly emit: Emit;
  readonly items: ItemStore;
  readonly config: SimSessionConfig;
  readonly timers: SimTimers;
  /** Read when each response starts, so changes reach the responses not yet started. */
  readonly timing: SimTiming;
  readonly now: () => number;
}

/** A response as tests see it: when it was created and finished, and which clip it spoke (`tool:a+b` for function calls). */
export interface ResponseRecord {
  id: string;
  createdAtMs: number;
  doneAtMs?: number;
  status?: string;
  reply: string;
}

interface SpokenResponse {
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

/**
 * The session's responses: at most one spoken response at a time, paced like the service (thinking time,
 * then audio deltas faster than real time, with the transcript word by word), cancelled by the client or by
 * the caller's speech; and responses of function calls.
 */
export class Responses {
  readonly records: ResponseRecord[] = [];
  /** Every audio delta sent: when, for which response, and how much audio (ms). */
  readonly deltasSent: { atMs: number; responseId: string; ms: number }[] = [];
  readonly #context: ResponseContext;
  #active: SpokenResponse | undefined;
  #audioSent = false;

  constructor(context: ResponseContext) {
    this.#context = context;
  }

  get active(): boolean {
    return this.#active !== undefined;
  }

  /** Whether the conversation holds assistant audio (the voice can no longer change). */
  get audioSent(): boolean {
    return this.#audioSent;
  }

  /** response.create, or the VAD's end of a turn: the script's next answer, unless a response is still going. */
  create(turns: ScriptTurns, eventId: string | undefined): void {
    if (this.#active) {
      this.#context.emit(
        invalidRequest(
          'conversation_already_has_active_response',
          `Conversation already has an active response in progress: ${this.#active.id}. Wait until the response is finished before creating a new one.`,
          null,
          eventId,
        ),
      );
      return;
    }
    const next = turns.nextResponse();
    if (next.kind === 'tools') callTools(this.#context, this.records, next.tools);
    else this.#speak(next.replyId);
  }

  /** response.cancel */
  cancel(responseId: string | undefined, eventId: string | undefined): void {
    if (!this.#active || this.#active.cancelling || (responseId && responseId !== this.#active.id)) {
      this.#context.emit(invalidRequest('response_cancel_not_active', 'Cancellation failed: no active response found', null, eventId));
      return;
    }
    this.#finish('cancelled', 'client_cancelled');
  }

  /** The caller started speaking: the spoken response stops, `cancelLagMs` later. */
  interrupt(): void {
    const active = this.#active;
    if (!active || active.cancelling) return;
    active.cancelling = true;
    this.#context.timers.later(this.#context.timing.cancelLagMs, () => this.#finish('cancelled', 'turn_detected'));
  }

  /** The socket closed: nothing more is sent (the session cancels the timers). */
  stop(): void {
    this.#active = undefined;
  }

  #speak(replyId: string): void {
    const { emit, items, timers, timing, now } = this.#context;
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
    const response: SpokenResponse = {
      id: responseId,
      item,
      pcm: clip.pcm,
      text: clip.text,
      transcript: '',
      sentSamples: 0,
      startedAtMs: now(),
      timers: [],
      cancelling: false,
    };
    this.#active = response;
    this.records.push({ id: responseId, createdAtMs: response.startedAtMs, reply: replyId });
    emit({ type: 'response.created', response: { object: 'realtime.response', id: responseId, status: 'in_progress', output: [] } });
    const samplesPerDelta = Math.round(timing.deltaMs * 24);
    const deltaCount = Math.ceil(clip.pcm.length / samplesPerDelta);
    const start = () => {
      if (this.#active !== response) return;
      const previous = items.append(item);
      emit({ type: 'response.output_item.added', response_id: responseId, output_index: 0, item: wireItem(item) });
      emit({ type: 'conversation.item.added', previous_item_id: previous, item: wireItem(item) });
      emit({ type: 'response.content_part.added', response_id: responseId, item_id: item.id, output_index: 0, content_index: 0, part: { type: 'audio', transcript: '' } });
    };
    const latencyMs = modelLatencyMs(timing);
    response.timers.push(timers.later(latencyMs, start));
    for (let index = 0; index < deltaCount; index++) {
      const atMs = latencyMs + (index * timing.deltaMs) / timing.speed;
      response.timers.push(timers.later(atMs, () => this.#sendDelta(response, samplesPerDelta)));
    }
    const endMs = latencyMs + (deltaCount * timing.deltaMs) / timing.speed;
    response.timers.push(timers.later(endMs, () => this.#finish('completed', null)));
  }

  #sendDelta(response: SpokenResponse, samplesPerDelta: number): void {
    if (this.#active !== response) return;
    const chunk = response.pcm.subarray(response.sentSamples, response.sentSamples + samplesPerDelta);
    const words = response.text.split(' ');
    const wordsBefore = Math.round((words.length * response.sentSamples) / response.pcm.length);
    response.sentSamples += chunk.length;
    if (!response.item.truncated) response.item.audioMs = response.sentSamples / 24;
    const wordsAfter = Math.round((words.length * response.sentSamples) / response.pcm.length);
    this.#audioSent = true;
    this.deltasSent.push({ atMs: this.#context.now(), responseId: response.id, ms: chunk.length / 24 });
    const base = { response_id: response.id, item_id: response.item.id, output_index: 0, content_index: 0 };
    this.#context.emit({ type: 'response.output_audio.delta', ...base, delta: encodeOutput(chunk, this.#context.config.outputFormat) });
    if (wordsAfter > wordsBefore) {
      const delta = (wordsBefore > 0 ? ' ' : '') + words.slice(wordsBefore, wordsAfter).join(' ');
      response.transcript += delta;
      if (!response.item.truncated) response.item.content[0]!.transcript += delta;
      this.#context.emit({ type: 'response.output_audio_transcript.delta', ...base, delta });
    }
  }

  #finish(status: 'completed' | 'cancelled', reason: 'turn_detected' | 'client_cancelled' | null): void {
    const { emit, items, timers, now, config } = this.#context;
    const response = this.#active;
    if (!response) return;
    this.#active = undefined;
    for (const timer of response.timers) timers.cancel(timer);
    const record = this.records.find((entry) => entry.id === response.id);
    if (record) Object.assign(record, { doneAtMs: now(), status });
    const { item } = response;
    const base = { response_id: response.id, item_id: item.id, output_index: 0, content_index: 0 };
    const transcript = response.transcript;
    const started = items.includes(item);
    if (started) {
      item.status = status === 'completed' ? 'completed' : 'incomplete';
      emit({ type: 'response.output_audio.done', ...base });
      emit({ type: 'response.output_audio_transcript.done', ...base, transcript });
      emit({ type: 'response.content_part.done', ...base, part: { type: 'audio', transcript } });
      emit({ type: 'response.output_item.done', response_id: response.id, output_index: 0, item: wireItem(item) });
      emit({ type: 'conversation.item.done', item: wireItem(item) });
    }
    emit({
      type: 'response.done',
      response: {
        object: 'realtime.response',
        id: response.id,
        status,
        status_details: status === 'completed' ? null : { type: 'cancelled', reason },
        output: started ? [wireItem(item)] : [],
        usage: responseUsage(items.items, started ? [item] : [], config.instructions),
      },
    });
  }
}

/** The clips are PCM16 24 kHz; a session asking for G.711 gets them as mu-law 8 kHz. */
function encodeOutput(pcm24k: Int16Array, format: string | undefined): string {
  if (format !== 'audio/pcmu') return Buffer.from(pcm24k.buffer, pcm24k.byteOffset, pcm24k.byteLength).toString('base64');
  // A simulator's voice needs no studio resampler: a 3-sample average is enough of a low-pass for 24 -> 8 kHz.
  const pcm8k = new Int16Array(Math.floor(pcm24k.length / 3));
  for (let i = 0; i < pcm8k.length; i++) pcm8k[i] = Math.round((pcm24k[3 * i]! + pcm24k[3 * i + 1]! + pcm24k[3 * i + 2]!) / 3);
  return Buffer.from(encodeMulaw(pcm8k)).toString('base64');
}
