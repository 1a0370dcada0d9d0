import { describe, expect, it } from 'vitest';
import { heardText } from '../../../src/conversation/heard-text.js';

describe('heardText', () => {
  const text = 'Sure. Order four five seven two shipped yesterday.';

  it('keeps the share of words whose middle was reached', () => {
    expect(heardText(text, 500, 1000)).toBe('Sure. Order four five seven');
    expect(heardText(text, 250, 1000)).toBe('Sure. Order');
  });

  it('is everything when all audio played and nothing when none did', () => {
    expect(heardText(text, 1000, 1000)).toBe(text);
    expect(heardText(text, 1200, 1000)).toBe(text);
    expect(heardText(text, 0, 1000)).toBe('');
    expect(heardText(text, 10, 0)).toBe('');
  });

  it('never cuts a word in half', () => {
    for (let heardMs = 0; heardMs <= 1000; heardMs += 37) {
      const heard = heardText(text, heardMs, 1000);
      expect(text.startsWith(heard)).toBe(true);
      if (heard === '') continue;
      expect(heard).toMatch(/\S$/);
      expect(text.slice(heard.length)).toMatch(/^(\s|$)/);
    }
  });
});
