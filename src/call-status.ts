/**
 * Every status a call can have, in the order the dashboard offers them as filters. The store's
 * CHECK constraint (migration 1) is the one other spelling, and a migration is history, not a list
 * to keep in step. The dashboard imports this list as /call-status.js, served from here.
 */
export const CALL_STATUSES = ['in-progress', 'completed', 'failed', 'interrupted'] as const;

export type CallStatus = (typeof CALL_STATUSES)[number];
