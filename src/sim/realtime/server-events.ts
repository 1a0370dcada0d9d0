import { randomBytes } from 'node:crypto';

/* What the simulator sends: events built where the job that sends them lives, and the one error shape. */

export type ServerEvent = Record<string, unknown> & { type: string };
/** Sends one server event (the session adds its `event_id`), unless the socket is closed or silent. */
export type Emit = (event: ServerEvent) => void;

export const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('base64url').slice(0, 16)}`;

/** The service's answer to a client event it refuses; `eventId` is the refused event's, when it had one. */
export function invalidRequest(code: string, message: string, param: string | null, eventId?: string): ServerEvent {
  return { type: 'error', error: { type: 'invalid_request_error', code, message, param, event_id: eventId ?? null } };
}
