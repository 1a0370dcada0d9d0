import { MULAW_FRAME_BYTES, MULAW_SILENCE_BYTE, mulawBytesToMs } from '../../audio/timing.js';

/** One stretch of bot speech as the caller heard it. */
export interface BotTurn {
  firstAudioAtMs: number;
  receivedMs: number;
  playedMs: number;
  /** Set when Twilio's buffer was cleared during this turn: how much of it had played by then. */
  cleared?: { atMs: number; playedMs: number };
}

interface PendingMark {
  name: string;
  /** Played-bytes position at which Twilio would echo it. */
  position: number;
}

/**
 * Twilio's playback of the server's audio (docs/protocols.md 1.3): buffered in order, played in real time one
 * frame per tick, each mark echoed once the audio before it has played, `clear` flushing the buffer and
 * echoing every pending mark. Groups what the caller heard into bot turns.
 */
export class CallerPlayback {
  readonly botTurns: BotTurn[] = [];
  readonly marksEchoed: string[] = [];
  readonly clears: number[] = [];
  /** Every media message received: when and how many bytes. */
  readonly received: { atMs: number; bytes: number }[] = [];
  firstBotAudioAtMs: number | undefined;
  /** Since when nothing has been left to play. */
  quietSinceMs = 0;
  /** What the caller heard, frame by frame (silence included). */
  readonly recording: Uint8Array[] = [];
  readonly #now: () => number;
  readonly #echo: (name: string) => void;
  #buffer: Uint8Array[] = [];
  #receivedBytes = 0;
  #playedBytes = 0;
  #pendingMarks: PendingMark[] = [];

  /** `echo` sends a mark back to the server. */
  constructor(now: () => number, echo: (name: string) => void) {
    this.#now = now;
    this.#echo = echo;
  }

  get bufferedBytes(): number {
    return this.#receivedBytes - this.#playedBytes;
  }

  media(bytes: Buffer, nowMs: number): void {
    this.received.push({ atMs: nowMs, bytes: bytes.length });
    this.firstBotAudioAtMs ??= nowMs;
    const lastTurn = this.botTurns[this.botTurns.length - 1];
    if (!lastTurn || (this.bufferedBytes === 0 && nowMs - this.quietSinceMs > 100)) {
      this.botTurns.push({ firstAudioAtMs: nowMs, receivedMs: 0, playedMs: 0 });
    }
    this.botTurns[this.botTurns.length - 1]!.receivedMs += mulawBytesToMs(bytes.length);
    this.#buffer.push(new Uint8Array(bytes));
    this.#receivedBytes += bytes.length;
  }

  mark(name: string): void {
    this.#pendingMarks.push({ name, position: this.#receivedBytes });
    this.#echoPlayedMarks();
  }

  clear(nowMs: number): void {
    const turn = this.botTurns[this.botTurns.length - 1];
    if (turn && !turn.cleared) turn.cleared = { atMs: nowMs, playedMs: turn.playedMs };
    this.clears.push(nowMs);
    this.#buffer = [];
    this.#receivedBytes = this.#playedBytes;
    const pending = this.#pendingMarks;
    this.#pendingMarks = [];
    for (const mark of pending) this.#echoMark(mark.name);
    this.quietSinceMs = nowMs;
  }

  /** One frame of real-time playback. */
  playFrame(): void {
    const out = new Uint8Array(MULAW_FRAME_BYTES).fill(MULAW_SILENCE_BYTE);
    let filled = 0;
    while (filled < MULAW_FRAME_BYTES && this.#buffer.length > 0) {
      const head = this.#buffer[0]!;
      const take = Math.min(head.length, MULAW_FRAME_BYTES - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.#buffer.shift();
      else this.#buffer[0] = head.subarray(take);
    }
    this.recording.push(out);
    if (filled > 0) {
      this.#playedBytes += filled;
      const turn = this.botTurns[this.botTurns.length - 1];
      if (turn) turn.playedMs += mulawBytesToMs(filled);
      if (this.bufferedBytes === 0) this.quietSinceMs = this.#now();
    }
    this.#echoPlayedMarks();
  }

  #echoPlayedMarks(): void {
    while (this.#pendingMarks.length > 0 && this.#pendingMarks[0]!.position <= this.#playedBytes) {
      this.#echoMark(this.#pendingMarks.shift()!.name);
    }
  }

  #echoMark(name: string): void {
    this.marksEchoed.push(name);
    this.#echo(name);
  }
}
