import { EventEmitter } from 'node:events';
import { heardText } from './heard-text.js';

/** A function call the bot made and what came of it. */
export interface ToolTurn {
  name: string;
  /** Parsed arguments, or the raw text the model sent when they did not parse. */
  arguments: Record<string, unknown> | string;
  /** What the model was told (the function_call_output). */
  output: string;
  outcome: string;
  durationMs: number;
}

/** When the caller spoke, in ms since the call started (the model's VAD, mapped onto the call's clock). */
export interface CallerTiming {
  speechStartedMs: number;
  speechEndedMs: number;
}

/**
 * A bot turn on the call's one monotonic clock: marks in ms since the call started, and what they add
 * up to. Marks and figures are null where the turn never got that far (cut off, never heard).
 */
export interface BotTiming {
  responseId: string;
  /** The caller's end of speech this turn answers (VAD silence included); null when it answers none (the greeting, key presses). */
  speechEndedMs: number | null;
  responseCreatedMs: number;
  /** First audio delta of the response received from the model. */
  firstDeltaMs: number;
  /** First audio of the response sent to Twilio. */
  sentMs: number | null;
  /** First mark of the response echoed by Twilio: the caller has heard it. */
  heardMs: number | null;
  responseDoneMs: number;
  /** Audio of the response that reached Twilio, in ms: how long the caller heard it, unless cut off. */
  audioMs: number;
  /** Tools run between the caller's speech and this answer, summed; null when none ran. */
  toolMs: number | null;
  /** Speech ended (or, answering no speech, the response created) -> first delta. Includes tool time. */
  modelLatencyMs: number;
  /** First delta -> its audio sent to Twilio. */
  bridgeLatencyMs: number | null;
  /** Sent -> heard. */
  playbackStartMs: number | null;
  /** Speech ended (or the response created) -> heard: the caller's wait for the answer. */
  totalMs: number | null;
}

export interface Turn {
  /** Position in the conversation (server order), stable across reconnects. */
  seq: number;
  itemId: string;
  role: 'user' | 'assistant' | 'tool';
  /** What was transcribed (user), generated (assistant), keyed in (user, `keys`) or called (tool). */
  text: string;
  /** What the caller heard of an assistant turn; equals `text` unless interrupted. */
  heardText: string;
  interrupted: boolean;
  at: Date;
  /** Set on a caller turn that was key presses, not speech. */
  keys?: string;
  /** Set on tool turns. */
  tool?: ToolTurn;
  /** When it was said and, for bot turns, how long the caller waited; set once measured. */
  timing?: CallerTiming | BotTiming;
}

export type TranscriptEvents = {
  /** A turn completed: persist it now. */
  turn: [Turn];
  /** A completed turn changed: an assistant turn was cut short while still playing, or a turn was timed. */
  turnUpdated: [Turn];
};

interface Interruption {
  heardMs: number;
  totalMs: number;
}

/**
 * The call's record of who said what, in conversation order. Unlike the model's context it never
 * forgets: summarization and reconnects do not touch it.
 */
export class Transcript extends EventEmitter<TranscriptEvents> {
  #nextSeq = 1;
  readonly #seqByItem = new Map<string, number>();
  readonly #turns = new Map<string, Turn>();
  readonly #assistantText = new Map<string, string>();
  readonly #interruptions = new Map<string, Interruption>();
  /** Timings measured before their turn completed (speech is timed before it is transcribed). */
  readonly #timings = new Map<string, NonNullable<Turn['timing']>>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    super();
    this.#now = now;
  }

  /** Fixes an item's position when the server first announces it; text may come much later. */
  noteItem(itemId: string): void {
    if (!this.#seqByItem.has(itemId)) this.#seqByItem.set(itemId, this.#nextSeq++);
  }

  userSaid(itemId: string, text: string): void {
    const trimmed = text.trim();
    if (!trimmed || this.#turns.has(itemId)) return;
    this.#complete({ itemId, role: 'user', text: trimmed, heardText: trimmed, interrupted: false });
  }

  /** The caller keyed digits in instead of speaking. */
  callerPressed(itemId: string, digits: string): void {
    if (this.#turns.has(itemId)) return;
    const text = `(pressed ${digits})`;
    this.#complete({ itemId, role: 'user', text, heardText: text, interrupted: false, keys: digits });
  }

  /** A tool call was answered; `itemId` is the function_call item, so the turn sits where the model made it. */
  toolCalled(itemId: string, tool: ToolTurn): void {
    if (this.#turns.has(itemId)) return;
    const args = typeof tool.arguments === 'string' ? tool.arguments : JSON.stringify(tool.arguments);
    const text = `${tool.name}(${args})`;
    this.#complete({ itemId, role: 'tool', text, heardText: text, interrupted: false, tool });
  }

  /** The full generated transcript of an assistant item; the turn completes at `assistantDone`. */
  assistantGenerated(itemId: string, text: string): void {
    this.#assistantText.set(itemId, text.trim());
  }

  /** The caller stopped hearing the item at `heardMs` of its `totalMs` of audio. */
  assistantInterrupted(itemId: string, heardMs: number, totalMs: number): void {
    this.#interruptions.set(itemId, { heardMs, totalMs });
    const turn = this.#turns.get(itemId);
    if (!turn) return;
    turn.interrupted = true;
    turn.heardText = heardText(turn.text, heardMs, totalMs);
    this.emit('turnUpdated', { ...turn });
  }

  /** The item's response finished: its turn is complete (with what was heard, if already known). */
  assistantDone(itemId: string): void {
    const text = this.#assistantText.get(itemId);
    if (text === undefined || this.#turns.has(itemId)) return;
    this.#assistantText.delete(itemId);
    const interruption = this.#interruptions.get(itemId);
    if (!text && !interruption) return;
    this.#complete({
      itemId,
      role: 'assistant',
      text,
      heardText: interruption ? heardText(text, interruption.heardMs, interruption.totalMs) : text,
      interrupted: interruption !== undefined,
    });
  }

  /** Assistant items whose text is known but whose response has not finished. */
  unfinishedAssistantItems(): string[] {
    return [...this.#assistantText.keys()].filter((itemId) => !this.#turns.has(itemId));
  }

  /** The item's timing is known: its turn carries it, now or once it completes. */
  timed(itemId: string, timing: NonNullable<Turn['timing']>): void {
    const turn = this.#turns.get(itemId);
    if (!turn) {
      this.#timings.set(itemId, timing);
      return;
    }
    turn.timing = timing;
    this.emit('turnUpdated', { ...turn });
  }

  turns(): Turn[] {
    return [...this.#turns.values()].sort((a, b) => a.seq - b.seq).map((turn) => ({ ...turn }));
  }

  #complete(fields: Omit<Turn, 'seq' | 'at'>): void {
    this.noteItem(fields.itemId);
    const timing = this.#timings.get(fields.itemId);
    this.#timings.delete(fields.itemId);
    const turn: Turn = { ...fields, seq: this.#seqByItem.get(fields.itemId)!, at: this.#now(), ...(timing ? { timing } : {}) };
    this.#turns.set(turn.itemId, turn);
    this.emit('turn', { ...turn });
  }
}
