import type { PlaybackTracker } from './playback-tracker.js';

/*
 * Barge-in decisions, hand-written because they are this product's own policy: which responses are
 * live, which audio may still reach the caller, and what to tell Twilio and the model when the caller
 * talks over the bot. Socket-free: methods take data and the time and return commands.
 */

export type BargeInCommand =
  | { kind: 'clear' }
  | { kind: 'truncate'; itemId: string; audioEndMs: number }
  | { kind: 'cancel'; responseId: string };

/** An assistant item the caller did not hear to the end. */
export interface InterruptedItem {
  itemId: string;
  responseId: string;
  heardMs: number;
}

interface ResponseState {
  done: boolean;
  interrupted: boolean;
  itemIds: string[];
}

interface ItemState {
  responseId: string;
  /** All audio the model produced for the item, forwarded or dropped. */
  receivedMs: number;
  audioDone: boolean;
  /** Where the model's copy was truncated, once it was. */
  truncatedAtMs: number | undefined;
}

/** Sub-millisecond differences are rounding between deltas and marks, not unheard audio. */
const EPSILON_MS = 1;

export class BargeInController {
  readonly #tracker: PlaybackTracker;
  readonly #responses = new Map<string, ResponseState>();
  readonly #items = new Map<string, ItemState>();

  constructor(tracker: PlaybackTracker) {
    this.#tracker = tracker;
  }

  onResponseCreated(responseId: string): void {
    if (!this.#responses.has(responseId)) {
      this.#responses.set(responseId, { done: false, interrupted: false, itemIds: [] });
    }
  }

  /** Whether a delta may go to the caller: never once its response was interrupted. */
  onAudioDelta(responseId: string, itemId: string, durationMs: number): 'forward' | 'drop' {
    this.onResponseCreated(responseId);
    const response = this.#responses.get(responseId)!;
    let item = this.#items.get(itemId);
    if (!item) {
      item = { responseId, receivedMs: 0, audioDone: false, truncatedAtMs: undefined };
      this.#items.set(itemId, item);
      response.itemIds.push(itemId);
    }
    item.receivedMs += durationMs;
    return response.interrupted ? 'drop' : 'forward';
  }

  onAudioDone(itemId: string): void {
    const item = this.#items.get(itemId);
    if (item) item.audioDone = true;
  }

  /** A response that is still being generated and was not interrupted. */
  get activeResponseId(): string | undefined {
    for (const [id, response] of this.#responses) {
      if (!response.done && !response.interrupted) return id;
    }
    return undefined;
  }

  /** True while the bot is audible or about to be: queued audio at Twilio or a live response. */
  get botIsSpeaking(): boolean {
    return this.#tracker.hasPendingAudio || this.activeResponseId !== undefined;
  }

  /**
   * The caller started speaking. Returns what to do, in order: `clear` first (it must leave in the
   * same event-loop turn), then truncations at what the caller heard, then the cancel.
   */
  onSpeechStarted(nowMs: number): { commands: BargeInCommand[]; interrupted: InterruptedItem[] } {
    const pendingItemIds = this.#tracker.pendingItemIds();
    const activeId = this.activeResponseId;
    if (pendingItemIds.length === 0 && activeId === undefined) return { commands: [], interrupted: [] };

    const commands: BargeInCommand[] = [];
    if (pendingItemIds.length > 0) commands.push({ kind: 'clear' });

    const affected = new Set(pendingItemIds);
    if (activeId) for (const itemId of this.#responses.get(activeId)!.itemIds) affected.add(itemId);

    const interrupted: InterruptedItem[] = [];
    for (const itemId of affected) {
      const item = this.#items.get(itemId);
      if (!item || item.truncatedAtMs !== undefined) continue;
      const heardMs = this.#tracker.heardMs(itemId, nowMs);
      const fullyHeard = item.audioDone && heardMs >= item.receivedMs - EPSILON_MS;
      if (fullyHeard) continue;
      item.truncatedAtMs = heardMs;
      commands.push({ kind: 'truncate', itemId, audioEndMs: Math.floor(heardMs) });
      interrupted.push({ itemId, responseId: item.responseId, heardMs });
      this.#responses.get(item.responseId)!.interrupted = true;
    }
    if (pendingItemIds.length > 0) this.#tracker.clear(nowMs);

    if (activeId) {
      this.#responses.get(activeId)!.interrupted = true;
      commands.push({ kind: 'cancel', responseId: activeId });
    }
    return { commands, interrupted };
  }

  /**
   * The response finished (completed or cancelled). Items of an interrupted response that received
   * audio only after the interruption were never heard: truncate them to nothing.
   */
  onResponseDone(responseId: string): { commands: BargeInCommand[]; interrupted: InterruptedItem[] } {
    const response = this.#responses.get(responseId);
    if (!response) return { commands: [], interrupted: [] };
    response.done = true;
    const commands: BargeInCommand[] = [];
    const interrupted: InterruptedItem[] = [];
    if (response.interrupted) {
      for (const itemId of response.itemIds) {
        const item = this.#items.get(itemId)!;
        if (item.truncatedAtMs !== undefined || this.#tracker.sentMs(itemId) > 0) continue;
        item.truncatedAtMs = 0;
        commands.push({ kind: 'truncate', itemId, audioEndMs: 0 });
        interrupted.push({ itemId, responseId, heardMs: 0 });
      }
    }
    return { commands, interrupted };
  }

  isResponseDone(responseId: string): boolean {
    return this.#responses.get(responseId)?.done === true;
  }

  /** Total audio the model produced for an item, in ms (what the transcript covers). */
  receivedMs(itemId: string): number {
    return this.#items.get(itemId)?.receivedMs ?? 0;
  }

  /** Releases bookkeeping of a finished response once its audio can no longer be interrupted. */
  forgetResponse(responseId: string): boolean {
    const response = this.#responses.get(responseId);
    if (!response?.done) return false;
    const pending = new Set(this.#tracker.pendingItemIds());
    if (response.itemIds.some((itemId) => pending.has(itemId))) return false;
    for (const itemId of response.itemIds) {
      this.#items.delete(itemId);
      this.#tracker.forget(itemId);
    }
    this.#responses.delete(responseId);
    return true;
  }
}
