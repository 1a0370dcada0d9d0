import type { ModelCodec } from '../audio/model-codec.js';
import { TELEPHONY_FRAME_MS, base64DecodedLength, mulawBytesToMs } from '../audio/timing.js';
import type { FrameSeries } from '../frame-histogram.js';

/** Gaps in Twilio's timestamps are filled with silence so the model's clock keeps pace, up to this much. */
const MAX_GAP_FILL_MS = 1000;

export interface CallerAudioOptions {
  codec: ModelCodec;
  /** Caller audio in the model's format, base64. */
  send: (audioBase64: string, durationMs: number) => void;
  /** Where the time callbridge spent on each frame goes, in seconds; not measured when absent. */
  latency: FrameSeries | undefined;
}

/**
 * The caller's voice on its way to the model: converts each Twilio frame and fills gaps in the
 * stream's timestamps with silence, so the model's audio clock (which barge-in truncation and VAD
 * timings are on) stays in step with the call's.
 */
export class CallerAudio {
  readonly #options: CallerAudioOptions;
  #nextTimestampMs: number | undefined;

  constructor(options: CallerAudioOptions) {
    this.#options = options;
  }

  push(mulawBase64: string, timestampMs: number): void {
    const { codec, send, latency } = this.#options;
    const startedAt = latency ? performance.now() : 0;
    const expectedMs = this.#nextTimestampMs;
    if (expectedMs !== undefined && timestampMs - expectedMs >= TELEPHONY_FRAME_MS) {
      const gapMs = Math.min(timestampMs - expectedMs, MAX_GAP_FILL_MS);
      send(codec.silenceForModel(gapMs), gapMs);
    }
    const frameMs = mulawBytesToMs(base64DecodedLength(mulawBase64));
    this.#nextTimestampMs = timestampMs + frameMs;
    send(codec.toModel(mulawBase64), frameMs);
    latency?.observe((performance.now() - startedAt) / 1000);
  }
}
