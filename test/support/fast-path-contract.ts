import { expect, it } from 'vitest';
import type { z } from 'zod';
import type { FastPath, ParsedFrame } from '../../src/frames.js';

/** Base64 audio fields a fast path must take as the schema does (padded, unused bits not checked). */
export const GOOD_BASE64: ReadonlyArray<[string, string]> = [
  ['empty', ''],
  ['with one pad', 'AAA='],
  ['with two pads', 'AA=='],
  ['with unused bits set', 'AB=='],
];

/** Base64 audio fields a fast path must leave to the schema, which rejects them. */
export const BAD_BASE64: ReadonlyArray<[string, unknown]> = [
  ['missing', undefined],
  ['null', null],
  ['numeric', 1234],
  ['of the wrong length', 'AAAAA'],
  ['with a bad character', 'AA!A'],
  ['in the URL-safe alphabet', '-_AA'],
  ['with a pad in the middle', 'AA==AAAA'],
  ['with a misplaced pad', 'A=AA'],
  ['of pads only', '===='],
  ['with three pads', 'A==='],
  ['with whitespace', 'AAAA AAAA'],
  ['with a trailing newline', 'AAAA\n'],
  ['with a non-ASCII character', 'AA\u0141A'],
];

export interface FastPathContract<T> {
  /** The frame type, which starts every rejection reason. */
  type: string;
  schema: z.ZodType<T>;
  fastPath: FastPath<T>;
  parse: (raw: string) => ParsedFrame<T>;
  valid: ReadonlyArray<[string, string]>;
  malformed: ReadonlyArray<[string, string]>;
}

/**
 * Holds a hand-written fast path to the schema it stands in for: what it takes, it returns exactly as
 * the schema would; what it leaves, the schema rejects with the reason parsing reports.
 */
export function itAgreesWithTheSchema<T>(contract: FastPathContract<T>): void {
  const bySchema = (raw: string) => {
    const parsed = contract.schema.safeParse(JSON.parse(raw));
    if (parsed.success) return { kind: 'message', message: parsed.data };
    const issue = parsed.error.issues[0];
    return { kind: 'malformed', reason: `${contract.type}: ${issue?.path.join('.')} ${issue?.message}` };
  };

  it.each(contract.valid)('takes the fast path for %s, with the message the schema returns', (_name, raw) => {
    const expected = bySchema(raw);
    expect(expected.kind).toBe('message');
    const fast = contract.fastPath(JSON.parse(raw) as Record<string, unknown>);
    expect(fast).toStrictEqual(expected.message);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(expected.message));
    // An own `__proto__` copied by assignment would replace the prototype, which neither comparison sees.
    expect(Object.getPrototypeOf(fast)).toBe(Object.prototype);
    expect(contract.parse(raw)).toStrictEqual(expected);
  });

  it.each(contract.malformed)('leaves %s to the schema, which rejects it and says why', (_name, raw) => {
    expect(contract.fastPath(JSON.parse(raw) as Record<string, unknown>)).toBeUndefined();
    const expected = bySchema(raw);
    expect(expected.kind).toBe('malformed');
    expect(contract.parse(raw)).toStrictEqual(expected);
  });
}
