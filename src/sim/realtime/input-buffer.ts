import { decodeMulaw } from '../../audio/g711.js';
import { pcm16FromBytes } from '../../audio/pcm.js';
import { invalidRequest, newId, type ServerEvent } from './server-events.js';
import type { EnergyVad } from './vad.js';

/** A stretch of input audio that became a user turn: its item and how much speech it holds (ms). */
export interface CommittedAudio {
  itemId: string;
  audioMs: number;
}

export type InputBufferEvent =
  | { kind: 'speech-started'; itemId: string; audioStartMs: number }
  /** The VAD committed the speech (with its padding, not the silence around it) as `turn`. */
  | { kind: 'speech-stopped'; audioEndMs: number; turn: CommittedAudio };

/** The input audio buffer: appended audio not yet committed, and the VAD that commits it on its own. */
export class InputBuffer {
  #vad: EnergyVad;
  #uncommittedMs = 0;
  #speechItemId: string | undefined;
  #speechStartMs = 0;

  constructor(vad: EnergyVad) {
    this.#vad = vad;
  }

  /** After a session.update: detection starts over with the new settings. */
  set vad(vad: EnergyVad) {
    this.#vad = vad;
  }

  /** Adds base64 audio in `format`; with turn detection on, returns what the VAD decided about it. */
  append(audioBase64: string, format: string, detectTurns: boolean): InputBufferEvent[] {
    const bytes = Buffer.from(audioBase64, 'base64');
    const mulaw = format === 'audio/pcmu';
    const samples = mulaw ? decodeMulaw(bytes) : pcm16FromBytes(bytes);
    this.#uncommittedMs += mulaw ? bytes.length / 8 : bytes.length / 48;
    if (!detectTurns) return [];
    return this.#vad.push(samples).map((event) => {
      if (event.kind === 'speech-started') {
        this.#speechItemId = newId('item');
        this.#speechStartMs = event.audioStartMs;
        return { kind: 'speech-started', itemId: this.#speechItemId, audioStartMs: event.audioStartMs };
      }
      const turn = { itemId: this.#speechItemId ?? newId('item'), audioMs: event.speechEndMs - this.#speechStartMs };
      this.#reset();
      return { kind: 'speech-stopped', audioEndMs: event.audioEndMs, turn };
    });
  }

  /** input_audio_buffer.commit: everything appended becomes a turn, if it is the 100 ms the service wants at least. */
  commit(eventId: string | undefined): { turn: CommittedAudio } | { error: ServerEvent } {
    if (this.#uncommittedMs < 100) {
      return {
        error: invalidRequest(
          'input_audio_buffer_commit_empty',
          `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${this.#uncommittedMs.toFixed(2)}ms of audio.`,
          null,
          eventId,
        ),
      };
    }
    const turn = { itemId: this.#speechItemId ?? newId('item'), audioMs: this.#uncommittedMs };
    this.#reset();
    return { turn };
  }

  clear(): void {
    this.#reset();
  }

  #reset(): void {
    this.#uncommittedMs = 0;
    this.#speechItemId = undefined;
  }
}
