import { encodeMulaw } from '../../src/audio/g711.js';
import { pcm16ToBuffer } from '../../src/audio/pcm.js';
import { DEFAULT_RESAMPLER_QUALITY, loadResamplerEngine } from '../../src/audio/resampler.js';
import type { ResamplerEngine } from '../../src/audio/resampler.js';
import {
  MODEL_SAMPLE_RATE,
  MULAW_FRAME_BYTES,
  TELEPHONY_FRAME_MS,
  TELEPHONY_SAMPLE_RATE,
  base64DecodedLength,
  msToPcm24kBytes,
} from '../../src/audio/timing.js';
import { CallerToModelTranscoder, ModelToCallerTranscoder } from '../../src/audio/transcoder.js';
import {
  ALIAS_TEST_TONES_HZ,
  IMAGE_TEST_TONES_HZ,
  aliasProductRejectionDb,
  aliasRejectionDb,
  imageRejectionDb,
  impulseLatencyMs,
  passbandRippleDb,
  speechLike,
} from '../lib/signal.js';
import type { BenchSection } from './report.js';

/** Each call carries a minute of audio, fed in 20 ms frames. */
const AUDIO_MS = 60_000;
const CALLS_PER_RUN = 10;
const TIMED_RUNS = 5;
const FRAME_COUNT = AUDIO_MS / TELEPHONY_FRAME_MS;
const PCM_FRAME_BYTES = msToPcm24kBytes(TELEPHONY_FRAME_MS);

/** One call's worth of audio through fresh transcoders; returns the bytes produced, to check none went missing. */
type Pass = () => number;

/** Transcoding as the call path does it, base64 included: Twilio payloads in, Realtime appends out. */
function callerToModelPass(engine: ResamplerEngine, twilioPayloads: readonly string[]): Pass {
  return () => {
    const transcoder = new CallerToModelTranscoder(engine);
    let producedBytes = 0;
    for (const payload of twilioPayloads) {
      const append = transcoder.transcode(Buffer.from(payload, 'base64')).toString('base64');
      producedBytes += base64DecodedLength(append);
    }
    transcoder.close();
    return producedBytes;
  };
}

/** Realtime audio deltas in, Twilio media payloads out. */
function modelToCallerPass(engine: ResamplerEngine, realtimeDeltas: readonly string[]): Pass {
  return () => {
    const transcoder = new ModelToCallerTranscoder(engine);
    let producedBytes = 0;
    for (const delta of realtimeDeltas) {
      producedBytes += base64DecodedLength(mulawToBase64(transcoder.transcode(Buffer.from(delta, 'base64'))));
    }
    transcoder.close();
    return producedBytes;
  };
}

/** One call with both parties talking all the time: the worst case for a duplex call. */
function duplexPass(engine: ResamplerEngine, twilioPayloads: readonly string[], realtimeDeltas: readonly string[]): Pass {
  return () => {
    const callerToModel = new CallerToModelTranscoder(engine);
    const modelToCaller = new ModelToCallerTranscoder(engine);
    let producedBytes = 0;
    for (let frame = 0; frame < FRAME_COUNT; frame++) {
      const append = callerToModel.transcode(Buffer.from(twilioPayloads[frame]!, 'base64')).toString('base64');
      const media = mulawToBase64(modelToCaller.transcode(Buffer.from(realtimeDeltas[frame]!, 'base64')));
      producedBytes += base64DecodedLength(append) + base64DecodedLength(media);
    }
    callerToModel.close();
    modelToCaller.close();
    return producedBytes;
  };
}

function mulawToBase64(mulaw: Uint8Array): string {
  return Buffer.from(mulaw.buffer, mulaw.byteOffset, mulaw.byteLength).toString('base64');
}

function base64Frames(bytes: Uint8Array, frameBytes: number): string[] {
  return Array.from({ length: bytes.length / frameBytes }, (_, frame) =>
    Buffer.from(bytes.buffer, bytes.byteOffset + frame * frameBytes, frameBytes).toString('base64'),
  );
}

/**
 * Audio seconds transcoded per CPU second, i.e. concurrent real-time calls per core. CPU time
 * (user + system, from process.cpuUsage) rather than wall time, so other load on the machine
 * does not count, while the process's own GC threads do. Each timed run transcodes several calls
 * back to back, because a single minute takes only tens of milliseconds and GC pauses would
 * dominate it; the median of the runs is kept, after a warm-up run that lets the JIT settle.
 */
function callsPerCore(pass: Pass, expectedBytes: number): { callsPerCore: number; cpuUsPerFrame: number } {
  const cpuSecondsPerRun: number[] = [];
  for (let run = 0; run <= TIMED_RUNS; run++) {
    const start = process.cpuUsage();
    for (let call = 0; call < CALLS_PER_RUN; call++) {
      const producedBytes = pass();
      if (producedBytes !== expectedBytes) throw new Error(`produced ${producedBytes} bytes, expected ${expectedBytes}`);
    }
    const used = process.cpuUsage(start);
    if (run > 0) cpuSecondsPerRun.push((used.user + used.system) / 1e6);
  }
  const medianCpuSeconds = cpuSecondsPerRun.sort((a, b) => a - b)[Math.floor(TIMED_RUNS / 2)]!;
  return {
    callsPerCore: (CALLS_PER_RUN * AUDIO_MS) / 1000 / medianCpuSeconds,
    cpuUsPerFrame: (medianCpuSeconds * 1e6) / (CALLS_PER_RUN * FRAME_COUNT),
  };
}

function throughputRow(metric: string, what: string, figures: { callsPerCore: number; cpuUsPerFrame: number }) {
  return {
    metric,
    value: `${Math.round(figures.callsPerCore).toLocaleString('en-US')} calls per core`,
    note: `${what}; ${figures.cpuUsPerFrame.toFixed(1)} µs CPU per 20 ms frame`,
  };
}

function formatDb(db: number): string {
  return Number.isFinite(db) ? `${db.toFixed(1)} dB` : '∞ (digital silence)';
}

/** The lowest figure and the test tone it came from. */
function worstOver(tonesHz: readonly number[], measureDb: (toneHz: number) => number): { db: number; toneHz: number } {
  return tonesHz
    .map((toneHz) => ({ db: measureDb(toneHz), toneHz }))
    .reduce((worst, figure) => (figure.db < worst.db ? figure : worst));
}

function latencyRow(engine: ResamplerEngine, direction: string, inRateHz: number, outRateHz: number) {
  const resampler = engine.createResampler(inRateHz, outRateHz);
  const reportedLatencyMs = resampler.latencyMs;
  resampler.close();
  return {
    metric: `Latency, ${direction}`,
    value: `${impulseLatencyMs(engine, inRateHz, outRateHz).toFixed(2)} ms`,
    note: `bar ≤ 10 ms; energy centroid of an impulse's response (latencyMs reports ${reportedLatencyMs.toFixed(2)} ms)`,
  };
}

export async function benchTranscoder(): Promise<BenchSection> {
  const engine = await loadResamplerEngine();
  const twilioPayloads = base64Frames(encodeMulaw(speechLike(TELEPHONY_SAMPLE_RATE, AUDIO_MS)), MULAW_FRAME_BYTES);
  const realtimeDeltas = base64Frames(pcm16ToBuffer(speechLike(MODEL_SAMPLE_RATE, AUDIO_MS)), PCM_FRAME_BYTES);

  const callerToModel = callsPerCore(callerToModelPass(engine, twilioPayloads), FRAME_COUNT * PCM_FRAME_BYTES);
  const modelToCaller = callsPerCore(modelToCallerPass(engine, realtimeDeltas), FRAME_COUNT * MULAW_FRAME_BYTES);
  const duplex = callsPerCore(
    duplexPass(engine, twilioPayloads, realtimeDeltas),
    FRAME_COUNT * (PCM_FRAME_BYTES + MULAW_FRAME_BYTES),
  );

  const aliasBand = worstOver(ALIAS_TEST_TONES_HZ, (toneHz) => aliasRejectionDb(engine, toneHz));
  const aliasProduct = worstOver(ALIAS_TEST_TONES_HZ, (toneHz) => aliasProductRejectionDb(engine, toneHz));
  const image = worstOver(IMAGE_TEST_TONES_HZ, (toneHz) => imageRejectionDb(engine, toneHz));
  const aliasTones = `${ALIAS_TEST_TONES_HZ.map((toneHz) => toneHz / 1000).join('/')} kHz`;

  return {
    title: `Transcoding: G.711 mu-law 8 kHz <-> PCM16 24 kHz (SpeexDSP quality ${DEFAULT_RESAMPLER_QUALITY}, WebAssembly)`,
    rows: [
      throughputRow(
        'Caller -> model',
        `base64 mu-law 8 kHz in, base64 PCM16 24 kHz out; ${AUDIO_MS / 1000} s calls of speech-like audio`,
        callerToModel,
      ),
      throughputRow(
        'Model -> caller',
        `base64 PCM16 24 kHz in, base64 mu-law 8 kHz out; ${AUDIO_MS / 1000} s calls of speech-like audio`,
        modelToCaller,
      ),
      throughputRow('Full duplex', 'both directions for every 20 ms of the call', duplex),
      {
        metric: 'Alias rejection, 24 -> 8 kHz',
        value: formatDb(aliasBand.db),
        note: `bar ≥ 90 dB; all output power in 0-4 kHz vs a 0.5 FS input tone, worst of ${aliasTones} (∞: every output sample rounds to 0)`,
      },
      {
        metric: 'Alias product, 24 -> 8 kHz',
        value: formatDb(aliasProduct.db),
        note: `dithered input, alias at its folded frequency, worst of ${aliasTones} (${aliasProduct.toneHz} Hz); near the 1 s measurement's noise floor, so a lower bound`,
      },
      {
        metric: 'Image rejection, 8 -> 24 kHz',
        value: formatDb(image.db),
        note: `bar ≥ 60 dB; strongest image vs the tone, worst of ${IMAGE_TEST_TONES_HZ.join('/')} Hz (${image.toneHz} Hz)`,
      },
      {
        metric: 'Passband ripple, 8 -> 24 kHz',
        value: `${passbandRippleDb(engine, TELEPHONY_SAMPLE_RATE, MODEL_SAMPLE_RATE).toFixed(4)} dB`,
        note: 'bar ≤ 0.5 dB; max - min gain over 300-3400 Hz every 100 Hz',
      },
      {
        metric: 'Passband ripple, 24 -> 8 kHz',
        value: `${passbandRippleDb(engine, MODEL_SAMPLE_RATE, TELEPHONY_SAMPLE_RATE).toFixed(4)} dB`,
        note: 'bar ≤ 0.5 dB; max - min gain over 300-3400 Hz every 100 Hz',
      },
      latencyRow(engine, '8 -> 24 kHz', TELEPHONY_SAMPLE_RATE, MODEL_SAMPLE_RATE),
      latencyRow(engine, '24 -> 8 kHz', MODEL_SAMPLE_RATE, TELEPHONY_SAMPLE_RATE),
    ],
  };
}
