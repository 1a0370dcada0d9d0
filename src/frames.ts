import type { z } from 'zod';

export type ParsedFrame<T> =
  | { kind: 'message'; message: T }
  | { kind: 'unknown'; type: string }
  | { kind: 'malformed'; reason: string };

/**
 * Both protocol boundaries (Twilio's `event`, OpenAI's `type`) parse a JSON text frame the same way:
 * into a tagged result, never a throw, so one bad frame can never take a call down.
 */
export function parseTaggedFrame<T>(
  raw: string,
  tag: string,
  known: ReadonlySet<string>,
  schema: z.ZodType<T>,
): ParsedFrame<T> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { kind: 'malformed', reason: 'not a JSON object' };
  const type = (json as Record<string, unknown>)[tag];
  if (typeof type !== 'string') return { kind: 'malformed', reason: `no string "${tag}" field` };
  if (!known.has(type)) return { kind: 'unknown', type };
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'malformed', reason: `${type}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}` };
  }
  return { kind: 'message', message: parsed.data };
}
