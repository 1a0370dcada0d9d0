import { MULAW_FRAME_BYTES, MULAW_SILENCE_BYTE, TELEPHONY_FRAME_MS } from '../../audio/timing.js';

/** One 20 ms caller frame: its number (from 1), where it starts on the caller's audio clock, and its mu-law bytes. */
export interface CallerFrame {
  chunk: number;
  timestampMs: number;
  bytes: Uint8Array;
}

/**
 * The caller's side of the line: a frame every 20 ms of real time from the stream's start, carrying the
 * queued speech or silence, as a phone line never stops sending.
 */
export class CallerUplink {
  /** What the caller said, frame by frame (silence included). */
  readonly recording: Uint8Array[] = [];
  readonly #now: () => number;
  readonly #onFrame: (frame: CallerFrame) => void;
  #startedAtMs = 0;
  #frames = 0;
  #timer: NodeJS.Timeout | undefined;
  #halted = false;
  #closed = false;
  #speech: { bytes: Uint8Array; offset: number; done: () => void }[] = [];

  constructor(now: () => number, onFrame: (frame: CallerFrame) => void) {
    this.#now = now;
    this.#onFrame = onFrame;
  }

  start(startedAtMs: number): void {
    this.#startedAtMs = startedAtMs;
    this.#schedule();
  }

  /** Queues a mu-law clip; resolves once its last frame has gone out. */
  say(mulaw: Uint8Array): Promise<void> {
    return new Promise((resolve) => this.#speech.push({ bytes: mulaw, offset: 0, done: resolve }));
  }

  /** No more frames once the current burst is out (queued speech stays queued). */
  halt(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#halted = true;
  }

  /** The line is closed: no more frames, and queued speech is over. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const speech of this.#speech) speech.done();
    this.#speech = [];
  }

  #schedule(): void {
    if (this.#closed || this.#halted) return;
    const dueMs = this.#startedAtMs + (this.#frames + 1) * TELEPHONY_FRAME_MS;
    this.#timer = setTimeout(() => {
      // Catch up after event-loop stalls, as Twilio's own jitter would deliver a burst.
      while (!this.#closed && this.#now() >= this.#startedAtMs + (this.#frames + 1) * TELEPHONY_FRAME_MS) this.#tick();
      this.#schedule();
    }, Math.max(0, dueMs - this.#now()));
  }

  #tick(): void {
    this.#frames++;
    const frame = new Uint8Array(MULAW_FRAME_BYTES).fill(MULAW_SILENCE_BYTE);
    const speech = this.#speech[0];
    if (speech) {
      const chunk = speech.bytes.subarray(speech.offset, speech.offset + MULAW_FRAME_BYTES);
      frame.set(chunk);
      speech.offset += chunk.length;
      if (speech.offset >= speech.bytes.length) {
        this.#speech.shift();
        setImmediate(speech.done);
      }
    }
    this.recording.push(frame);
    this.#onFrame({ chunk: this.#frames, timestampMs: (this.#frames - 1) * TELEPHONY_FRAME_MS, bytes: frame });
  }
}
