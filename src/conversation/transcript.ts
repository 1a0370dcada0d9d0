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
}

export type TranscriptEvents = {
  /** A turn completed: persist it now. */
  turn: [Turn];
  /** A completed assistant turn was cut short later, while it was still playing. */
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

  turns(): Turn[] {
    return [...this.#turns.values()].sort((a, b) => a.seq - b.seq).map((turn) => ({ ...turn }));
  }

  #complete(fields: Omit<Turn, 'seq' | 'at'>): void {
    this.noteItem(fields.itemId);
    const turn: Turn = { ...fields, seq: this.#seqByItem.get(fields.itemId)!, at: this.#now() };
    this.#turns.set(turn.itemId, turn);
    this.emit('turn', { ...turn });
  }
}
