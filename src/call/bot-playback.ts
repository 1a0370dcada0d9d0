import type { ResamplerEngine } from '../audio/resampler.js';
import { mulawBytesToMs, pcm24kBytesToMs } from '../audio/timing.js';
import { ModelToCallerTranscoder } from '../audio/transcoder.js';
import type { TwilioMediaStream } from '../telephony/media-stream.js';
import { PlaybackTracker, type MarkEcho } from './playback-tracker.js';

export interface BotPlaybackOptions {
  engine: ResamplerEngine;
  now: () => number;
  /** Bot audio generated before Twilio's stream is attached is held up to this much. */
  earlyAudioLimitMs: number;
  /** Audio that could not be held for the stream, or that the phone's side was not reading. */
  onDropped: (reason: 'no_stream' | 'slow_phone', ms: number) => void;
  /** The first bot audio left for the caller, `ms` after the stream started. */
  onFirstAudio: (ms: number) => void;
  /** The first audio of an item left for the caller. */
  onItemSent: (itemId: string) => void;
  /** Time callbridge spent on one delta, for the per-frame latency figure. */
  onBridged: (seconds: number) => void;
}

/**
 * The bot's voice on its way to the phone: transcodes each delta to mu-law, sends it with its own
 * mark, holds what arrives before Twilio's stream does, and knows from the marks what has played.
 * Owns the model-to-caller transcoder.
 */
export class BotPlayback {
  readonly tracker = new PlaybackTracker();
  readonly #options: BotPlaybackOptions;
  readonly #toCaller: ModelToCallerTranscoder;
  #stream: TwilioMediaStream | undefined;
  #streamStartedAtMs: number | undefined;
  #firstAudioSent = false;
  #lastSentItemId: string | undefined;
  #early: { itemId: string; pcm: Buffer }[] = [];
  #earlyMs = 0;

  constructor(options: BotPlaybackOptions) {
    this.#options = options;
    this.#toCaller = new ModelToCallerTranscoder(options.engine);
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
    for (const chunk of early) this.play(chunk.itemId, chunk.pcm);
  }

  /** One delta of the bot's voice (PCM16 24 kHz): to the caller at once, followed by its mark. */
  play(itemId: string, pcm: Buffer): void {
    const stream = this.#stream;
    if (!stream) {
      this.#hold(itemId, pcm);
      return;
    }
    const startedAt = performance.now();
    const mulaw = this.#toCaller.transcode(pcm);
    // Twilio gets no empty media, whatever the model sent (an empty delta, or too little to yield a sample).
    if (mulaw.length === 0) return;
    const nowMs = this.#options.now();
    const durationMs = pcm24kBytesToMs(pcm.length);
    // Audio the phone never got has no mark: the tracker only counts what was really sent.
    if (!stream.sendMedia(Buffer.from(mulaw.buffer, mulaw.byteOffset, mulaw.byteLength).toString('base64'))) {
      this.#options.onDropped('slow_phone', durationMs);
      return;
    }
    stream.sendMark(this.tracker.recordSent(itemId, durationMs, nowMs));
    if (itemId !== this.#lastSentItemId) {
      this.#lastSentItemId = itemId;
      this.#options.onItemSent(itemId);
    }
    if (!this.#firstAudioSent && this.#streamStartedAtMs !== undefined) {
      this.#firstAudioSent = true;
      this.#options.onFirstAudio(nowMs - this.#streamStartedAtMs);
    }
    this.#options.onBridged((performance.now() - startedAt) / 1000);
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
    this.#toCaller.reset();
    this.#dropEarly();
    return clearedAtMs;
  }

  onMark(name: string): MarkEcho {
    return this.tracker.onMark(name, this.#options.now());
  }

  close(): void {
    this.#toCaller.close();
    this.#dropEarly();
  }

  #hold(itemId: string, pcm: Buffer): void {
    const durationMs = pcm24kBytesToMs(pcm.length);
    if (this.#earlyMs + durationMs > this.#options.earlyAudioLimitMs) {
      this.#options.onDropped('no_stream', durationMs);
      return;
    }
    this.#early.push({ itemId, pcm });
    this.#earlyMs += durationMs;
  }

  #dropEarly(): void {
    this.#early = [];
    this.#earlyMs = 0;
  }
}
