import type { z } from 'zod';
import type { clientItemSchema } from './client-events.js';
import { wireItem, type SimItem } from './items.js';
import { invalidRequest, newId, type Emit } from './server-events.js';

const MAX_ITEM_ID_LENGTH = 32;

/** The conversation's items in order, and the client events that edit them, refused as the service refuses them. */
export class ItemStore {
  readonly items: SimItem[] = [];
  readonly #emit: Emit;

  constructor(emit: Emit) {
    this.#emit = emit;
  }

  /** The id of the last item, which a new item follows. */
  get lastId(): string | null {
    return this.items[this.items.length - 1]?.id ?? null;
  }

  includes(item: SimItem): boolean {
    return this.items.includes(item);
  }

  /** Adds an item at the end (a turn or a response's output) and returns the id of the one before it. */
  append(item: SimItem): string | null {
    const previous = this.lastId;
    this.items.push(item);
    return previous;
  }

  /** conversation.item.create: the new item once added (and announced), or undefined when refused. */
  create(input: z.infer<typeof clientItemSchema>, previousItemId: string | undefined, eventId: string | undefined): SimItem | undefined {
    if (input.id && input.id.length > MAX_ITEM_ID_LENGTH) {
      this.#emit(invalidRequest('string_above_max_length', `Invalid 'item.id': string too long. Expected a string with maximum length ${MAX_ITEM_ID_LENGTH}, but got a string with length ${input.id.length} instead.`, 'item.id', eventId));
      return undefined;
    }
    if (input.id && this.items.some((item) => item.id === input.id)) {
      this.#emit(invalidRequest('item_already_exists', `Item with id '${input.id}' already exists.`, 'item.id', eventId));
      return undefined;
    }
    if (input.type === 'message') {
      const allowed =
        input.role === 'system' ? ['input_text'] : input.role === 'assistant' ? ['output_text', 'text'] : ['input_text', 'input_audio', 'text'];
      const bad = (input.content ?? []).find((part) => !allowed.includes(part.type));
      if (!input.role || bad) {
        this.#emit(
          invalidRequest(
            'invalid_value',
            `Invalid value: '${bad?.type ?? 'role'}'. Supported values for ${input.role ?? 'message'} content are: ${allowed.map((t) => `'${t}'`).join(', ')}.`,
            'item.content',
            eventId,
          ),
        );
        return undefined;
      }
    }
    let index = this.items.length;
    if (previousItemId === 'root') index = 0;
    else if (previousItemId !== undefined) {
      const previous = this.items.findIndex((item) => item.id === previousItemId);
      if (previous < 0) {
        this.#emit(invalidRequest('item_not_found', `Previous item with item_id '${previousItemId}' not found.`, 'previous_item_id', eventId));
        return undefined;
      }
      index = previous + 1;
    }
    const item: SimItem = {
      id: input.id ?? newId('item'),
      type: input.type,
      status: 'completed',
      content: (input.content ?? []).map((part) => ({ type: part.type, ...(part.text !== undefined ? { text: part.text } : {}) })),
      audioMs: 0,
      ...(input.role ? { role: input.role } : {}),
      ...(input.call_id ? { call_id: input.call_id } : {}),
      ...(input.name ? { name: input.name } : {}),
      ...(input.arguments ? { arguments: input.arguments } : {}),
      ...(input.output ? { output: input.output } : {}),
    };
    this.items.splice(index, 0, item);
    const previous = index === 0 ? null : this.items[index - 1]!.id;
    this.#emit({ type: 'conversation.item.added', previous_item_id: previous, item: wireItem(item) });
    this.#emit({ type: 'conversation.item.done', previous_item_id: previous, item: wireItem(item) });
    return item;
  }

  delete(itemId: string, eventId: string | undefined): void {
    const index = this.items.findIndex((item) => item.id === itemId);
    if (index < 0) return this.#notFound(itemId, eventId);
    this.items.splice(index, 1);
    this.#emit({ type: 'conversation.item.deleted', item_id: itemId });
  }

  retrieve(itemId: string, eventId: string | undefined): void {
    const item = this.items.find((candidate) => candidate.id === itemId);
    if (!item) return this.#notFound(itemId, eventId);
    this.#emit({ type: 'conversation.item.retrieved', item: wireItem(item) });
  }

  /** Cuts an assistant item's audio (and its transcript, in proportion) at `audioEndMs`: what the caller heard. */
  truncate(itemId: string, contentIndex: number, audioEndMs: number, eventId: string | undefined): void {
    const item = this.items.find((candidate) => candidate.id === itemId);
    if (!item) return this.#notFound(itemId, eventId);
    if (item.role !== 'assistant' || !item.content.some((part) => part.type === 'output_audio')) {
      this.#emit(invalidRequest('invalid_value', 'Only assistant messages with audio can be truncated.', 'item_id', eventId));
      return;
    }
    if (contentIndex !== 0) {
      this.#emit(invalidRequest('invalid_value', `Invalid 'content_index': content part ${contentIndex} does not exist.`, 'content_index', eventId));
      return;
    }
    if (audioEndMs > item.audioMs) {
      this.#emit(invalidRequest('invalid_value', `Audio content of ${Math.floor(item.audioMs)}ms is already shorter than ${audioEndMs}ms`, 'audio_end_ms', eventId));
      return;
    }
    const part = item.content[0]!;
    const transcript = part.transcript ?? '';
    part.transcript = item.audioMs > 0 ? transcript.slice(0, Math.round((transcript.length * audioEndMs) / item.audioMs)) : '';
    item.audioMs = audioEndMs;
    item.truncated = true;
    this.#emit({ type: 'conversation.item.truncated', item_id: itemId, content_index: contentIndex, audio_end_ms: audioEndMs });
  }

  #notFound(itemId: string, eventId: string | undefined): void {
    this.#emit(invalidRequest('item_not_found', `Item with item_id '${itemId}' not found.`, 'item_id', eventId));
  }
}
