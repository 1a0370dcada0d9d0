import { z } from 'zod';
import { invalidRequest, type ServerEvent } from './server-events.js';

/* What the simulator accepts from a client: the GA client events callbridge and the tests send, checked as the service checks them. */

export const contentPartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });
export const clientItemSchema = z.looseObject({
  id: z.string().optional(),
  type: z.enum(['message', 'function_call', 'function_call_output']),
  role: z.enum(['user', 'assistant', 'system']).optional(),
  content: z.array(contentPartSchema).optional(),
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
  output: z.string().optional(),
});

export const clientEventSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('session.update'), event_id: z.string().optional(), session: z.looseObject({}) }),
  z.looseObject({ type: z.literal('input_audio_buffer.append'), event_id: z.string().optional(), audio: z.string() }),
  z.looseObject({ type: z.literal('input_audio_buffer.commit'), event_id: z.string().optional() }),
  z.looseObject({ type: z.literal('input_audio_buffer.clear'), event_id: z.string().optional() }),
  z.looseObject({
    type: z.literal('conversation.item.create'),
    event_id: z.string().optional(),
    previous_item_id: z.string().nullish(),
    item: clientItemSchema,
  }),
  z.looseObject({ type: z.literal('conversation.item.delete'), event_id: z.string().optional(), item_id: z.string() }),
  z.looseObject({ type: z.literal('conversation.item.retrieve'), event_id: z.string().optional(), item_id: z.string() }),
  z.looseObject({
    type: z.literal('conversation.item.truncate'),
    event_id: z.string().optional(),
    item_id: z.string(),
    content_index: z.number().int(),
    audio_end_ms: z.number().int(),
  }),
  z.looseObject({
    type: z.literal('response.create'),
    event_id: z.string().optional(),
    response: z.looseObject({ instructions: z.string().optional(), conversation: z.string().optional() }).optional(),
  }),
  z.looseObject({ type: z.literal('response.cancel'), event_id: z.string().optional(), response_id: z.string().optional() }),
]);
export type ClientEvent = z.infer<typeof clientEventSchema>;
export type ClientEventType = ClientEvent['type'];
export const CLIENT_EVENT_TYPES: readonly ClientEventType[] = clientEventSchema.options.map((option) => option.shape.type.value);

/** A client event as the session accepted it, and when (ms, on the simulator's clock). Narrow on `event.type`. */
export interface ReceivedEvent<T extends ClientEventType = ClientEventType> {
  atMs: number;
  event: Extract<ClientEvent, { type: T }>;
}

/** One text frame from the client: the event it carries, or the error the service answers junk with. */
export function parseClientEvent(raw: string): { ok: true; event: ClientEvent } | { ok: false; error: ServerEvent } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: invalidRequest('invalid_json', 'Invalid JSON in message.', null) };
  }
  const type = (json as { type?: unknown })?.type;
  if (typeof type !== 'string' || !CLIENT_EVENT_TYPES.includes(type as ClientEventType)) {
    const supported = CLIENT_EVENT_TYPES.map((t) => `'${t}'`).join(', ');
    return { ok: false, error: invalidRequest('invalid_value', `Invalid value: '${String(type)}'. Supported values are: ${supported}.`, 'type') };
  }
  const parsed = clientEventSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: invalidRequest('invalid_value', `Invalid '${issue?.path.join('.')}': ${issue?.message}.`, issue?.path.join('.') ?? null) };
  }
  return { ok: true, event: parsed.data };
}
