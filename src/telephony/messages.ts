import { z } from 'zod';
import { parseTaggedFrame, type FastPath, type ParsedFrame } from '../frames.js';
import { isBase64 } from '../wire/base64.js';

/*
 * Twilio Media Streams, inbound (what Twilio sends us). Counters arrive as JSON strings,
 * sample rate and channels as numbers (docs/protocols.md 1.2). Unknown fields are tolerated:
 * Twilio adds fields without notice.
 */

const DECIMAL = /^\d+$/;

const counter = z
  .string()
  .regex(DECIMAL, 'expected a decimal counter string')
  .transform((value) => Number(value));

const base64 = z.string().refine(isBase64, 'expected base64');

const connectedSchema = z.object({
  event: z.literal('connected'),
  protocol: z.string(),
  version: z.string(),
});

const startSchema = z.object({
  event: z.literal('start'),
  sequenceNumber: counter,
  streamSid: z.string().min(1),
  start: z.object({
    accountSid: z.string(),
    streamSid: z.string().min(1),
    callSid: z.string().min(1),
    tracks: z.array(z.string()),
    mediaFormat: z.object({ encoding: z.string(), sampleRate: z.number(), channels: z.number() }),
    customParameters: z.record(z.string(), z.string()).optional().default({}),
  }),
});

const mediaSchema = z.object({
  event: z.literal('media'),
  sequenceNumber: counter,
  streamSid: z.string(),
  media: z.object({
    track: z.string().optional(),
    chunk: counter,
    timestamp: counter,
    payload: base64,
  }),
});

const isCounter = (value: unknown): value is string => typeof value === 'string' && DECIMAL.test(value);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `mediaSchema` by hand, because media frames are nearly all the traffic (50 a second per call) and
 * zod costs several times more. Same checks, same message (unknown keys stripped, key order kept);
 * anything it does not accept goes to the schema, which decides and says why.
 */
export const mediaFastPath: FastPath<TwilioMedia> = (frame) => {
  const { sequenceNumber, streamSid, media } = frame;
  if (!isCounter(sequenceNumber) || typeof streamSid !== 'string' || !isRecord(media)) return undefined;
  const { track, chunk, timestamp, payload } = media;
  if (track !== undefined && typeof track !== 'string') return undefined;
  if (!isCounter(chunk) || !isCounter(timestamp) || typeof payload !== 'string' || !isBase64(payload)) return undefined;
  return {
    event: 'media',
    sequenceNumber: Number(sequenceNumber),
    streamSid,
    // Two literals, not a spread: copying properties by spread cost more than the rest of this check.
    media:
      track === undefined
        ? { chunk: Number(chunk), timestamp: Number(timestamp), payload }
        : { track, chunk: Number(chunk), timestamp: Number(timestamp), payload },
  };
};

/** `markSchema` by hand: Twilio echoes a mark for every delta the bot sends, so marks come second to media. */
export const markFastPath: FastPath<TwilioInbound> = (frame) => {
  const { sequenceNumber, streamSid, mark } = frame;
  if (!isCounter(sequenceNumber) || typeof streamSid !== 'string' || !isRecord(mark) || typeof mark['name'] !== 'string') return undefined;
  return { event: 'mark', sequenceNumber: Number(sequenceNumber), streamSid, mark: { name: mark['name'] } };
};

const dtmfSchema = z.object({
  event: z.literal('dtmf'),
  sequenceNumber: counter,
  streamSid: z.string(),
  dtmf: z.object({ track: z.string().optional(), digit: z.string().min(1) }),
});

const markSchema = z.object({
  event: z.literal('mark'),
  sequenceNumber: counter,
  streamSid: z.string(),
  mark: z.object({ name: z.string() }),
});

const stopSchema = z.object({
  event: z.literal('stop'),
  sequenceNumber: counter,
  streamSid: z.string(),
  stop: z.object({ accountSid: z.string(), callSid: z.string() }),
});

export const inboundSchema = z.discriminatedUnion('event', [
  connectedSchema,
  startSchema,
  mediaSchema,
  dtmfSchema,
  markSchema,
  stopSchema,
]);

export type TwilioInbound = z.infer<typeof inboundSchema>;
export type TwilioStart = z.infer<typeof startSchema>;
export type TwilioMedia = z.infer<typeof mediaSchema>;

const KNOWN_EVENTS: ReadonlySet<string> = new Set(['connected', 'start', 'media', 'dtmf', 'mark', 'stop']);
const FAST_PATHS: ReadonlyMap<string, FastPath<TwilioInbound>> = new Map([
  ['media', mediaFastPath],
  ['mark', markFastPath],
]);

export function parseTwilioFrame(raw: string): ParsedFrame<TwilioInbound> {
  return parseTaggedFrame(raw, 'event', KNOWN_EVENTS, inboundSchema, FAST_PATHS);
}

/* Outbound (what we send Twilio), exactly the documented shapes of docs/protocols.md 1.3. */

export type TwilioOutbound =
  | { event: 'media'; streamSid: string; media: { payload: string } }
  | { event: 'mark'; streamSid: string; mark: { name: string } }
  | { event: 'clear'; streamSid: string };

export const outboundMedia = (streamSid: string, payloadBase64: string): TwilioOutbound => ({
  event: 'media',
  streamSid,
  media: { payload: payloadBase64 },
});

export const outboundMark = (streamSid: string, name: string): TwilioOutbound => ({
  event: 'mark',
  streamSid,
  mark: { name },
});

export const outboundClear = (streamSid: string): TwilioOutbound => ({ event: 'clear', streamSid });

/**
 * A message's JSON text. Bot audio leaves with every delta, and its payload is base64 (no character
 * JSON would escape): written as text, it skips a JSON.stringify that scans the audio again. The
 * text is the same JSON.stringify writes (a unit test holds them equal).
 */
export function serializeOutbound(message: TwilioOutbound): string {
  if (message.event === 'media') return `{"event":"media","streamSid":${JSON.stringify(message.streamSid)},"media":{"payload":"${message.media.payload}"}}`;
  return JSON.stringify(message);
}
