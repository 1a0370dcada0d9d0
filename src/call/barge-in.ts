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

/** What the transcript and the model's copy of an item need once an interrupted item is settled. */
export interface SettledInterruption {
  itemId: string;
  heardMs: number;
  /** All audio the model produced for the item (what its transcript covers). */
  totalMs: number;
}

interface ResponseState {
  done: boolean;
  interrupted: boolean;
  /** Items that carried audio, in order. */
  itemIds: string[];
  /** Message items the response announced, in order: the turns it completes. */
  messageItemIds: string[];
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
  /** What the caller heard of interrupted items whose response has not finished yet. */
  readonly #heardAtInterruption = new Map<string, number>();

  constructor(tracker: PlaybackTracker) {
    this.#tracker = tracker;
  }

  onResponseCreated(responseId: string): void {
    if (!this.#responses.has(responseId)) {
      this.#responses.set(responseId, { done: false, interrupted: false, itemIds: [], messageItemIds: [] });
    }
  }

  /** A message item of the response: its turn completes when the response does. */
  onMessageItemAdded(responseId: string, itemId: string): void {
    this.#responses.get(responseId)?.messageItemIds.push(itemId);
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
   * same event-loop turn), then truncations at what the caller heard, then the cancel; and the
   * interrupted items of responses that already finished, which can be settled at once.
   */
  onSpeechStarted(nowMs: number): { commands: BargeInCommand[]; interrupted: InterruptedItem[]; settled: SettledInterruption[] } {
    const pendingItemIds = this.#tracker.pendingItemIds();
    const activeId = this.activeResponseId;
    if (pendingItemIds.length === 0 && activeId === undefined) return { commands: [], interrupted: [], settled: [] };

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
    for (const item of interrupted) this.#heardAtInterruption.set(item.itemId, item.heardMs);
    // A response that already finished generating gets no second response.done: settle it now.
    const settled = interrupted.filter((item) => this.isResponseDone(item.responseId)).flatMap((item) => this.#settle(item.itemId));
    return { commands, interrupted, settled };
  }

  /**
   * The response finished (completed or cancelled). Items of an interrupted response that received
   * audio only after the interruption were never heard: truncate them to nothing. Returns the
   * interruptions to settle and the message items whose turns are now complete.
   */
  onResponseDone(responseId: string): {
    commands: BargeInCommand[];
    interrupted: InterruptedItem[];
    settled: SettledInterruption[];
    completedItemIds: string[];
  } {
    const response = this.#responses.get(responseId);
    if (!response) return { commands: [], interrupted: [], settled: [], completedItemIds: [] };
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
        this.#heardAtInterruption.set(itemId, 0);
      }
    }
    const settled = response.messageItemIds.flatMap((itemId) => this.#settle(itemId));
    return { commands, interrupted, settled, completedItemIds: [...response.messageItemIds] };
  }

  isResponseDone(responseId: string): boolean {
    return this.#responses.get(responseId)?.done === true;
  }

  /** Total audio the model produced for an item, in ms (what the transcript covers). */
  receivedMs(itemId: string): number {
    return this.#items.get(itemId)?.receivedMs ?? 0;
  }

  /** Releases the bookkeeping of every finished response whose audio can no longer be interrupted. */
  forgetSettledResponses(): void {
    for (const responseId of [...this.#responses.keys()]) this.forgetResponse(responseId);
  }

  #settle(itemId: string): SettledInterruption[] {
    const heardMs = this.#heardAtInterruption.get(itemId);
    if (heardMs === undefined) return [];
    this.#heardAtInterruption.delete(itemId);
    return [{ itemId, heardMs, totalMs: this.receivedMs(itemId) }];
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
