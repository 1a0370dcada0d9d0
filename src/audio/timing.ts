/**
 * The one home of sample-rate arithmetic. Twilio carries G.711 mu-law at 8 kHz (1 byte per sample);
 * the Realtime API carries PCM16 little-endian at 24 kHz (2 bytes per sample).
 */
export const TELEPHONY_SAMPLE_RATE = 8000;
export const MODEL_SAMPLE_RATE = 24000;

export const MULAW_BYTES_PER_MS = TELEPHONY_SAMPLE_RATE / 1000;
export const PCM16_24K_BYTES_PER_MS = (MODEL_SAMPLE_RATE / 1000) * 2;
export const PCM16_24K_SAMPLES_PER_MS = MODEL_SAMPLE_RATE / 1000;

/** Twilio sends (and practice expects) 20 ms frames: 160 mu-law bytes. */
export const TELEPHONY_FRAME_MS = 20;
export const MULAW_FRAME_BYTES = TELEPHONY_FRAME_MS * MULAW_BYTES_PER_MS;

/** mu-law encodes digital silence as 0xFF. */
export const MULAW_SILENCE_BYTE = 0xff;

export const mulawBytesToMs = (bytes: number): number => bytes / MULAW_BYTES_PER_MS;
export const msToMulawBytes = (ms: number): number => Math.round(ms * MULAW_BYTES_PER_MS);
export const pcm24kBytesToMs = (bytes: number): number => bytes / PCM16_24K_BYTES_PER_MS;
export const msToPcm24kBytes = (ms: number): number => Math.round(ms * PCM16_24K_SAMPLES_PER_MS) * 2;

/** Decoded byte length of a base64 string, without decoding it. */
export function base64DecodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length * 3) / 4 - padding;
}
