import { describe, expect, it } from 'vitest';
import {
  builtInRule,
  DEFAULT_REDACTION,
  parseRedactSetting,
  REDACTION_RULE_NAMES,
  Redactor,
  type RedactionRule,
  type RedactionRuleName,
} from '../../../src/conversation/redaction.js';

const redact = (name: RedactionRuleName, text: string): string => builtInRule(name).redact(text);
const redactAll = (text: string): string => new Redactor(REDACTION_RULE_NAMES.map(builtInRule)).redact(text);

/** Says each digit of `digits` as a word, with `separator` between words. */
const spoken = (digits: string, separator = ' '): string =>
  Array.from(digits, (digit) => ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'][Number(digit)]).join(
    separator,
  );

describe('cards', () => {
  it.each([
    ['4111 1111 1111 1111', 'spaced Visa'],
    ['4111-1111-1111-1111', 'dashed Visa'],
    ['4111111111111111', 'solid Visa'],
    ['5555 5555 5555 4444', 'Mastercard'],
    ['3782 822463 10005', 'Amex in 4-6-5'],
    ['4222222222222', '13 digits'],
    ['4111111111111111110', '19 digits'],
  ])('hides %s (%s)', (card) => {
    expect(redact('cards', `my card is ${card}, expiry 12/27`)).toBe('my card is [card], expiry 12/27');
  });

  it('leaves digit runs that fail the Luhn check', () => {
    for (const text of ['4111 1111 1111 1112', '1234567812345678', '4111-1111-1111-111', 'tracking 1Z 9999 9999 9999 9999 9']) {
      expect(redact('cards', text)).toBe(text);
    }
  });

  it('leaves short numbers such as order ids and years', () => {
    const text = 'Order 4572 shipped on 2024-05-06, call 415-555-0100 about it';
    expect(redact('cards', text)).toBe(text);
  });

  it('hides the card and keeps an order number said just before it', () => {
    expect(redact('cards', 'order 4572 4111 1111 1111 1111 thanks')).toBe('order 4572 [card] thanks');
  });

  it('hides every digit of a card even when the number before it makes a valid prefix', () => {
    // 1004 4111 1111 1111 passes Luhn too; stopping there would leave the card's last group showing.
    expect(redact('cards', 'ref 1004 4111 1111 1111 1111')).toBe('ref [card]');
  });

  it('does not treat two numbers joined differently as one card', () => {
    // 000-12-3456 666-12-3456 912-34-5678 holds Luhn-valid stretches that mix dashes and spaces.
    const text = 'bad 000-12-3456 666-12-3456 912-34-5678';
    expect(redact('cards', text)).toBe(text);
  });

  it('leaves international phone numbers alone', () => {
    const text = 'call +86 138 0013 8000';
    expect(redact('cards', text)).toBe(text);
  });

  it('hides cards spelled out in words, grouped or not', () => {
    expect(redact('cards', `it's ${spoken('4111111111111111')} okay`)).toBe("it's [card] okay");
    expect(redact('cards', 'Four one one one, one one one one, one one one one, one one one one.')).toBe('[card].');
    expect(redact('cards', 'six oh one one, zero zero oh nine, nine oh one three - nine four two four')).toBe('[card]');
    expect(redact('cards', spoken('4111111111111111', '-'))).toBe('[card]');
  });

  it('keeps an "oh" said before a spelled card', () => {
    expect(redact('cards', `Oh, ${spoken('4111111111111111')}.`)).toBe('Oh, [card].');
  });

  it('leaves spelled digit runs that fail the Luhn check, including every stretch of them', () => {
    for (const text of [
      spoken('4111111111111112'),
      spoken('4111111111111112', ', '),
      spoken('4111111111111112', '-'),
      'order four five seven two',
    ]) {
      expect(redact('cards', text)).toBe(text);
    }
  });

  it('does not read digit words inside other words', () => {
    const text = 'someone oneself anyone ohio tone phone '.repeat(3);
    expect(redact('cards', text)).toBe(text);
  });
});

describe('ssn', () => {
  it('hides dashed and spaced SSNs', () => {
    expect(redact('ssn', 'ssn 123-45-6789 or 123 45 6789.')).toBe('ssn [ssn] or [ssn].');
  });

  it.each(['000-12-3456', '666-12-3456', '912-34-5678', '123-00-4567', '123-45-0000', '123-45 6789', '1123-45-6789', '123-45-67890'])(
    'leaves %s',
    (text) => {
      expect(redact('ssn', text)).toBe(text);
    },
  );

  it('hides an SSN spelled out in its 3-2-4 grouping', () => {
    expect(redact('ssn', 'it is one two three, four five, six seven eight nine.')).toBe('it is [ssn].');
    expect(redact('ssn', 'oh, one two three - four five - six seven eight nine')).toBe('oh, [ssn]');
  });

  it('leaves nine spelled digits without the grouping, and unissued spelled numbers', () => {
    for (const text of ['one two three four five six seven eight nine', 'nine one two, three four, five six seven eight']) {
      expect(redact('ssn', text)).toBe(text);
    }
  });
});

describe('emails', () => {
  it('hides addresses', () => {
    expect(redact('emails', 'write to Bob.Smith+calls@mail.example.co.uk. Or a_b@x.io')).toBe('write to [email]. Or [email]');
  });

  it('leaves what is not an address', () => {
    for (const text of ['a@b', 'user@localhost', '@handle', 'me at example dot com', 'x@.com']) {
      expect(redact('emails', text)).toBe(text);
    }
  });

  it('completes on adversarial input', () => {
    const adversarial = [
      'a'.repeat(50_000),
      `a@${'a.'.repeat(25_000)}`,
      `a@${'a-'.repeat(25_000)}`,
      `${'a.'.repeat(25_000)}@`,
      'a@a'.repeat(17_000),
      `${'-'.repeat(50_000)}@`,
    ];
    for (const text of adversarial) expect(redact('emails', text)).toBeTypeOf('string');
  });
});

describe('phones', () => {
  it.each([
    '+14155550100',
    '+1 415 555 0100',
    '+44 20 7946 0958',
    '(415) 555-0100',
    '+1 (415) 555-0100',
    '415-555-0100',
    '1-415-555-0100',
    '415.555.0100',
    '415 555 0100',
    '4155550100',
  ])('hides %s', (phone) => {
    expect(redact('phones', `call me on ${phone}, thanks`)).toBe('call me on [phone], thanks');
  });

  it('leaves short numbers, years, dates, addresses and SSNs', () => {
    const text = 'order 4572 from 1999, on 2024-05-06, at 192.168.100.200, ssn 123-45-6789, 1234567890, +123';
    expect(redact('phones', text)).toBe(text);
  });

  it('does not eat card numbers, redacted or not', () => {
    for (const text of ['4111 1111 1111 1111', '4111-1111-1111-1111', '4111111111111111', 'card [card] ok']) {
      expect(redact('phones', text)).toBe(text);
    }
  });
});

describe('Redactor', () => {
  it('applies its rules in order', () => {
    const redactor = new Redactor([builtInRule('cards'), builtInRule('phones')]);
    expect(redactor.redact('card 4111 1111 1111 1111, phone 415 555 0100')).toBe('card [card], phone [phone]');
    expect(redactor.ruleNames).toEqual(['cards', 'phones']);
  });

  it('runs custom rules through the same interface', () => {
    const accounts: RedactionRule = { name: 'accounts', redact: (text) => text.replace(/\bACCT-\d+\b/g, '[account]') };
    const seen: string[] = [];
    const recorder: RedactionRule = {
      name: 'recorder',
      redact: (text) => {
        seen.push(text);
        return text;
      },
    };
    const redactor = new Redactor([builtInRule('cards'), accounts, recorder]);
    expect(redactor.redact('ACCT-991 paid with 4111111111111111')).toBe('[account] paid with [card]');
    expect(seen).toEqual(['[account] paid with [card]']);
    expect(redactor.ruleNames).toEqual(['cards', 'accounts', 'recorder']);
  });

  it('does not change when the rules passed in do', () => {
    const rules = [builtInRule('cards')];
    const redactor = new Redactor(rules);
    rules.push(builtInRule('emails'));
    redactor.ruleNames.push('ssn');
    expect(redactor.ruleNames).toEqual(['cards']);
    expect(redactor.redact('a@b.co')).toBe('a@b.co');
  });

  it('redacts nothing without rules', () => {
    expect(new Redactor([]).redact('4111 1111 1111 1111')).toBe('4111 1111 1111 1111');
  });

  it('is idempotent: redacting twice gives what redacting once did', () => {
    const texts = [
      'card 4111 1111 1111 1111 phone +1 (415) 555-0100 mail bob@example.com ssn 123-45-6789',
      'ref 1004 4111 1111 1111 1111 and 4572',
      `Oh, ${spoken('4111111111111111')}, and one two three, four five, six seven eight nine`,
      '+14155550100@example.com 4111111111111111@example.com',
      '415 555 0100 4111 1111 1111 1111 5555-5555-5555-4444',
    ];
    for (const text of texts) {
      const once = redactAll(text);
      expect(once).not.toBe(text);
      expect(redactAll(once)).toBe(once);
      for (const name of REDACTION_RULE_NAMES) expect(redact(name, redact(name, text))).toBe(redact(name, text));
    }
  });

  it('completes on long adversarial input for every rule', () => {
    const adversarial = [
      `one${' '.repeat(50_000)}x`,
      'one, '.repeat(10_000),
      '1 '.repeat(25_000),
      '1-'.repeat(25_000),
      `+1${' 1'.repeat(25_000)}`,
      '4'.repeat(50_000),
    ];
    for (const text of adversarial) expect(redactAll(text)).toBeTypeOf('string');
  });
});

describe('parseRedactSetting', () => {
  it('defaults to cards and SSNs when unset or blank', () => {
    expect(DEFAULT_REDACTION).toEqual(['cards', 'ssn']);
    expect(parseRedactSetting(undefined)).toEqual(['cards', 'ssn']);
    expect(parseRedactSetting('')).toEqual(['cards', 'ssn']);
    expect(parseRedactSetting('  ')).toEqual(['cards', 'ssn']);
    expect(parseRedactSetting(' , ')).toEqual(['cards', 'ssn']);
  });

  it('turns redaction off only for an explicit none', () => {
    expect(parseRedactSetting('none')).toEqual([]);
    expect(parseRedactSetting(' None ')).toEqual([]);
  });

  it('reads a list in the order given, ignoring case, blanks and repeats', () => {
    expect(parseRedactSetting('cards,phones')).toEqual(['cards', 'phones']);
    expect(parseRedactSetting(' Emails , cards,,emails ')).toEqual(['emails', 'cards']);
  });

  it('rejects unknown names, listing the valid ones', () => {
    expect(() => parseRedactSetting('cards,addresses')).toThrow(/unknown rule 'addresses'.*cards, ssn, emails, phones, or none/);
  });

  it('rejects none combined with rules', () => {
    expect(() => parseRedactSetting('none,cards')).toThrow(/'none' cannot be combined/);
  });

  it('returns a list the caller may change', () => {
    parseRedactSetting(undefined).push('emails');
    expect(parseRedactSetting(undefined)).toEqual(['cards', 'ssn']);
  });
});
