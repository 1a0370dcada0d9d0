import type {
  ConversationItem,
  RealtimeClientEvent,
  RealtimeSessionCreateRequest,
} from 'openai/resources/realtime/realtime';

/*
 * Builders for every client event we send. Typed with the openai SDK's own definitions, so the
 * compiler holds each payload to the documented GA shape (docs/protocols.md 2.3).
 */

export type { RealtimeClientEvent };

export const sessionUpdate = (session: RealtimeSessionCreateRequest): RealtimeClientEvent => ({
  type: 'session.update',
  session,
});

export const appendAudio = (audioBase64: string): RealtimeClientEvent => ({
  type: 'input_audio_buffer.append',
  audio: audioBase64,
});

/**
 * A client event's JSON text. Caller audio leaves 50 times a second per call, and its only variable
 * field is base64 (no character JSON would escape): written as text, it skips a JSON.stringify that
 * scans every byte of the audio again. The text is the same JSON.stringify writes (a unit test holds
 * them equal).
 */
export function serializeClientEvent(event: RealtimeClientEvent): string {
  if (event.type === 'input_audio_buffer.append') return `{"type":"input_audio_buffer.append","audio":"${event.audio}"}`;
  return JSON.stringify(event);
}

/** A response with extra instructions for this turn only (the greeting), on top of the session's. */
export const createResponse = (instructions?: string): RealtimeClientEvent =>
  instructions ? { type: 'response.create', response: { instructions } } : { type: 'response.create' };

export const cancelResponse = (responseId?: string): RealtimeClientEvent =>
  responseId ? { type: 'response.cancel', response_id: responseId } : { type: 'response.cancel' };

export const truncateItem = (itemId: string, audioEndMs: number): RealtimeClientEvent => ({
  type: 'conversation.item.truncate',
  item_id: itemId,
  content_index: 0,
  audio_end_ms: Math.max(0, Math.floor(audioEndMs)),
});

export const deleteItem = (itemId: string): RealtimeClientEvent => ({
  type: 'conversation.item.delete',
  item_id: itemId,
});

/** `previousItemId: 'root'` inserts at the start of the conversation. */
export const createItem = (item: ConversationItem, previousItemId?: string): RealtimeClientEvent =>
  previousItemId === undefined
    ? { type: 'conversation.item.create', item }
    : { type: 'conversation.item.create', item, previous_item_id: previousItemId };

/** System messages take only `input_text` content. */
export const systemMessage = (id: string, text: string): ConversationItem => ({
  id,
  type: 'message',
  role: 'system',
  content: [{ type: 'input_text', text }],
});

export const userTextMessage = (id: string, text: string): ConversationItem => ({
  id,
  type: 'message',
  role: 'user',
  content: [{ type: 'input_text', text }],
});

/** The service cannot create assistant audio; past assistant turns come back as text. */
export const assistantTextMessage = (id: string, text: string): ConversationItem => ({
  id,
  type: 'message',
  role: 'assistant',
  content: [{ type: 'output_text', text }],
});

export const functionCallOutput = (callId: string, output: string): ConversationItem => ({
  type: 'function_call_output',
  call_id: callId,
  output,
});
