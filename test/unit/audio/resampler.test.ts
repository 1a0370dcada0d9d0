import { describe, expect, it } from 'vitest';
import { loadResamplerEngine } from '../../../src/audio/resampler.js';
import { MODEL_SAMPLE_RATE, TELEPHONY_SAMPLE_RATE } from '../../../src/audio/timing.js';
import {
  ALIAS_TEST_TONES_HZ,
  IMAGE_TEST_TONES_HZ,
  aliasProductRejectionDb,
  aliasRejectionDb,
  concatSamples,
  frameSamples,
  imageRejectionDb,
  impulseLatencyMs,
  passbandRippleDb,
  processInFrames,
  speechLike,
} from '../../../scripts/lib/signal.js';

const engine = await loadResamplerEngine();

/** The lowest SpeexDSP quality: its short filter aliases and images audibly, so the bars must catch it. */
const POOR_QUALITY = 0;

const DIRECTIONS = [
  { name: '8 kHz -> 24 kHz', inRateHz: TELEPHONY_SAMPLE_RATE, outRateHz: MODEL_SAMPLE_RATE },
  { name: '24 kHz -> 8 kHz', inRateHz: MODEL_SAMPLE_RATE, outRateHz: TELEPHONY_SAMPLE_RATE },
] as const;

describe('24 kHz -> 8 kHz aliasing', () => {
  it.each(ALIAS_TEST_TONES_HZ)('folds at most -90 dB of a %i Hz tone into 0-4 kHz', (toneHz) => {
    expect(aliasRejectionDb(engine, toneHz)).toBeGreaterThanOrEqual(90);
  });

  // At 0.5 FS the 90 dB bar is half an LSB, so the figure above may be Infinity (digital silence);
  // the dithered measurement gives the alias a finite level, well past the bar.
  it.each(ALIAS_TEST_TONES_HZ)('keeps the alias of a %i Hz tone at least 90 dB down at its folded frequency', (toneHz) => {
    expect(aliasProductRejectionDb(engine, toneHz)).toBeGreaterThanOrEqual(90);
  });

  it('measures aliasing when there is some: a quality-0 resampler fails the bar', () => {
    expect(aliasRejectionDb(engine, 5000, POOR_QUALITY)).toBeLessThan(90);
  });
});

describe('8 kHz -> 24 kHz imaging', () => {
  it.each(IMAGE_TEST_TONES_HZ)('keeps every image of a %i Hz tone at least 60 dB below it', (toneHz) => {
    expect(imageRejectionDb(engine, toneHz)).toBeGreaterThanOrEqual(60);
  });

  it('measures images when there are some: a quality-0 resampler fails the bar', () => {
    expect(imageRejectionDb(engine, 3400, POOR_QUALITY)).toBeLessThan(60);
  });
});

describe.each(DIRECTIONS)('$name', ({ inRateHz, outRateHz }) => {
  it('varies its gain by at most 0.5 dB over 300-3400 Hz', () => {
    expect(passbandRippleDb(engine, inRateHz, outRateHz)).toBeLessThanOrEqual(0.5);
  });

  it('delays an impulse by at most 10 ms, as latencyMs reports', () => {
    const measuredLatencyMs = impulseLatencyMs(engine, inRateHz, outRateHz);
    const resampler = engine.createResampler(inRateHz, outRateHz);
    const reportedLatencyMs = resampler.latencyMs;
    resampler.close();
    expect(measuredLatencyMs).toBeLessThanOrEqual(10);
    // Within one 24 kHz sample (0.042 ms).
    expect(measuredLatencyMs).toBeCloseTo(reportedLatencyMs, 1);
  });

  it('gives the same output whatever the frame size, because state carries across calls', () => {
    const input = speechLike(inRateHz, 1000);
    const outputs = [frameSamples(inRateHz), 7, 333, input.length].map((frameLength) => {
      const resampler = engine.createResampler(inRateHz, outRateHz);
      const output = processInFrames(resampler, input, frameLength);
      resampler.close();
      return output;
    });
    const [twentyMsFrames, ...otherFrameSizes] = outputs;
    expect(twentyMsFrames).toHaveLength((input.length * outRateHz) / inRateHz);
    expect(twentyMsFrames!.some((sample) => sample !== 0)).toBe(true);
    for (const output of otherFrameSizes) expect(output).toEqual(twentyMsFrames);
  });

  it('keeps separate state per resampler although they share one scratch area', () => {
    const first = speechLike(inRateHz, 300);
    const second = first.map((sample) => -sample);
    const separately = [first, second].map((input) => {
      const resampler = engine.createResampler(inRateHz, outRateHz);
      const output = processInFrames(resampler, input);
      resampler.close();
      return output;
    });
    const interleavedResamplers = [engine.createResampler(inRateHz, outRateHz), engine.createResampler(inRateHz, outRateHz)];
    const interleavedOutputs: Int16Array[][] = [[], []];
    const frameLength = frameSamples(inRateHz);
    for (let start = 0; start < first.length; start += frameLength) {
      [first, second].forEach((input, i) => {
        interleavedOutputs[i]!.push(interleavedResamplers[i]!.process(input.subarray(start, start + frameLength)));
      });
    }
    for (const resampler of interleavedResamplers) resampler.close();
    expect(interleavedOutputs.map(concatSamples)).toEqual(separately);
  });

  it('forgets its history on reset(), starting over like a fresh resampler', () => {
    const interrupted = speechLike(inRateHz, 300);
    const next = speechLike(inRateHz, 200);
    const fresh = engine.createResampler(inRateHz, outRateHz);
    const expected = processInFrames(fresh, next);
    fresh.close();

    const reused = engine.createResampler(inRateHz, outRateHz);
    processInFrames(reused, interrupted);
    reused.reset();
    const afterReset = processInFrames(reused, next);

    const continued = engine.createResampler(inRateHz, outRateHz);
    processInFrames(continued, interrupted);
    const withoutReset = processInFrames(continued, next);
    reused.close();
    continued.close();

    expect(afterReset).toEqual(expected);
    // Otherwise the test above could pass with a filter that had no memory to forget.
    expect(withoutReset).not.toEqual(expected);
  });

  it('can be closed twice, and refuses any use after close()', () => {
    const resampler = engine.createResampler(inRateHz, outRateHz);
    resampler.close();
    expect(() => resampler.close()).not.toThrow();
    expect(() => resampler.process(new Int16Array(frameSamples(inRateHz)))).toThrow(/after close/);
    expect(() => resampler.reset()).toThrow(/after close/);
    expect(() => resampler.latencyMs).toThrow(/after close/);
  });
});
