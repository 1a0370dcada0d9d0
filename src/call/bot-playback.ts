import type { ModelCodec } from '../audio/model-codec.js';
import { mulawBytesToMs } from '../audio/timing.js';
import type { FrameSeries } from '../frame-histogram.js';
import type { TwilioMediaStream } from '../telephony/media-stream.js';
import { PlaybackTracker, type MarkEcho } from './playback-tracker.js';

export interface BotPlaybackOptions {
  codec: ModelCodec;
  now: () => number;
  /** Bot audio generated before Twilio's stream is attached is held up to this much. */
  earlyAudioLimitMs: number;
  /** Audio that could not be held for the stream, or that the phone's side was not reading. */
  onDropped: (reason: 'no_stream' | 'slow_phone', ms: number) => void;
  /** The first bot audio left for the caller, `ms` after the stream started. */
  onFirstAudio: (ms: number) => void;
  /** The first audio of an item left for the caller. */
  onItemSent: (itemId: string) => void;
  /** Where the time callbridge spent on each delta goes, in seconds; not measured when absent. */
  latency: FrameSeries | undefined;
}

/**
 * The bot's voice on its way to the phone: converts each delta to mu-law, sends it with its own
 * mark, holds what arrives before Twilio's stream does, and knows from the marks what has played.
 */
export class BotPlayback {
  readonly tracker = new PlaybackTracker();
  readonly #options: BotPlaybackOptions;
  #stream: TwilioMediaStream | undefined;
  #streamStartedAtMs: number | undefined;
  #firstAudioSent = false;
  #lastSentItemId: string | undefined;
  #early: { itemId: string; deltaBase64: string }[] = [];
  #earlyMs = 0;

  constructor(options: BotPlaybackOptions) {
    this.#options = options;
  }

  get hasPendingAudio(): boolean {
    return this.tracker.hasPendingAudio;
  }

  /** The stream is there: what was held plays now, in order. */
  attach(stream: TwilioMediaStream): void {
    this.#stream = stream;
    this.#streamStartedAtMs = this.#options.now();
    const early = this.#early;
    this.#dropEarly();
    for (const chunk of early) this.play(chunk.itemId, chunk.deltaBase64);
  }

  /** One delta of the bot's voice (the model's format, base64): to the caller at once, followed by its mark. */
  play(itemId: string, deltaBase64: string): void {
    const stream = this.#stream;
    if (!stream) {
      this.#hold(itemId, deltaBase64);
      return;
    }
    const latency = this.#options.latency;
    const startedAt = latency ? performance.now() : 0;
    const mulawBase64 = this.#options.codec.toCaller(deltaBase64);
    // Twilio gets no empty media, whatever the model sent (an empty delta, or too little to yield a sample).
    if (mulawBase64.length === 0) return;
    const nowMs = this.#options.now();
    const durationMs = this.#options.codec.deltaMs(deltaBase64);
    let sent = false;
    stream.together(() => {
      // Audio the phone never got has no mark: the tracker only counts what was really sent.
      sent = stream.sendMedia(mulawBase64);
      if (sent) stream.sendMark(this.tracker.recordSent(itemId, durationMs, nowMs));
    });
    if (!sent) {
      this.#options.onDropped('slow_phone', durationMs);
      return;
    }
    if (itemId !== this.#lastSentItemId) {
      this.#lastSentItemId = itemId;
      this.#options.onItemSent(itemId);
    }
    if (!this.#firstAudioSent && this.#streamStartedAtMs !== undefined) {
      this.#firstAudioSent = true;
      this.#options.onFirstAudio(nowMs - this.#streamStartedAtMs);
    }
    latency?.observe((performance.now() - startedAt) / 1000);
  }

  /** A recorded clip (mu-law 8 kHz) played in place of whatever was queued; returns its length. */
  playClip(itemId: string, mulaw: Uint8Array): number {
    const playMs = mulawBytesToMs(mulaw.length);
    const stream = this.#stream;
    if (!stream) return playMs;
    const nowMs = this.#options.now();
    if (this.tracker.hasPendingAudio) {
      stream.clear();
      this.tracker.clear(nowMs);
    }
    stream.sendMedia(Buffer.from(mulaw).toString('base64'));
    stream.sendMark(this.tracker.recordSent(itemId, playMs, nowMs));
    return playMs;
  }

  /**
   * Stops what the phone is playing (a barge-in: the tracker was already cleared by the barge-in
   * decision). Returns when the clear left. Held audio is dropped and the resampler starts afresh.
   */
  clear(): number {
    this.#stream?.clear();
    const clearedAtMs = this.#options.now();
    this.#options.codec.reset();
    this.#dropEarly();
    return clearedAtMs;
  }

  onMark(name: string): MarkEcho {
    return this.tracker.onMark(name, this.#options.now());
  }

  close(): void {
    this.#dropEarly();
  }

  #hold(itemId: string, deltaBase64: string): void {
    const durationMs = this.#options.codec.deltaMs(deltaBase64);
    if (this.#earlyMs + durationMs > this.#options.earlyAudioLimitMs) {
      this.#options.onDropped('no_stream', durationMs);
      return;
    }
    this.#early.push({ itemId, deltaBase64 });
    this.#earlyMs += durationMs;
  }

  #dropEarly(): void {
    this.#early = [];
    this.#earlyMs = 0;
  }
}
