import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isBase64 } from '../../../src/wire/base64.js';

/** The check both schemas used before, which `isBase64` replaces and must agree with exactly. */
const REFERENCE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Deterministic, so a disagreement found once is found again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** The alphabet, padding, and the characters a lenient decoder would let through. */
const NEAR_MISSES = `${ALPHABET}====-_ \n\r\t.,!*%\0\u00c5\u0141\u2028\ud83d\ude00`;

describe('isBase64 agrees with the regular expression it replaces', () => {
  it.each([
    ['', true],
    ['AAAA', true],
    ['AA==', true],
    ['AAA=', true],
    ['+/+/', true],
    ['AB==', true], // unused bits set in the last group: not canonical, but the regex never checked them
    ['AAB=', true],
    ['A', false],
    ['AA', false],
    ['AAA', false],
    ['AAAAA', false],
    ['A===', false],
    ['====', false],
    ['=AAA', false],
    ['AA=A', false],
    ['AA==AAAA', false],
    ['AAA=AAAA', false],
    ['AA==\n', false],
    ['AAAA\n', false],
    [' AAAA', false],
    ['AAAA AAA', false],
    ['-_AA', false],
    ['AA-A', false],
    ['AAA_', false],
    ['AAA.', false],
    ['AA\u00c5A', false],
    ['AA\u0141A', false], // its low byte is 'A'
    ['AA\ud83d\ude00', false],
    ['AAAA=', false],
    ['AAAA==', false],
    ['AA===', false],
  ])('%j: %s', (value, expected) => {
    expect(REFERENCE.test(value)).toBe(expected);
    expect(isBase64(value)).toBe(expected);
  });

  it('on the encoding of random bytes of every length up to 300', () => {
    for (let length = 0; length <= 300; length++) {
      const encoded = randomBytes(length).toString('base64');
      expect(isBase64(encoded), encoded).toBe(true);
      expect(REFERENCE.test(encoded)).toBe(true);
    }
  });

  it('on random strings over the alphabet, padding and near misses', () => {
    const next = random(14);
    for (let n = 0; n < 20000; n++) {
      const length = Math.floor(next() * 14);
      let value = '';
      for (let i = 0; i < length; i++) value += NEAR_MISSES.charAt(Math.floor(next() * NEAR_MISSES.length));
      expect(isBase64(value), JSON.stringify(value)).toBe(REFERENCE.test(value));
    }
  });

  it('on random strings over the alphabet alone with up to two trailing pads, about half of them valid', () => {
    const next = random(41);
    let valid = 0;
    for (let n = 0; n < 20000; n++) {
      const length = Math.floor(next() * 24);
      let value = '';
      for (let i = 0; i < length; i++) value += ALPHABET.charAt(Math.floor(next() * ALPHABET.length));
      value += '='.repeat(Math.floor(next() * 3));
      const expected = REFERENCE.test(value);
      if (expected) valid++;
      expect(isBase64(value), value).toBe(expected);
    }
    expect(valid).toBeGreaterThan(3000);
  });

  it('on audio-sized payloads with one character replaced, inserted or removed', () => {
    const next = random(2400);
    for (let n = 0; n < 1000; n++) {
      const encoded = randomBytes(1 + Math.floor(next() * 2400)).toString('base64');
      const at = Math.floor(next() * encoded.length);
      const char = NEAR_MISSES.charAt(Math.floor(next() * NEAR_MISSES.length));
      const mutated = [
        encoded.slice(0, at) + char + encoded.slice(at + 1),
        encoded.slice(0, at) + char + encoded.slice(at),
        encoded.slice(0, at) + encoded.slice(at + 1),
      ];
      for (const value of mutated) expect(isBase64(value), value).toBe(REFERENCE.test(value));
    }
  });

  it('on payloads longer than its reusable decode buffer (64 KiB), valid and with one bad character', () => {
    for (const bytes of [64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 200_000]) {
      const encoded = randomBytes(bytes).toString('base64');
      expect(isBase64(encoded), `${bytes} bytes`).toBe(true);
      const at = Math.floor(encoded.length / 2);
      for (const char of ['!', '-', '\u0141', '=']) {
        const mutated = encoded.slice(0, at) + char + encoded.slice(at + 1);
        expect(isBase64(mutated), `${bytes} bytes with ${JSON.stringify(char)}`).toBe(REFERENCE.test(mutated));
      }
    }
  });
});
