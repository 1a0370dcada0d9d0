import type { ResamplerEngine } from '../audio/resampler.js';
import { MULAW_SILENCE_BYTE, TELEPHONY_FRAME_MS, mulawBytesToMs, msToMulawBytes, pcm24kBytesToMs } from '../audio/timing.js';
import { CallerToModelTranscoder } from '../audio/transcoder.js';

/** Gaps in Twilio's timestamps are filled with silence so the model's clock keeps pace, up to this much. */
const MAX_GAP_FILL_MS = 1000;

export interface CallerAudioOptions {
  engine: ResamplerEngine;
  /** PCM16 24 kHz, base64, for the model. */
  send: (pcm16Base64: string, durationMs: number) => void;
  /** Time callbridge spent on one frame, for the per-frame latency figure. */
  onBridged: (seconds: number) => void;
}

/**
 * The caller's voice on its way to the model: transcodes each Twilio frame and fills gaps in the
 * stream's timestamps with silence, so the model's audio clock (which barge-in truncation and VAD
 * timings are on) stays in step with the call's. Owns the caller-to-model transcoder.
 */
export class CallerAudio {
  readonly #options: CallerAudioOptions;
  readonly #toModel: CallerToModelTranscoder;
  #nextTimestampMs: number | undefined;

  constructor(options: CallerAudioOptions) {
    this.#options = options;
    this.#toModel = new CallerToModelTranscoder(options.engine);
  }

  push(mulaw: Buffer, timestampMs: number): void {
    const startedAt = performance.now();
    const expectedMs = this.#nextTimestampMs;
    if (expectedMs !== undefined && timestampMs - expectedMs >= TELEPHONY_FRAME_MS) {
      const gapMs = Math.min(timestampMs - expectedMs, MAX_GAP_FILL_MS);
      this.#send(Buffer.alloc(msToMulawBytes(gapMs), MULAW_SILENCE_BYTE));
    }
    this.#nextTimestampMs = timestampMs + mulawBytesToMs(mulaw.length);
    this.#send(mulaw);
    this.#options.onBridged((performance.now() - startedAt) / 1000);
  }

  close(): void {
    this.#toModel.close();
  }

  #send(mulaw: Uint8Array): void {
    const pcm = this.#toModel.transcode(mulaw);
    this.#options.send(pcm.toString('base64'), pcm24kBytesToMs(pcm.length));
  }
}
