import type { Turn } from '../conversation/transcript.js';
import type { CallDirection, CallStatus } from './types.js';

/*
 * What the live feed tells, apart from the feed itself: a module of types only, so the dashboard's
 * type-check (tsconfig.dashboard.json) can read them without the store and its drivers.
 */

export interface LiveTurn extends Turn {
  callSid: string;
}

/** What operators watch live: calls starting and ending, turns as they complete. */
export type LiveFeedEvents = {
  callStarted: [{ callSid: string; startedAt: Date; from: string | null; to: string | null; direction: CallDirection }];
  turn: [LiveTurn];
  turnUpdated: [LiveTurn];
  callEnded: [{ callSid: string; status: Exclude<CallStatus, 'in-progress'>; endedAt: Date; endReason: string }];
  summary: [{ callSid: string; text: string; language: string | null; content: Record<string, unknown> }];
};
