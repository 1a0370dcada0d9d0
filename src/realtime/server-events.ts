import { z } from 'zod';
import { parseTaggedFrame, type FastPath, type ParsedFrame } from '../frames.js';
import { isBase64 } from '../wire/base64.js';

/*
 * The OpenAI Realtime server events we act on (GA shape, docs/protocols.md 2.4). Every frame is
 * parsed here; anything else with a string `type` is "unknown" and ignored by the caller.
 * Objects stay open (`looseObject`) because the service adds fields over time.
 */

const base64 = z.string().refine(isBase64, 'expected base64');

const contentPart = z.looseObject({
  type: z.string(),
  text: z.string().nullish(),
  transcript: z.string().nullish(),
});

export const itemSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  role: z.enum(['user', 'assistant', 'system']).optional(),
  status: z.string().optional(),
  content: z.array(contentPart).optional(),
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
  output: z.string().optional(),
});
export type RealtimeItem = z.infer<typeof itemSchema>;

const usageSchema = z.looseObject({
  total_tokens: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  input_token_details: z
    .looseObject({
      text_tokens: z.number().optional(),
      audio_tokens: z.number().optional(),
      cached_tokens: z.number().optional(),
    })
    .optional(),
  output_token_details: z
    .looseObject({ text_tokens: z.number().optional(), audio_tokens: z.number().optional() })
    .optional(),
});
export type RealtimeUsage = z.infer<typeof usageSchema>;

const event = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.looseObject({ type: z.literal(type), event_id: z.string(), ...shape });

const audioDeltaSchema = event('response.output_audio.delta', {
  response_id: z.string(),
  item_id: z.string(),
  output_index: z.number(),
  content_index: z.number(),
  delta: base64,
});
type AudioDelta = z.infer<typeof audioDeltaSchema>;

const AUDIO_DELTA_KEYS: ReadonlySet<string> = new Set(Object.keys(audioDeltaSchema.shape));
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * `audioDeltaSchema` by hand, because audio deltas are nearly all the model's traffic (20 or more a
 * second per call) and zod costs several times more. Same checks, same message as zod builds it
 * (schema keys first, then the unknown ones; an own `__proto__` dropped); anything it does not accept
 * goes to the schema, which decides and says why.
 */
export const audioDeltaFastPath: FastPath<AudioDelta> = (frame) => {
  const { event_id, response_id, item_id, output_index, content_index, delta } = frame;
  if (typeof event_id !== 'string' || typeof response_id !== 'string' || typeof item_id !== 'string') return undefined;
  if (!isNumber(output_index) || !isNumber(content_index) || typeof delta !== 'string' || !isBase64(delta)) return undefined;
  const message: AudioDelta = {
    type: 'response.output_audio.delta',
    event_id,
    response_id,
    item_id,
    output_index,
    content_index,
    delta,
  };
  for (const key in frame) if (!AUDIO_DELTA_KEYS.has(key) && key !== '__proto__') message[key] = frame[key];
  return message;
};

export const serverEventSchema = z.discriminatedUnion('type', [
  event('session.created', { session: z.looseObject({}) }),
  event('session.updated', { session: z.looseObject({}) }),
  event('error', {
    error: z.looseObject({
      type: z.string(),
      code: z.string().nullish(),
      message: z.string(),
      param: z.string().nullish(),
      event_id: z.string().nullish(),
    }),
  }),
  event('input_audio_buffer.speech_started', { audio_start_ms: z.number(), item_id: z.string() }),
  event('input_audio_buffer.speech_stopped', { audio_end_ms: z.number(), item_id: z.string() }),
  event('input_audio_buffer.committed', { item_id: z.string(), previous_item_id: z.string().nullish() }),
  event('conversation.item.added', { item: itemSchema, previous_item_id: z.string().nullish() }),
  // The beta name of `added`; some deployments still send it alongside.
  event('conversation.item.created', { item: itemSchema, previous_item_id: z.string().nullish() }),
  event('conversation.item.done', { item: itemSchema, previous_item_id: z.string().nullish() }),
  event('conversation.item.retrieved', { item: itemSchema }),
  event('conversation.item.deleted', { item_id: z.string() }),
  event('conversation.item.truncated', {
    item_id: z.string(),
    content_index: z.number(),
    audio_end_ms: z.number(),
  }),
  event('conversation.item.input_audio_transcription.completed', {
    item_id: z.string(),
    content_index: z.number().optional(),
    transcript: z.string(),
  }),
  event('conversation.item.input_audio_transcription.failed', {
    item_id: z.string(),
    error: z.looseObject({ message: z.string().optional(), code: z.string().nullish() }).optional(),
  }),
  event('response.created', { response: z.looseObject({ id: z.string() }) }),
  event('response.output_item.added', { response_id: z.string(), output_index: z.number(), item: itemSchema }),
  event('response.output_item.done', { response_id: z.string(), output_index: z.number(), item: itemSchema }),
  audioDeltaSchema,
  event('response.output_audio.done', { response_id: z.string(), item_id: z.string() }),
  event('response.output_audio_transcript.delta', {
    response_id: z.string(),
    item_id: z.string(),
    delta: z.string(),
  }),
  event('response.output_audio_transcript.done', {
    response_id: z.string(),
    item_id: z.string(),
    transcript: z.string(),
  }),
  event('response.function_call_arguments.done', {
    response_id: z.string(),
    item_id: z.string(),
    call_id: z.string(),
    name: z.string(),
    arguments: z.string(),
  }),
  event('response.done', {
    response: z.looseObject({
      id: z.string(),
      status: z.string(),
      status_details: z
        .looseObject({ type: z.string().optional(), reason: z.string().nullish() })
        .nullish(),
      output: z.array(itemSchema).optional(),
      usage: usageSchema.nullish(),
    }),
  }),
]);

export type RealtimeServerEvent = z.infer<typeof serverEventSchema>;
export type ServerEventOf<T extends RealtimeServerEvent['type']> = Extract<RealtimeServerEvent, { type: T }>;

const KNOWN_TYPES: ReadonlySet<string> = new Set(serverEventSchema.options.map((option) => option.shape.type.value));
const FAST_PATHS: ReadonlyMap<string, FastPath<RealtimeServerEvent>> = new Map([
  ['response.output_audio.delta', audioDeltaFastPath],
]);

export function parseServerEvent(raw: string): ParsedFrame<RealtimeServerEvent> {
  return parseTaggedFrame(raw, 'type', KNOWN_TYPES, serverEventSchema, FAST_PATHS);
}

/** Text of a message item, whichever content type carries it (GA and older names). */
export function itemText(item: RealtimeItem): string | undefined {
  const parts = (item.content ?? [])
    .map((part) => part.text ?? part.transcript ?? undefined)
    .filter((text): text is string => typeof text === 'string');
  return parts.length > 0 ? parts.join(' ') : undefined;
}
