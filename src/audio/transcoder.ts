import { decodeMulaw, encodeMulaw } from './g711.js';
import { pcm16FromBytes, pcm16ToBuffer } from './pcm.js';
import type { ResamplerEngine, StreamingResampler } from './resampler.js';
import { MODEL_SAMPLE_RATE, TELEPHONY_SAMPLE_RATE } from './timing.js';

/** Caller audio: G.711 mu-law 8 kHz in, PCM16 LE 24 kHz out. */
export class CallerToModelTranscoder {
  readonly #upsampler: StreamingResampler;

  constructor(engine: ResamplerEngine) {
    this.#upsampler = engine.createResampler(TELEPHONY_SAMPLE_RATE, MODEL_SAMPLE_RATE);
  }

  transcode(mulaw: Uint8Array): Buffer {
    return pcm16ToBuffer(this.#upsampler.process(decodeMulaw(mulaw)));
  }

  close(): void {
    this.#upsampler.close();
  }
}

/** Model audio: PCM16 LE 24 kHz in, G.711 mu-law 8 kHz out. */
export class ModelToCallerTranscoder {
  readonly #downsampler: StreamingResampler;
  /** A delta may end mid-sample; its last byte waits for the next delta. */
  #pendingByte: number | undefined;

  constructor(engine: ResamplerEngine) {
    this.#downsampler = engine.createResampler(MODEL_SAMPLE_RATE, TELEPHONY_SAMPLE_RATE);
  }

  transcode(pcm: Uint8Array): Uint8Array {
    let bytes = pcm;
    if (this.#pendingByte !== undefined) {
      bytes = new Uint8Array(pcm.length + 1);
      bytes[0] = this.#pendingByte;
      bytes.set(pcm, 1);
      this.#pendingByte = undefined;
    }
    if (bytes.length % 2 === 1) {
      this.#pendingByte = bytes[bytes.length - 1];
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    return encodeMulaw(this.#downsampler.process(pcm16FromBytes(bytes)));
  }

  /** After a barge-in: drop the interrupted response's tail so none of it leaks into the next one. */
  reset(): void {
    this.#pendingByte = undefined;
    this.#downsampler.reset();
  }

  close(): void {
    this.#downsampler.close();
  }
}
