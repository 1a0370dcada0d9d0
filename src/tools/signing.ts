import { createHmac } from 'node:crypto';

/** Carries signPayload's answer on every request callbridge sends to a system it does not control. */
export const SIGNATURE_HEADER = 'x-callbridge-signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: receivers recompute it with the shared
 * secret, compare in constant time, and reject old timestamps to stop replays.
 */
export function signPayload(secret: string, body: string, timestampSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}
