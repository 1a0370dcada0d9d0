import { describe, expect, it } from 'vitest';
import { decodeMulaw, encodeMulaw } from '../../../src/audio/g711.js';
import { pcm16ToBuffer } from '../../../src/audio/pcm.js';
import { loadResamplerEngine } from '../../../src/audio/resampler.js';
import { CallerToModelTranscoder, ModelToCallerTranscoder } from '../../../src/audio/transcoder.js';
import {
  MODEL_SAMPLE_RATE,
  MULAW_FRAME_BYTES,
  TELEPHONY_SAMPLE_RATE,
  msToPcm24kBytes,
} from '../../../src/audio/timing.js';
import { bandPowerDbfs, sine, skipStartup, speechLike, tonePowerDbfs } from '../../../scripts/lib/signal.js';

const engine = await loadResamplerEngine();

const PCM_FRAME_BYTES = msToPcm24kBytes(20);

/** Splits `bytes` into consecutive views whose lengths cycle through `lengths`. */
function split(bytes: Uint8Array, lengths: readonly number[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; start < bytes.length; i++) {
    const length = lengths[i % lengths.length]!;
    parts.push(bytes.subarray(start, start + length));
    start += length;
  }
  return parts;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

function modelToCaller(deltas: readonly Uint8Array[]): Uint8Array {
  const transcoder = new ModelToCallerTranscoder(engine);
  const mulaw = concatBytes(deltas.map((delta) => transcoder.transcode(delta)));
  transcoder.close();
  return mulaw;
}

describe('caller -> model -> caller', () => {
  it('returns a 1 kHz tone at 1 kHz and the same level, with nothing else within 30 dB of it', () => {
    const callerMulaw = encodeMulaw(
      sine({ frequencyHz: 1000, sampleRateHz: TELEPHONY_SAMPLE_RATE, durationMs: 1000, amplitudeFs: 0.5 }),
    );
    const callerToModel = new CallerToModelTranscoder(engine);
    const modelToCaller = new ModelToCallerTranscoder(engine);
    const returnedMulaw = concatBytes(
      split(callerMulaw, [MULAW_FRAME_BYTES]).map((frame) => modelToCaller.transcode(callerToModel.transcode(frame))),
    );
    callerToModel.close();
    modelToCaller.close();

    const sent = skipStartup(decodeMulaw(callerMulaw), TELEPHONY_SAMPLE_RATE);
    const returned = skipStartup(decodeMulaw(returnedMulaw), TELEPHONY_SAMPLE_RATE);
    const returnedToneDbfs = tonePowerDbfs(returned, TELEPHONY_SAMPLE_RATE, 1000);
    expect(returnedToneDbfs).toBeCloseTo(tonePowerDbfs(sent, TELEPHONY_SAMPLE_RATE, 1000), 1);
    // Bands stop short of the tone's window main lobe (+/- 8 Hz at this length).
    expect(bandPowerDbfs(returned, TELEPHONY_SAMPLE_RATE, 0, 950)).toBeLessThan(returnedToneDbfs - 30);
    expect(bandPowerDbfs(returned, TELEPHONY_SAMPLE_RATE, 1050, 4000)).toBeLessThan(returnedToneDbfs - 30);
  });
});

describe('CallerToModelTranscoder', () => {
  it('turns every 160-byte mu-law frame into 960 bytes of PCM16 24 kHz, the first one included', () => {
    const transcoder = new CallerToModelTranscoder(engine);
    const frames = split(encodeMulaw(speechLike(TELEPHONY_SAMPLE_RATE, 500)), [MULAW_FRAME_BYTES]);
    const outputBytes = frames.map((frame) => transcoder.transcode(frame).length);
    transcoder.close();
    expect(outputBytes).toEqual(frames.map(() => PCM_FRAME_BYTES));
  });

  it('refuses to transcode after close()', () => {
    const transcoder = new CallerToModelTranscoder(engine);
    transcoder.close();
    expect(() => transcoder.transcode(new Uint8Array(MULAW_FRAME_BYTES))).toThrow(/after close/);
  });
});

describe('ModelToCallerTranscoder', () => {
  const responsePcm = pcm16ToBuffer(speechLike(MODEL_SAMPLE_RATE, 1000));

  it('turns every 960-byte PCM16 24 kHz delta into 160 mu-law bytes, the first one included', () => {
    const transcoder = new ModelToCallerTranscoder(engine);
    const deltas = split(responsePcm, [PCM_FRAME_BYTES]);
    const outputBytes = deltas.map((delta) => transcoder.transcode(delta).length);
    transcoder.close();
    expect(outputBytes).toEqual(deltas.map(() => MULAW_FRAME_BYTES));
  });

  it('loses no sample when deltas end mid-sample (961 then 959 bytes, and odder)', () => {
    const evenDeltas = modelToCaller(split(responsePcm, [PCM_FRAME_BYTES]));
    const oddDeltas = modelToCaller(split(responsePcm, [961, 959, 1, 3, 333, 7]));
    expect(oddDeltas).toHaveLength(responsePcm.length / 2 / (MODEL_SAMPLE_RATE / TELEPHONY_SAMPLE_RATE));
    expect(oddDeltas).toEqual(evenDeltas);
  });

  it('reads PCM that is not 2-byte aligned in memory', () => {
    const frame = responsePcm.subarray(0, PCM_FRAME_BYTES);
    const misaligned = new Uint8Array(PCM_FRAME_BYTES + 1);
    misaligned.set(frame, 1);
    expect(modelToCaller([misaligned.subarray(1)])).toEqual(modelToCaller([frame]));
  });

  it('after reset() on barge-in, lets nothing of the interrupted response into the next one', () => {
    // The interrupted response stops mid-sample, so a byte is pending as well as filter history.
    const interruptedDeltas = split(responsePcm.subarray(0, 3 * PCM_FRAME_BYTES + 1), [PCM_FRAME_BYTES]);
    const nextDeltas = split(
      pcm16ToBuffer(sine({ frequencyHz: 440, sampleRateHz: MODEL_SAMPLE_RATE, durationMs: 200, amplitudeFs: 0.5 })),
      [PCM_FRAME_BYTES],
    );
    const expected = modelToCaller(nextDeltas);

    const transcoder = new ModelToCallerTranscoder(engine);
    for (const delta of interruptedDeltas) transcoder.transcode(delta);
    transcoder.reset();
    const afterReset = concatBytes(nextDeltas.map((delta) => transcoder.transcode(delta)));
    transcoder.close();

    expect(afterReset).toEqual(expected);
    // Without the reset the tail does leak, so the assertion above is not vacuous.
    expect(modelToCaller([...interruptedDeltas, ...nextDeltas]).subarray(-expected.length)).not.toEqual(expected);
  });

  it('refuses to transcode after close()', () => {
    const transcoder = new ModelToCallerTranscoder(engine);
    transcoder.close();
    expect(() => transcoder.transcode(new Uint8Array(PCM_FRAME_BYTES))).toThrow(/after close/);
  });
});
