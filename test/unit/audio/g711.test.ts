import alawmulaw from 'alawmulaw';
import { describe, expect, it } from 'vitest';
import { decodeMulaw, encodeMulaw } from '../../../src/audio/g711.js';
import { MULAW_SILENCE_BYTE } from '../../../src/audio/timing.js';

const EVERY_INT16 = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
const EVERY_BYTE = Uint8Array.from({ length: 256 }, (_, byte) => byte);
/** mu-law's negative zero: it decodes to 0, which encodes as positive zero (0xFF). */
const MULAW_NEGATIVE_ZERO_BYTE = 0x7f;

describe('G.711 mu-law tables', () => {
  it('encode every one of the 65,536 int16 values exactly as alawmulaw.mulaw.encodeSample', () => {
    const encoded = encodeMulaw(EVERY_INT16);
    const mismatches = Array.from(EVERY_INT16)
      // encodeSample returns the complemented code without masking it (0xFF comes back as -1);
      // the byte is its low 8 bits, which is also what alawmulaw's own encode() stores.
      .map((sample, i) => ({ sample, expected: alawmulaw.mulaw.encodeSample(sample) & 0xff, actual: encoded[i] }))
      .filter(({ expected, actual }) => expected !== actual);
    expect(encoded).toHaveLength(65536);
    expect(mismatches).toEqual([]);
  });

  it('decode every one of the 256 bytes exactly as alawmulaw.mulaw.decodeSample', () => {
    const decoded = decodeMulaw(EVERY_BYTE);
    const mismatches = Array.from(EVERY_BYTE)
      // `+ 0` turns decodeSample's -0 (for the negative-zero code) into the 0 an Int16Array holds.
      .map((byte, i) => ({ byte, expected: alawmulaw.mulaw.decodeSample(byte) + 0, actual: decoded[i] }))
      .filter(({ expected, actual }) => expected !== actual);
    expect(decoded).toHaveLength(256);
    expect(mismatches).toEqual([]);
  });
});

describe('G.711 mu-law round trip', () => {
  it('brings every byte back unchanged, except negative zero, which becomes positive zero', () => {
    const changed = Array.from(encodeMulaw(decodeMulaw(EVERY_BYTE)))
      .map((byte, original) => ({ original, byte }))
      .filter(({ original, byte }) => original !== byte);
    expect(changed).toEqual([{ original: MULAW_NEGATIVE_ZERO_BYTE, byte: MULAW_SILENCE_BYTE }]);
  });

  it('brings every int16 back within half a quantization step, clipping included', () => {
    const restored = decodeMulaw(encodeMulaw(EVERY_INT16));
    // A segment starts where |sample| + 132 (the bias) reaches 2^(exponent + 7) and quantizes in
    // steps of 2^(exponent + 3), so half a step is at most (|sample| + 132) / 32.
    const outOfBound = Array.from(EVERY_INT16)
      .map((sample, i) => ({ sample, errorLsb: Math.abs(restored[i]! - sample) }))
      .filter(({ sample, errorLsb }) => errorLsb > (Math.abs(sample) + 132) / 32);
    expect(outOfBound).toEqual([]);
  });

  it('encodes digital silence as the mu-law silence byte', () => {
    expect(encodeMulaw(new Int16Array(4))).toEqual(new Uint8Array(4).fill(MULAW_SILENCE_BYTE));
  });
});
