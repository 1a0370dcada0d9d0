import { itemText, type RealtimeItem, type RealtimeServerEvent, type RealtimeUsage } from '../realtime/server-events.js';

export type ContextRole = 'user' | 'assistant' | 'system';

/** One item of the model's context, as we believe the server holds it. */
export interface ContextItem {
  id: string;
  type: string;
  role: ContextRole | undefined;
  /** Transcript or text; undefined while a user item's transcription is still on its way. */
  text: string | undefined;
  hasAudio: boolean;
  /** Function calls and their outputs are paired by call id and must be summarized together. */
  callId: string | undefined;
  /** Items we created ourselves (summaries, seeded history): never part of the caller's transcript. */
  synthetic: boolean;
  /** When the mirror first saw the item (the call's clock), so a transcript that never comes can be given up on. */
  addedAtMs?: number;
}

/** What a server event told us, for whoever keeps the call's transcript. */
export type ConversationFact =
  | { kind: 'item-added'; itemId: string; role: ContextRole | undefined; synthetic: boolean }
  | { kind: 'user-transcript'; itemId: string; text: string }
  | { kind: 'assistant-transcript'; itemId: string; text: string };

/** Ids we give items we create, so their echoes are recognisable as ours. */
export const SYNTHETIC_ITEM_PREFIX = 'cb_';

/**
 * A mirror of the model's conversation: items in server order, their text, and the latest usage.
 * It is what summarization reads and what a new session is seeded from.
 */
export class Conversation {
  readonly #now: () => number;
  #items: ContextItem[] = [];
  #usage: RealtimeUsage | undefined;
  /** Assistant transcripts as streamed, in case the final event comes back already truncated. */
  readonly #streamed = new Map<string, string>();

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  get items(): readonly ContextItem[] {
    return this.#items;
  }

  get usage(): RealtimeUsage | undefined {
    return this.#usage;
  }

  get(itemId: string): ContextItem | undefined {
    return this.#items.find((item) => item.id === itemId);
  }

  /** A new session starts empty; its items arrive again as events. */
  reset(): void {
    this.#items = [];
    this.#usage = undefined;
    this.#streamed.clear();
  }

  /** Records the text the model should keep for an item, e.g. what was heard before a barge-in. */
  setText(itemId: string, text: string): void {
    const item = this.get(itemId);
    if (item) item.text = text;
  }

  apply(event: RealtimeServerEvent): ConversationFact[] {
    switch (event.type) {
      case 'conversation.item.added':
      case 'conversation.item.created':
        return this.#upsert(event.item, event.previous_item_id);
      case 'conversation.item.done':
      case 'conversation.item.retrieved':
        return this.#upsert(event.item, undefined);
      case 'conversation.item.deleted':
        this.#items = this.#items.filter((item) => item.id !== event.item_id);
        return [];
      case 'conversation.item.input_audio_transcription.completed': {
        this.#ensure(event.item_id, 'user').text = event.transcript;
        return [{ kind: 'user-transcript', itemId: event.item_id, text: event.transcript }];
      }
      case 'conversation.item.input_audio_transcription.failed': {
        // It will never be transcribed: an empty text lets summarization move past it.
        const item = this.#ensure(event.item_id, 'user');
        item.text ??= '';
        return [];
      }
      case 'response.output_audio_transcript.delta':
        this.#streamed.set(event.item_id, (this.#streamed.get(event.item_id) ?? '') + event.delta);
        return [];
      case 'response.output_audio_transcript.done': {
        const streamed = this.#streamed.get(event.item_id) ?? '';
        this.#streamed.delete(event.item_id);
        const text = event.transcript.length >= streamed.length ? event.transcript : streamed;
        const item = this.#ensure(event.item_id, 'assistant');
        item.text = text;
        item.hasAudio = true;
        return [{ kind: 'assistant-transcript', itemId: event.item_id, text }];
      }
      case 'response.output_item.added':
        return this.#upsert(event.item, undefined);
      case 'response.done':
        if (event.response.usage) this.#usage = event.response.usage;
        return [];
      default:
        return [];
    }
  }

  #upsert(item: RealtimeItem, previousItemId: string | null | undefined): ConversationFact[] {
    const existing = this.get(item.id);
    const text = contentText(item);
    const hasAudio = (item.content ?? []).some((part) => part.type.includes('audio'));
    if (existing) {
      existing.text ??= text;
      existing.hasAudio ||= hasAudio;
      existing.role ??= item.role;
      return [];
    }
    const added: ContextItem = {
      id: item.id,
      type: item.type,
      role: item.role,
      text: hasAudio && item.role === 'user' ? text || undefined : text,
      hasAudio,
      callId: item.call_id,
      synthetic: item.id.startsWith(SYNTHETIC_ITEM_PREFIX),
      addedAtMs: this.#now(),
    };
    this.#insert(added, previousItemId);
    return [{ kind: 'item-added', itemId: added.id, role: added.role, synthetic: added.synthetic }];
  }

  #ensure(itemId: string, role: ContextRole): ContextItem {
    const existing = this.get(itemId);
    if (existing) return existing;
    const created: ContextItem = {
      id: itemId,
      type: 'message',
      role,
      text: undefined,
      hasAudio: true,
      callId: undefined,
      synthetic: false,
      addedAtMs: this.#now(),
    };
    this.#items.push(created);
    return created;
  }

  #insert(item: ContextItem, previousItemId: string | null | undefined): void {
    if (previousItemId === 'root' || previousItemId === null) {
      this.#items.unshift(item);
      return;
    }
    const index = previousItemId === undefined ? -1 : this.#items.findIndex((i) => i.id === previousItemId);
    if (index < 0) this.#items.push(item);
    else this.#items.splice(index + 1, 0, item);
  }
}

function contentText(item: RealtimeItem): string | undefined {
  if (item.type === 'function_call') return item.arguments === undefined ? undefined : `${item.name}(${item.arguments})`;
  if (item.type === 'function_call_output') return item.output;
  return itemText(item);
}
