import type { ResamplerEngine } from './resampler.js';
import { MULAW_BYTES_PER_MS, MULAW_SILENCE_BYTE, PCM16_24K_BYTES_PER_MS, base64DecodedLength, msToMulawBytes } from './timing.js';
import { CallerToModelTranscoder, ModelToCallerTranscoder } from './transcoder.js';

/** What the model side of a call carries: PCM16 24 kHz (transcoded, the default) or Twilio's own G.711 mu-law 8 kHz. */
export type ModelAudioFormat = 'audio/pcm' | 'audio/pcmu';

/**
 * One call's audio conversion between Twilio (mu-law 8 kHz, base64) and the model, both ways, on
 * base64 text as both wires carry it: the G.711 codec then never decodes a byte.
 */
export interface ModelCodec {
  readonly format: ModelAudioFormat;
  /** Caller audio as the model takes it. */
  toModel(mulawBase64: string): string;
  /** `ms` of caller silence as the model takes it, to fill a gap in Twilio's timestamps. */
  silenceForModel(ms: number): string;
  /** Length of a model delta, without decoding it. */
  deltaMs(deltaBase64: string): number;
  /** A model delta as Twilio takes it; empty when it yields no whole sample yet. */
  toCaller(deltaBase64: string): string;
  /** After a barge-in: nothing of the interrupted response may leak into the next one. */
  reset(): void;
  close(): void;
}

export function createModelCodec(format: ModelAudioFormat, engine: ResamplerEngine): ModelCodec {
  return format === 'audio/pcmu' ? new G711Codec() : new TranscodingCodec(engine);
}

class TranscodingCodec implements ModelCodec {
  readonly format = 'audio/pcm';
  readonly #toModel: CallerToModelTranscoder;
  readonly #toCaller: ModelToCallerTranscoder;

  constructor(engine: ResamplerEngine) {
    this.#toModel = new CallerToModelTranscoder(engine);
    this.#toCaller = new ModelToCallerTranscoder(engine);
  }

  toModel(mulawBase64: string): string {
    return this.#toModel.transcode(Buffer.from(mulawBase64, 'base64')).toString('base64');
  }

  silenceForModel(ms: number): string {
    return this.#toModel.transcode(Buffer.alloc(msToMulawBytes(ms), MULAW_SILENCE_BYTE)).toString('base64');
  }

  deltaMs(deltaBase64: string): number {
    return base64DecodedLength(deltaBase64) / PCM16_24K_BYTES_PER_MS;
  }

  toCaller(deltaBase64: string): string {
    const mulaw = this.#toCaller.transcode(Buffer.from(deltaBase64, 'base64'));
    return Buffer.from(mulaw.buffer, mulaw.byteOffset, mulaw.byteLength).toString('base64');
  }

  reset(): void {
    this.#toCaller.reset();
  }

  close(): void {
    this.#toModel.close();
    this.#toCaller.close();
  }
}

/** Twilio's payloads go to the model as they are, and the model's to Twilio: no resampling, no state. */
class G711Codec implements ModelCodec {
  readonly format = 'audio/pcmu';

  toModel(mulawBase64: string): string {
    return mulawBase64;
  }

  silenceForModel(ms: number): string {
    return Buffer.alloc(msToMulawBytes(ms), MULAW_SILENCE_BYTE).toString('base64');
  }

  deltaMs(deltaBase64: string): number {
    return base64DecodedLength(deltaBase64) / MULAW_BYTES_PER_MS;
  }

  toCaller(deltaBase64: string): string {
    return deltaBase64;
  }

  reset(): void {}

  close(): void {}
}
