/**
 * Redaction of what callers read out before their words are kept: transcripts reach the store, summaries
 * and the operator dashboard, and card numbers in particular must never be stored (PCI DSS). Pure, no I/O.
 *
 * Every rule replaces what it hides with a bracketed token that holds no digit, digit word or `@`, so the
 * token never completes a later match and redacting twice gives what redacting once did.
 */

export interface RedactionRule {
  /** Names the rule in settings and logs; built-in rules use their REDACT name. */
  readonly name: string;
  /** Replaces what it must hide in `text`; returns the new text. */
  redact(text: string): string;
}

export const REDACTION_RULE_NAMES = ['cards', 'ssn', 'emails', 'phones'] as const;
export type RedactionRuleName = (typeof REDACTION_RULE_NAMES)[number];

/** What must never be stored. Emails and phone numbers are left on: callers often call to give them. */
export const DEFAULT_REDACTION: readonly RedactionRuleName[] = Object.freeze<RedactionRuleName[]>(['cards', 'ssn']);

/** Where something was written in a text; `end` is exclusive. */
interface Span {
  start: number;
  end: number;
}

/**
 * Digits written or said together: a written group ("4111") or a spoken phrase ("four one one one").
 * `joiner` is what joins it to the group before, '' for the first; a card number uses one joiner throughout.
 */
interface DigitGroup extends Span {
  digits: string;
  joiner: string;
}

const CARD_MIN_DIGITS = 13;
const CARD_MAX_DIGITS = 19;

// Index = the digit; 'oh' is how people say 0 inside a number.
const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;
const DIGIT_WORD = [...DIGIT_WORDS, 'oh'].join('|');
// The comma/hyphen branch needs its punctuation, so the two branches never match the same spacing and a
// long run of blanks is scanned a bounded number of times.
const SPOKEN_RUN = new RegExp(String.raw`\b(?:${DIGIT_WORD})\b(?:(?:\s*[,-]\s*|\s+)(?:${DIGIT_WORD})\b)*`, 'gi');
// Groups joined by single spaces or dashes. A leading '+' is matched so that international phone numbers
// are consumed whole and skipped, rather than searched for cards from their second digit.
const DIGIT_RUN = /\+?\d+(?:[ -]\d+)*/g;
const SSN = /(?<!\d)\d{3}([ -])\d{2}\1\d{4}(?!\d)/g;
// The local part may only start after a character it could not contain: each run of local-part characters
// is then tried once, not from each of its positions, which keeps a long run without an '@' linear.
const EMAIL = /(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const PHONE = new RegExp(
  String.raw`(?<![\d+])(?:` +
    // E.164, written solid or grouped: +14155550100, +44 20 7946 0958.
    String.raw`\+[1-9](?:[ .-]?\d){9,14}` +
    // NANP with punctuation: (415) 555-0100, 415-555-0100, 415.555.0100, 1-415-555-0100, +1 (415) 555 0100.
    String.raw`|(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}` +
    // Solid NANP, held to valid area and exchange codes because a bare 10-digit run may be anything.
    String.raw`|1?[2-9]\d{2}[2-9]\d{6}` +
    String.raw`)(?!\d)`,
  'g',
);

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Area 000, 666 and 9xx, group 00 and serial 0000 are never issued. */
function isIssuableSsn(digits: string): boolean {
  return !/^(?:000|666|9)/.test(digits) && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000';
}

/** Rebuilds `text` with each of `spans` (in order, disjoint) replaced by `token`. */
function replaceSpans(text: string, spans: readonly Span[], token: string): string {
  let result = '';
  let from = 0;
  for (const span of spans) {
    result += text.slice(from, span.start) + token;
    from = span.end;
  }
  return result + text.slice(from);
}

/** The written digit groups of each run, where a run may hold a card number. */
function writtenRuns(text: string): DigitGroup[][] {
  const runs: DigitGroup[][] = [];
  for (const run of text.matchAll(DIGIT_RUN)) {
    if (run[0].startsWith('+')) continue;
    let previousEnd = run.index;
    runs.push(
      Array.from(run[0].matchAll(/\d+/g), (group) => {
        const start = run.index + group.index;
        const joiner = text.slice(previousEnd, start);
        previousEnd = start + group[0].length;
        return { start, end: previousEnd, digits: group[0], joiner };
      }),
    );
  }
  return runs;
}

/**
 * Runs of digit words, as phrases: a transcript shows the speaker's pauses as commas or hyphens, and those
 * pauses are the only grouping a spoken number has. Without them, each phrase would be single digits and
 * some stretch of any long number would pass the Luhn check.
 */
function spokenRuns(text: string): DigitGroup[][] {
  return Array.from(text.matchAll(SPOKEN_RUN), (run) => {
    const phrases: DigitGroup[] = [];
    let previousEnd = run.index;
    for (const word of run[0].matchAll(/[a-z]+/gi)) {
      const start = run.index + word.index;
      const end = start + word[0].length;
      const lower = word[0].toLowerCase();
      const digit = lower === 'oh' ? '0' : String(DIGIT_WORDS.indexOf(lower as (typeof DIGIT_WORDS)[number]));
      const phrase = phrases.at(-1);
      const afterPause = /[,-]/.test(text.slice(previousEnd, start));
      if (phrase === undefined || afterPause) {
        phrases.push({ start, end, digits: digit, joiner: phrase === undefined ? '' : ',' });
      } else {
        phrase.end = end;
        phrase.digits += digit;
      }
      previousEnd = end;
    }
    // A pause after every digit groups nothing: read the run as one number.
    const [first] = phrases;
    const last = phrases.at(-1);
    if (first === undefined || last === undefined || phrases.some((phrase) => phrase.digits.length > 1)) return phrases;
    return [{ start: first.start, end: last.end, digits: phrases.map((phrase) => phrase.digits).join(''), joiner: '' }];
  });
}

/**
 * Within one run of digit groups, every stretch of whole groups that reads as a card number, overlapping
 * stretches merged. Taking them all, rather than the first found, means a number said just before a card
 * (an order number, a phone number) can widen what is hidden but never shift it and leave digits showing.
 */
function cardSpans(groups: readonly DigitGroup[]): Span[] {
  const spans: Span[] = [];
  for (const [first, head] of groups.entries()) {
    // Every group holds a digit, so no card spans more groups than a card has digits.
    const end = longestCardEnd(groups.slice(first, first + CARD_MAX_DIGITS));
    if (end === undefined) continue;
    const previous = spans.at(-1);
    if (previous !== undefined && head.start < previous.end) previous.end = Math.max(previous.end, end);
    else spans.push({ start: head.start, end });
  }
  return spans;
}

/**
 * Where the longest card number made of `groups` from the first on ends. No card starts with 0, which
 * also keeps an "oh, ..." said before the number out of it.
 */
function longestCardEnd(groups: readonly DigitGroup[]): number | undefined {
  const [head, second] = groups;
  if (head === undefined || head.digits.startsWith('0')) return undefined;
  let digits = '';
  let end: number | undefined;
  for (const [index, group] of groups.entries()) {
    if (index > 0 && group.joiner !== second?.joiner) break;
    digits += group.digits;
    if (digits.length > CARD_MAX_DIGITS) break;
    if (digits.length >= CARD_MIN_DIGITS && passesLuhn(digits)) end = group.end;
  }
  return end;
}

/** Digits spoken as three phrases of 3, 2 and 4: "one two three, four five, six seven eight nine". */
function spokenSsnSpans(phrases: readonly DigitGroup[]): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < phrases.length; i++) {
    const [area, group, serial] = phrases.slice(i, i + 3);
    if (area === undefined || group === undefined || serial === undefined) break;
    const digits = area.digits + group.digits + serial.digits;
    if (area.digits.length === 3 && group.digits.length === 2 && serial.digits.length === 4 && isIssuableSsn(digits)) {
      spans.push({ start: area.start, end: serial.end });
      i += 2;
    }
  }
  return spans;
}

const BUILT_IN_RULES: Readonly<Record<RedactionRuleName, RedactionRule>> = {
  cards: {
    name: 'cards',
    redact(text) {
      const written = replaceSpans(text, writtenRuns(text).flatMap(cardSpans), '[card]');
      return replaceSpans(written, spokenRuns(written).flatMap(cardSpans), '[card]');
    },
  },
  ssn: {
    name: 'ssn',
    redact(text) {
      const written = text.replace(SSN, (ssn) => (isIssuableSsn(ssn.replace(/\D/g, '')) ? '[ssn]' : ssn));
      return replaceSpans(written, spokenRuns(written).flatMap(spokenSsnSpans), '[ssn]');
    },
  },
  emails: { name: 'emails', redact: (text) => text.replace(EMAIL, '[email]') },
  phones: { name: 'phones', redact: (text) => text.replace(PHONE, '[phone]') },
};

export function builtInRule(name: RedactionRuleName): RedactionRule {
  return BUILT_IN_RULES[name];
}

/** Applies its rules in the order given, so a rule sees what earlier ones left (cards before phones). */
export class Redactor {
  readonly #rules: readonly RedactionRule[];

  constructor(rules: readonly RedactionRule[]) {
    this.#rules = [...rules];
  }

  redact(text: string): string {
    return this.#rules.reduce((redacted, rule) => rule.redact(redacted), text);
  }

  get ruleNames(): string[] {
    return this.#rules.map((rule) => rule.name);
  }
}

function isRuleName(name: string): name is RedactionRuleName {
  return (REDACTION_RULE_NAMES as readonly string[]).includes(name);
}

/**
 * Parses the REDACT setting: comma-separated rule names, 'none' for no redaction; unknown names throw an
 * Error listing the valid ones. Undefined/blank -> DEFAULT_REDACTION. Names are case-insensitive, empty
 * entries and repeats are dropped; turning redaction off takes an explicit 'none', never a stray comma.
 */
export function parseRedactSetting(value: string | undefined): RedactionRuleName[] {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (names.length === 0) return [...DEFAULT_REDACTION];
  const valid = `valid values are a comma-separated list of ${REDACTION_RULE_NAMES.join(', ')}, or none`;
  if (names.includes('none')) {
    if (names.length === 1) return [];
    throw new Error(`REDACT: 'none' cannot be combined with rule names; ${valid}`);
  }
  const unknown = names.filter((name) => !isRuleName(name));
  if (unknown.length > 0) throw new Error(`REDACT: unknown rule ${unknown.map((name) => `'${name}'`).join(', ')}; ${valid}`);
  return [...new Set(names.filter(isRuleName))];
}
