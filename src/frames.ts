import type { z } from 'zod';

export type ParsedFrame<T> =
  | { kind: 'message'; message: T }
  | { kind: 'unknown'; type: string }
  | { kind: 'malformed'; reason: string };

/**
 * A hand-written check of one frame type, for the few types that are nearly all the traffic: the
 * message its schema would return, or undefined to let the schema decide and give the reason.
 */
export type FastPath<T> = (frame: Record<string, unknown>) => T | undefined;

const NO_FAST_PATHS: ReadonlyMap<string, never> = new Map<string, never>();

/**
 * Both protocol boundaries (Twilio's `event`, OpenAI's `type`) parse a JSON text frame the same way:
 * into a tagged result, never a throw, so one bad frame can never take a call down.
 */
export function parseTaggedFrame<T>(
  raw: string,
  tag: string,
  known: ReadonlySet<string>,
  schema: z.ZodType<T>,
  fastPaths: ReadonlyMap<string, FastPath<T>> = NO_FAST_PATHS,
): ParsedFrame<T> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { kind: 'malformed', reason: 'not a JSON object' };
  const frame = json as Record<string, unknown>;
  const type = frame[tag];
  if (typeof type !== 'string') return { kind: 'malformed', reason: `no string "${tag}" field` };
  if (!known.has(type)) return { kind: 'unknown', type };
  const fast = fastPaths.get(type)?.(frame);
  if (fast !== undefined) return { kind: 'message', message: fast };
  const parsed = schema.safeParse(frame);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'malformed', reason: `${type}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}` };
  }
  return { kind: 'message', message: parsed.data };
}
