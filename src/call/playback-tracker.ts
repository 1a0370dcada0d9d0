/*
 * Hand-written because no library models Twilio's playback buffer: Twilio plays what we send in
 * order, in real time, and tells us how far it got only by echoing the marks we place after each
 * chunk (docs/protocols.md 1.3). Socket-free; every method takes the current time.
 */

interface Segment {
  itemId: string;
  /** Position of the segment inside its item, in ms of audio. */
  itemStartMs: number;
  itemEndMs: number;
  /** Position on the stream's playback timeline (all audio sent since the last clear), in ms. */
  timelineStartMs: number;
  timelineEndMs: number;
  markName: string;
}

interface ItemPlayback {
  sentMs: number;
  confirmedMs: number;
}

export type MarkEcho =
  /** Audio up to `playedMs` of the item has played. */
  | { kind: 'played'; itemId: string; playedMs: number; idle: boolean }
  /** The echo of a mark that was pending when we cleared: says nothing about playback. */
  | { kind: 'stale' }
  | { kind: 'unknown' };

const MARK_PREFIX = 'cb';

export class PlaybackTracker {
  #generation = 0;
  #sequence = 0;
  #timelineSentMs = 0;
  /** Last known playback position and when it was true: a mark echo, or the moment playback restarted. */
  #anchor = { timelineMs: 0, atMs: 0 };
  /** Sent segments whose marks have not come back, oldest first. */
  #pending: Segment[] = [];
  readonly #items = new Map<string, ItemPlayback>();

  get generation(): number {
    return this.#generation;
  }

  /** Records audio sent to Twilio and returns the name of the mark to send right after it. */
  recordSent(itemId: string, durationMs: number, nowMs: number): string {
    if (this.#pending.length === 0) {
      // Twilio's buffer was empty, so this audio starts playing as it arrives.
      this.#anchor = { timelineMs: this.#timelineSentMs, atMs: nowMs };
    }
    const item = this.#items.get(itemId) ?? { sentMs: 0, confirmedMs: 0 };
    this.#items.set(itemId, item);
    const itemEndMs = item.sentMs + durationMs;
    const segment: Segment = {
      itemId,
      itemStartMs: item.sentMs,
      itemEndMs,
      timelineStartMs: this.#timelineSentMs,
      timelineEndMs: this.#timelineSentMs + durationMs,
      markName: `${MARK_PREFIX}:${this.#generation}:${++this.#sequence}:${itemId}:${Math.round(itemEndMs)}`,
    };
    item.sentMs = itemEndMs;
    this.#timelineSentMs = segment.timelineEndMs;
    this.#pending.push(segment);
    return segment.markName;
  }

  onMark(name: string, nowMs: number): MarkEcho {
    const index = this.#pending.findIndex((segment) => segment.markName === name);
    if (index < 0) {
      const [prefix, generation] = name.split(':');
      const ours = prefix === MARK_PREFIX && generation !== undefined;
      return ours && Number(generation) < this.#generation ? { kind: 'stale' } : { kind: 'unknown' };
    }
    // Twilio plays in order: an echo confirms every segment sent before it as well.
    const played = this.#pending.splice(0, index + 1);
    for (const segment of played) {
      const item = this.#items.get(segment.itemId);
      if (item) item.confirmedMs = Math.max(item.confirmedMs, segment.itemEndMs);
    }
    const last = played[played.length - 1]!;
    this.#anchor = { timelineMs: last.timelineEndMs, atMs: nowMs };
    return { kind: 'played', itemId: last.itemId, playedMs: last.itemEndMs, idle: this.#pending.length === 0 };
  }

  /** True while audio we sent may still be queued or playing at Twilio (some mark not echoed). */
  get hasPendingAudio(): boolean {
    return this.#pending.length > 0;
  }

  /** Item ids with audio still queued or playing, in playback order. */
  pendingItemIds(): string[] {
    return [...new Set(this.#pending.map((segment) => segment.itemId))];
  }

  sentMs(itemId: string): number {
    return this.#items.get(itemId)?.sentMs ?? 0;
  }

  /**
   * How much of the item the caller has heard: the last confirmed position plus the wall-clock time
   * since that echo, never beyond what was sent.
   */
  heardMs(itemId: string, nowMs: number): number {
    const item = this.#items.get(itemId);
    if (!item) return 0;
    const itemSegments = this.#pending.filter((segment) => segment.itemId === itemId);
    if (itemSegments.length === 0) return item.sentMs;
    const playheadMs = this.#playheadMs(nowMs);
    const first = itemSegments[0]!;
    if (playheadMs <= first.timelineStartMs) return Math.max(item.confirmedMs, first.itemStartMs);
    for (const segment of itemSegments) {
      if (playheadMs < segment.timelineEndMs) {
        return segment.itemStartMs + (playheadMs - segment.timelineStartMs);
      }
    }
    return item.sentMs;
  }

  /**
   * After a Twilio `clear`: pending audio is gone (each item keeps only what played), and echoes of
   * the cleared marks must not count as played.
   */
  clear(nowMs: number): void {
    for (const itemId of this.pendingItemIds()) {
      const item = this.#items.get(itemId)!;
      item.sentMs = this.heardMs(itemId, nowMs);
      item.confirmedMs = item.sentMs;
    }
    this.#generation++;
    this.#pending = [];
  }

  /** Drops bookkeeping for items that can no longer be heard or truncated. */
  forget(itemId: string): void {
    if (this.#pending.some((segment) => segment.itemId === itemId)) return;
    this.#items.delete(itemId);
  }

  #playheadMs(nowMs: number): number {
    const estimate = this.#anchor.timelineMs + Math.max(0, nowMs - this.#anchor.atMs);
    return Math.min(this.#timelineSentMs, estimate);
  }
}
