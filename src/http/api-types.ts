import type { LiveFeedEvents } from '../store/live-feed-events.js';
import type { detailJson, listItemJson } from './call-json.js';

/*
 * The operator API's JSON as its clients receive it, derived from what the server sends so that a
 * change of shape there is a type error in the dashboard (public/, checked by tsconfig.dashboard.json).
 */

/** What JSON.stringify makes of a value: its dates become ISO strings. */
export type Json<T> = T extends Date
  ? string
  : T extends readonly (infer Item)[]
    ? Json<Item>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

export type CallListItemJson = Json<ReturnType<typeof listItemJson>>;
export type CallDetailJson = Json<ReturnType<typeof detailJson>>;
export type TurnJson = CallDetailJson['turns'][number];

/** `GET /api/calls`. */
export interface CallListPageJson {
  calls: CallListItemJson[];
  nextCursor: string | null;
}

/** `GET /api/events`: each event's name and what the live feed tells with it. */
export interface LiveEvents {
  call: LiveFeedEvents['callStarted'][0] & { status: 'in-progress' };
  turn: LiveFeedEvents['turn'][0];
  'turn-updated': LiveFeedEvents['turnUpdated'][0];
  'call-ended': LiveFeedEvents['callEnded'][0];
  summary: LiveFeedEvents['summary'][0];
}

export type LiveEventName = keyof LiveEvents;
export type LiveEventsJson = { [K in LiveEventName]: Json<LiveEvents[K]> };
