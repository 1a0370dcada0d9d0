import { readFileSync, writeFileSync } from 'node:fs';
import wavefile from 'wavefile';

/** The bundled clips: mu-law 8 kHz (caller) or PCM16 24 kHz (the simulator's voice). */
export type WavAudio =
  | { encoding: 'mulaw'; sampleRate: number; data: Uint8Array }
  | { encoding: 'pcm16'; sampleRate: number; data: Int16Array };

export function readWav(path: string | URL): WavAudio {
  const wav = new wavefile.WaveFile(readFileSync(path));
  const fmt = wav.fmt as { audioFormat: number; sampleRate: number; numChannels: number; bitsPerSample: number };
  if (fmt.numChannels !== 1) throw new Error(`${String(path)}: expected mono audio`);
  if (fmt.audioFormat === 7) {
    return { encoding: 'mulaw', sampleRate: fmt.sampleRate, data: new Uint8Array((wav.data as { samples: Uint8Array }).samples) };
  }
  if (fmt.audioFormat === 1 && fmt.bitsPerSample === 16) {
    return { encoding: 'pcm16', sampleRate: fmt.sampleRate, data: wav.getSamples(false, Int16Array) as unknown as Int16Array };
  }
  throw new Error(`${String(path)}: unsupported WAV format ${fmt.audioFormat}/${fmt.bitsPerSample} bit`);
}

/** Writes PCM16 channels (equal lengths) as one WAV file. */
export function writePcmWav(path: string, sampleRate: number, channels: Int16Array[]): void {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(channels.length, sampleRate, '16', channels.length === 1 ? channels[0]! : channels);
  writeFileSync(path, wav.toBuffer());
}
