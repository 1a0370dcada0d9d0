import { z } from 'zod';

/** A row an operator's live feed should show was written; every instance reads it back from the store. */
export type FeedNotice =
  | { kind: 'call' | 'call-ended' | 'summary'; callSid: string }
  | { kind: 'turn' | 'turn-updated'; callSid: string; seq: number };

export const FEED_CHANNEL = 'callbridge_feed';
export const feedNoticeSchema = z.union([
  z.object({ kind: z.enum(['call', 'call-ended', 'summary']), callSid: z.string() }),
  z.object({ kind: z.enum(['turn', 'turn-updated']), callSid: z.string(), seq: z.number().int() }),
]);
