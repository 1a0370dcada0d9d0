import { DEFAULT_RESAMPLER_QUALITY } from '../../src/audio/resampler.js';
import type { ResamplerEngine, StreamingResampler } from '../../src/audio/resampler.js';
import { MODEL_SAMPLE_RATE, TELEPHONY_FRAME_MS, TELEPHONY_SAMPLE_RATE } from '../../src/audio/timing.js';

/*
 * Signal analysis for the audio quality bars, shared by the benchmark and the unit tests so that
 * both report the same figures. It lives with the scripts because scripts depend on no test code;
 * tests may import from scripts/lib. All arithmetic is in double precision: the bars sit 60-120 dB
 * down, far below what float32 accumulation or an unwindowed DFT of a non-integer number of
 * cycles could resolve.
 */

const INT16_FULL_SCALE = 32768;
/** Powers in dBFS are relative to the mean square of a full-scale sine. */
const FULL_SCALE_SINE_POWER = INT16_FULL_SCALE ** 2 / 2;

/** Long enough for the FIR's start-up (its whole length, about 10 ms here) to have passed. */
const STARTUP_TRANSIENT_MS = 50;
/** Loud enough to sit far above int16 quantization noise, with headroom for the filter's overshoot. */
const TEST_TONE_AMPLITUDE_FS = 0.5;
const TEST_TONE_DURATION_MS = 1000;

/** Tones above the 8 kHz side's Nyquist frequency that a 24 kHz -> 8 kHz resampler must not fold into 0-4 kHz. */
export const ALIAS_TEST_TONES_HZ = [5000, 6000, 8000, 10000] as const;
/** Telephone-band tones whose images an 8 kHz -> 24 kHz resampler must suppress. */
export const IMAGE_TEST_TONES_HZ = [300, 1000, 2000, 3000, 3400] as const;
/** The telephone band, 300-3400 Hz, every 100 Hz. */
const PASSBAND_TEST_TONES_HZ: readonly number[] = Array.from({ length: 32 }, (_, i) => 300 + i * 100);

export interface SineOptions {
  frequencyHz: number;
  sampleRateHz: number;
  durationMs: number;
  amplitudeFs: number;
  /**
   * Add triangular dither of +/-1 LSB before rounding. A tone commensurate with the sample rate
   * (1 kHz at 8 kHz) otherwise has a periodic rounding error whose harmonics sit exactly on the
   * frequencies being measured, such as the images of the tone.
   */
  dithered?: boolean;
}

/** A sine rounded to int16; amplitude is a fraction of full scale. Deterministic, dither included. */
export function sine({ frequencyHz, sampleRateHz, durationMs, amplitudeFs, dithered = false }: SineOptions): Int16Array {
  const samples = new Int16Array(samplesIn(durationMs, sampleRateHz));
  const amplitude = amplitudeFs * INT16_FULL_SCALE;
  const random = seededRandom(1);
  for (let n = 0; n < samples.length; n++) {
    const ditherLsb = dithered ? random() - random() : 0;
    samples[n] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * n) / sampleRateHz) + ditherLsb);
  }
  return samples;
}

/** Uniform in [0, 1), from a 32-bit linear congruential generator: reproducible across runs. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Silence with a single non-zero sample at `atSample`. */
function impulse(sampleRateHz: number, durationMs: number, atSample: number, amplitudeFs: number): Int16Array {
  const samples = new Int16Array(samplesIn(durationMs, sampleRateHz));
  samples[atSample] = Math.round(amplitudeFs * INT16_FULL_SCALE);
  return samples;
}

/**
 * A deterministic stand-in for speech: a harmonic series on a gliding 90-180 Hz pitch with a
 * 1/k spectral tilt, a 4 Hz syllabic envelope and a pause every 1.5 s. Resampling and G.711 cost
 * do not depend on content, but silence-only or single-tone input would hide any path that does.
 */
export function speechLike(sampleRateHz: number, durationMs: number): Int16Array {
  const samples = new Int16Array(samplesIn(durationMs, sampleRateHz));
  const peakAmplitude = 0.3 * INT16_FULL_SCALE;
  const harmonicCount = 40;
  const harmonicNorm = 1 / Array.from({ length: harmonicCount }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b);
  let pitchPhaseCycles = 0;
  for (let n = 0; n < samples.length; n++) {
    const timeS = n / sampleRateHz;
    const pitchHz = 135 + 45 * Math.sin(2 * Math.PI * 0.7 * timeS);
    pitchPhaseCycles += pitchHz / sampleRateHz;
    if (timeS % 1.5 >= 1.2) continue;
    const syllable = 0.5 - 0.5 * Math.cos(2 * Math.PI * 4 * timeS);
    let voiced = 0;
    for (let k = 1; k <= harmonicCount && k * pitchHz < 0.45 * sampleRateHz; k++) {
      voiced += Math.sin(2 * Math.PI * k * pitchPhaseCycles) / k;
    }
    samples[n] = Math.round(peakAmplitude * syllable * voiced * harmonicNorm);
  }
  return samples;
}

/** Samples in one 20 ms telephony frame at this rate (160 at 8 kHz, 480 at 24 kHz). */
export function frameSamples(sampleRateHz: number): number {
  return samplesIn(TELEPHONY_FRAME_MS, sampleRateHz);
}

/** Feeds `signal` in frames of `frameLength` samples (default 20 ms), as the call path does. */
export function processInFrames(
  resampler: StreamingResampler,
  signal: Int16Array,
  frameLength = frameSamples(resampler.inRate),
): Int16Array {
  const outputs: Int16Array[] = [];
  for (let start = 0; start < signal.length; start += frameLength) {
    outputs.push(resampler.process(signal.subarray(start, start + frameLength)));
  }
  return concatSamples(outputs);
}

export function concatSamples(parts: readonly Int16Array[]): Int16Array {
  const joined = new Int16Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** Drops the filter's start-up transient, which is not part of its steady-state response. */
export function skipStartup(signal: Int16Array, sampleRateHz: number): Int16Array {
  return signal.subarray(samplesIn(STARTUP_TRANSIENT_MS, sampleRateHz));
}

/** Mean-square power in dBFS (0 dBFS = a full-scale sine). */
function powerDbfs(meanSquare: number): number {
  return 10 * Math.log10(meanSquare / FULL_SCALE_SINE_POWER);
}

/**
 * 4-term Blackman-Harris window: its -92 dB sidelobes keep a strong tone from leaking into a
 * measurement 100+ dB below it, whatever the number of cycles in the analysis length.
 */
function blackmanHarris(length: number): Float64Array {
  const window = new Float64Array(length);
  for (let n = 0; n < length; n++) {
    const x = (2 * Math.PI * n) / length;
    window[n] = 0.35875 - 0.48829 * Math.cos(x) + 0.14128 * Math.cos(2 * x) - 0.01168 * Math.cos(3 * x);
  }
  return window;
}

/**
 * Power of the component at exactly `frequencyHz`, in dBFS. The windowed DTFT is evaluated at the
 * tone's own frequency rather than at the nearest bin, so there is no scalloping loss: amplitude
 * is exact to within the window's leakage from other components.
 */
export function tonePowerDbfs(signal: Int16Array, sampleRateHz: number, frequencyHz: number): number {
  const window = blackmanHarris(signal.length);
  const radiansPerSample = (2 * Math.PI * frequencyHz) / sampleRateHz;
  let real = 0;
  let imaginary = 0;
  let windowSum = 0;
  for (let n = 0; n < signal.length; n++) {
    const weighted = window[n]! * signal[n]!;
    real += weighted * Math.cos(radiansPerSample * n);
    imaginary -= weighted * Math.sin(radiansPerSample * n);
    windowSum += window[n]!;
  }
  const amplitude = (2 * Math.hypot(real, imaginary)) / windowSum;
  return powerDbfs(amplitude ** 2 / 2);
}

/**
 * Total power between `lowHz` and `highHz` (inclusive), in dBFS, from a Blackman-Harris windowed
 * periodogram of the longest power-of-two prefix of `signal`.
 */
export function bandPowerDbfs(signal: Int16Array, sampleRateHz: number, lowHz: number, highHz: number): number {
  const length = 2 ** Math.floor(Math.log2(signal.length));
  const window = blackmanHarris(length);
  const real = new Float64Array(length);
  const imaginary = new Float64Array(length);
  let windowEnergy = 0;
  for (let n = 0; n < length; n++) {
    real[n] = window[n]! * signal[n]!;
    windowEnergy += window[n]! ** 2;
  }
  fftInPlace(real, imaginary);
  const firstBin = Math.max(0, Math.ceil((lowHz * length) / sampleRateHz));
  const lastBin = Math.min(length / 2, Math.floor((highHz * length) / sampleRateHz));
  let binEnergy = 0;
  for (let k = firstBin; k <= lastBin; k++) {
    // One-sided spectrum: every bin but DC and Nyquist stands for its negative-frequency twin too.
    const sides = k === 0 || k === length / 2 ? 1 : 2;
    binEnergy += sides * (real[k]! ** 2 + imaginary[k]! ** 2);
  }
  // Parseval with the window: the sum over all bins of |X|^2 is length * sum(w^2 x^2).
  return powerDbfs(binEnergy / (length * windowEnergy));
}

/** Radix-2 decimation-in-time FFT; `real.length` must be a power of two. */
function fftInPlace(real: Float64Array, imaginary: Float64Array): void {
  const length = real.length;
  for (let i = 1, j = 0; i < length; i++) {
    let bit = length >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [real[i], real[j]] = [real[j]!, real[i]!];
      [imaginary[i], imaginary[j]] = [imaginary[j]!, imaginary[i]!];
    }
  }
  for (let size = 2; size <= length; size <<= 1) {
    const step = (-2 * Math.PI) / size;
    for (let start = 0; start < length; start += size) {
      for (let k = 0; k < size / 2; k++) {
        const twiddleReal = Math.cos(step * k);
        const twiddleImaginary = Math.sin(step * k);
        const even = start + k;
        const odd = even + size / 2;
        const oddReal = real[odd]! * twiddleReal - imaginary[odd]! * twiddleImaginary;
        const oddImaginary = real[odd]! * twiddleImaginary + imaginary[odd]! * twiddleReal;
        real[odd] = real[even]! - oddReal;
        imaginary[odd] = imaginary[even]! - oddImaginary;
        real[even] = real[even]! + oddReal;
        imaginary[even] = imaginary[even]! + oddImaginary;
      }
    }
  }
}

interface ToneRun {
  inRateHz: number;
  outRateHz: number;
  frequencyHz: number;
  dithered?: boolean;
  quality?: number;
}

/** Steady-state response of a fresh resampler to a 0.5 FS, 1 s test tone fed in 20 ms frames. */
function toneThrough(
  engine: ResamplerEngine,
  { inRateHz, outRateHz, frequencyHz, dithered = false, quality = DEFAULT_RESAMPLER_QUALITY }: ToneRun,
): { input: Int16Array; output: Int16Array } {
  const tone = sine({
    frequencyHz,
    sampleRateHz: inRateHz,
    durationMs: TEST_TONE_DURATION_MS,
    amplitudeFs: TEST_TONE_AMPLITUDE_FS,
    dithered,
  });
  const resampler = engine.createResampler(inRateHz, outRateHz, quality);
  try {
    const output = processInFrames(resampler, tone);
    return { input: skipStartup(tone, inRateHz), output: skipStartup(output, outRateHz) };
  } finally {
    resampler.close();
  }
}

/**
 * 24 kHz -> 8 kHz, the definition: how far below the input tone's power lies all the
 * output's power in 0-4 kHz, for a tone above 4 kHz (so all of that power is aliasing).
 * Infinity when the output is digital silence, i.e. every alias product rounds to zero.
 */
export function aliasRejectionDb(engine: ResamplerEngine, toneHz: number, quality = DEFAULT_RESAMPLER_QUALITY): number {
  const { input, output } = toneThrough(engine, {
    inRateHz: MODEL_SAMPLE_RATE,
    outRateHz: TELEPHONY_SAMPLE_RATE,
    frequencyHz: toneHz,
    quality,
  });
  return (
    tonePowerDbfs(input, MODEL_SAMPLE_RATE, toneHz) - bandPowerDbfs(output, TELEPHONY_SAMPLE_RATE, 0, TELEPHONY_SAMPLE_RATE / 2)
  );
}

/**
 * 24 kHz -> 8 kHz: how far below the input tone lies its alias at the frequency it folds to.
 * The input is dithered so that rounding turns into broadband noise instead of swallowing the
 * alias, which sits below half an LSB: the alias then reads down to the noise floor of a 1 s
 * measurement (about 120 dB) instead of stopping at the int16 step.
 */
export function aliasProductRejectionDb(engine: ResamplerEngine, toneHz: number): number {
  const { input, output } = toneThrough(engine, {
    inRateHz: MODEL_SAMPLE_RATE,
    outRateHz: TELEPHONY_SAMPLE_RATE,
    frequencyHz: toneHz,
    dithered: true,
  });
  const foldedHz = Math.abs(toneHz - TELEPHONY_SAMPLE_RATE * Math.round(toneHz / TELEPHONY_SAMPLE_RATE));
  return tonePowerDbfs(input, MODEL_SAMPLE_RATE, toneHz) - tonePowerDbfs(output, TELEPHONY_SAMPLE_RATE, foldedHz);
}

/**
 * 8 kHz -> 24 kHz: how far the strongest image of the tone (at k * 8 kHz +/- f, below 12 kHz)
 * lies below the tone itself in the output. Dithered, for the reason given on `SineOptions`.
 */
export function imageRejectionDb(engine: ResamplerEngine, toneHz: number, quality = DEFAULT_RESAMPLER_QUALITY): number {
  const { output } = toneThrough(engine, {
    inRateHz: TELEPHONY_SAMPLE_RATE,
    outRateHz: MODEL_SAMPLE_RATE,
    frequencyHz: toneHz,
    dithered: true,
    quality,
  });
  const imagesHz: number[] = [];
  for (let centerHz = TELEPHONY_SAMPLE_RATE; centerHz - toneHz < MODEL_SAMPLE_RATE / 2; centerHz += TELEPHONY_SAMPLE_RATE) {
    imagesHz.push(centerHz - toneHz);
    if (centerHz + toneHz < MODEL_SAMPLE_RATE / 2) imagesHz.push(centerHz + toneHz);
  }
  const strongestImageDbfs = Math.max(...imagesHz.map((imageHz) => tonePowerDbfs(output, MODEL_SAMPLE_RATE, imageHz)));
  return tonePowerDbfs(output, MODEL_SAMPLE_RATE, toneHz) - strongestImageDbfs;
}

/** Gain of the resampler at `frequencyHz`, in dB. */
function toneGainDb(engine: ResamplerEngine, inRateHz: number, outRateHz: number, frequencyHz: number): number {
  const { input, output } = toneThrough(engine, { inRateHz, outRateHz, frequencyHz });
  return tonePowerDbfs(output, outRateHz, frequencyHz) - tonePowerDbfs(input, inRateHz, frequencyHz);
}

/** Peak-to-peak gain variation over the telephone band, in dB. */
export function passbandRippleDb(engine: ResamplerEngine, inRateHz: number, outRateHz: number): number {
  const gainsDb = PASSBAND_TEST_TONES_HZ.map((frequencyHz) => toneGainDb(engine, inRateHz, outRateHz, frequencyHz));
  return Math.max(...gainsDb) - Math.min(...gainsDb);
}

/**
 * Delay from input to output, measured on the signal: an impulse goes in and the energy centroid
 * of what comes out marks its arrival. For a band-limited, symmetric response the centroid falls
 * on the centre of symmetry between output samples too, so no interpolation is needed.
 */
export function impulseLatencyMs(engine: ResamplerEngine, inRateHz: number, outRateHz: number): number {
  // Far enough from both ends for the whole 10 ms response to fit in the output.
  const impulseAtMs = 50;
  const input = impulse(inRateHz, 200, samplesIn(impulseAtMs, inRateHz), TEST_TONE_AMPLITUDE_FS);
  const resampler = engine.createResampler(inRateHz, outRateHz);
  let output: Int16Array;
  try {
    output = processInFrames(resampler, input);
  } finally {
    resampler.close();
  }
  let energy = 0;
  let weightedIndex = 0;
  for (let m = 0; m < output.length; m++) {
    energy += output[m]! ** 2;
    weightedIndex += m * output[m]! ** 2;
  }
  return ((weightedIndex / energy) * 1000) / outRateHz - impulseAtMs;
}

function samplesIn(durationMs: number, sampleRateHz: number): number {
  return Math.round((durationMs * sampleRateHz) / 1000);
}
