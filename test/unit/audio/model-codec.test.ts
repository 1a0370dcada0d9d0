import { beforeAll, describe, expect, it } from 'vitest';
import { encodeMulaw } from '../../../src/audio/g711.js';
import { createModelCodec } from '../../../src/audio/model-codec.js';
import { loadResamplerEngine, type ResamplerEngine } from '../../../src/audio/resampler.js';

let engine: ResamplerEngine;
beforeAll(async () => {
  engine = await loadResamplerEngine();
});

/** 20 ms of a 400 Hz tone as Twilio sends it. */
function twilioFrame(): string {
  const samples = new Int16Array(160).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 400 * i) / 8000)));
  return Buffer.from(encodeMulaw(samples)).toString('base64');
}

describe('the G.711 model codec', () => {
  it('forwards both directions untouched and times deltas as mu-law 8 kHz', () => {
    const codec = createModelCodec('audio/pcmu', engine);
    const frame = twilioFrame();
    expect(codec.toModel(frame)).toBe(frame);
    expect(codec.toCaller(frame)).toBe(frame);
    expect(codec.deltaMs(frame)).toBe(20);
    expect(Buffer.from(codec.silenceForModel(40), 'base64')).toEqual(Buffer.alloc(320, 0xff));
  });
});

describe('the transcoding model codec', () => {
  it('turns 20 ms of mu-law into 20 ms of PCM16 24 kHz and back', () => {
    const codec = createModelCodec('audio/pcm', engine);
    const pcm = Buffer.from(codec.toModel(twilioFrame()), 'base64');
    expect(pcm.length).toBe(960);
    expect(codec.deltaMs(pcm.toString('base64'))).toBe(20);
    expect(Buffer.from(codec.toCaller(pcm.toString('base64')), 'base64').length).toBe(160);
    codec.close();
  });

  it('gives the model silence of the asked length, and Twilio nothing for an empty delta', () => {
    const codec = createModelCodec('audio/pcm', engine);
    const bytes = Buffer.from(codec.silenceForModel(100), 'base64');
    // A copy of just these bytes: a small Buffer is a view into a shared pool (64 KiB on Node 24).
    const silence = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(silence.length).toBe(2400);
    expect(silence.every((sample) => Math.abs(sample) < 64)).toBe(true);
    expect(codec.toCaller('')).toBe('');
    codec.close();
  });
});
