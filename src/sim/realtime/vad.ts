export interface VadSettings {
  /** 0..1 like the real service's; mapped here to an energy level between -70 and -20 dBFS. */
  threshold: number;
  prefixPaddingMs: number;
  silenceDurationMs: number;
}

export type VadEvent =
  | { kind: 'speech-started'; audioStartMs: number }
  /**
   * `audioEndMs` is where the silence was long enough, as the real service reports it (its
   * `audio_end_ms` includes `silence_duration_ms`); `speechEndMs` is where the last loud frame ended.
   */
  | { kind: 'speech-stopped'; audioEndMs: number; speechEndMs: number };

const FRAME_MS = 10;
/** Consecutive loud frames before speech counts as started: clicks and pops do not. */
const ONSET_FRAMES = 6;

/**
 * An energy voice-activity detector over PCM16: good enough for synthetic speech on a clean line,
 * and deterministic, which is what tests need from the simulator.
 */
export class EnergyVad {
  readonly #samplesPerFrame: number;
  readonly #settings: VadSettings;
  #remainder = new Int16Array(0);
  #positionMs = 0;
  #speaking = false;
  #loudFrames = 0;
  #quietMs = 0;
  #lastLoudEndMs = 0;

  constructor(settings: VadSettings, sampleRate: number) {
    this.#settings = settings;
    this.#samplesPerFrame = (sampleRate / 1000) * FRAME_MS;
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  push(samples: Int16Array): VadEvent[] {
    const joined = new Int16Array(this.#remainder.length + samples.length);
    joined.set(this.#remainder);
    joined.set(samples, this.#remainder.length);
    const events: VadEvent[] = [];
    let offset = 0;
    for (; offset + this.#samplesPerFrame <= joined.length; offset += this.#samplesPerFrame) {
      const event = this.#frame(joined.subarray(offset, offset + this.#samplesPerFrame));
      if (event) events.push(event);
    }
    this.#remainder = joined.slice(offset);
    return events;
  }

  #frame(frame: Int16Array): VadEvent | undefined {
    const startMs = this.#positionMs;
    this.#positionMs += FRAME_MS;
    const loud = levelDbfs(frame) > -70 + 50 * this.#settings.threshold;
    if (!this.#speaking) {
      this.#loudFrames = loud ? this.#loudFrames + 1 : 0;
      if (this.#loudFrames < ONSET_FRAMES) return undefined;
      this.#speaking = true;
      this.#quietMs = 0;
      this.#lastLoudEndMs = this.#positionMs;
      const onsetMs = startMs - (ONSET_FRAMES - 1) * FRAME_MS;
      return { kind: 'speech-started', audioStartMs: Math.max(0, onsetMs - this.#settings.prefixPaddingMs) };
    }
    if (loud) {
      this.#quietMs = 0;
      this.#lastLoudEndMs = this.#positionMs;
      return undefined;
    }
    this.#quietMs += FRAME_MS;
    if (this.#quietMs < this.#settings.silenceDurationMs) return undefined;
    this.#speaking = false;
    this.#loudFrames = 0;
    return { kind: 'speech-stopped', audioEndMs: this.#positionMs, speechEndMs: this.#lastLoudEndMs };
  }
}

function levelDbfs(frame: Int16Array): number {
  let sum = 0;
  for (const sample of frame) sum += sample * sample;
  const rms = Math.sqrt(sum / frame.length) / 32768;
  return rms > 0 ? 20 * Math.log10(rms) : -120;
}
