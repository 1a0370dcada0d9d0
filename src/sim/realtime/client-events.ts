import { z } from 'zod';

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
export const CLIENT_EVENT_TYPES = clientEventSchema.options.map((option) => option.shape.type.value);
