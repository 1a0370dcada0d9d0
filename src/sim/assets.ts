import { readFileSync } from 'node:fs';
import { readWav } from './wav.js';

const ASSETS = new URL('../../assets/', import.meta.url);

export interface CallerClip {
  file: string;
  language: string;
  transcript: string;
  /** G.711 mu-law 8 kHz, as a phone line delivers it. */
  mulaw: Uint8Array;
}

export interface VoiceClip {
  id: string;
  language: string;
  text: string;
  /** PCM16 24 kHz, as the Realtime API sends it. */
  pcm: Int16Array;
}

interface Index<T> {
  clips: T[];
}

let callerClips: Map<string, CallerClip> | undefined;
let voiceClips: Map<string, VoiceClip> | undefined;

/** Caller utterances by file name without extension, e.g. `en-order-status`. */
function loadCallerClips(): Map<string, CallerClip> {
  if (callerClips) return callerClips;
  const index = JSON.parse(readFileSync(new URL('caller/index.json', ASSETS), 'utf8')) as Index<Omit<CallerClip, 'mulaw'>>;
  callerClips = new Map(
    index.clips.map((clip) => {
      const audio = readWav(new URL(`caller/${clip.file}`, ASSETS));
      if (audio.encoding !== 'mulaw' || audio.sampleRate !== 8000) throw new Error(`${clip.file}: expected mu-law 8 kHz`);
      return [clip.file.replace(/\.wav$/, ''), { ...clip, mulaw: audio.data }];
    }),
  );
  return callerClips;
}

export function callerClip(name: string): CallerClip {
  const clip = loadCallerClips().get(name);
  if (!clip) throw new Error(`no caller clip "${name}" in assets/caller`);
  return clip;
}

/** The simulator's voice: recorded replies by id, e.g. `greeting-en`. */
function loadVoiceClips(): Map<string, VoiceClip> {
  if (voiceClips) return voiceClips;
  const index = JSON.parse(readFileSync(new URL('sim-voice/index.json', ASSETS), 'utf8')) as Index<
    Omit<VoiceClip, 'pcm'> & { file: string }
  >;
  voiceClips = new Map(
    index.clips.map((clip) => {
      const audio = readWav(new URL(`sim-voice/${clip.file}`, ASSETS));
      if (audio.encoding !== 'pcm16' || audio.sampleRate !== 24000) throw new Error(`${clip.file}: expected PCM16 24 kHz`);
      return [clip.id, { id: clip.id, language: clip.language, text: clip.text, pcm: audio.data }];
    }),
  );
  return voiceClips;
}

export function voiceClip(id: string): VoiceClip {
  const clip = loadVoiceClips().get(id);
  if (!clip) throw new Error(`no voice clip "${id}" in assets/sim-voice`);
  return clip;
}
