import { EnergyVad } from './vad.js';
import { invalidRequest, type ServerEvent } from './server-events.js';

type Json = Record<string, unknown>;

/**
 * The session object as the service keeps it: the defaults of a new session, changed by each accepted
 * session.update (merged in, as the service merges), and what the other jobs read from it.
 */
export class SimSessionConfig {
  #config: Json;

  constructor(id: string, model: string) {
    this.#config = defaultSession(id, model);
  }

  get current(): Readonly<Json> {
    return this.#config;
  }

  /** Applies a session.update, or returns the error the service refuses it with. */
  update(update: Json, eventId: string | undefined, assistantAudioSent: boolean): ServerEvent | undefined {
    if (update['type'] !== 'realtime') {
      return invalidRequest('missing_required_parameter', "Missing required parameter: 'session.type'.", 'session.type', eventId);
    }
    const outputVoice = (update['audio'] as { output?: { voice?: string } } | undefined)?.output?.voice;
    if (outputVoice !== undefined && assistantAudioSent && outputVoice !== this.#voice) {
      return invalidRequest(
        'cannot_update_voice',
        'Cannot update a conversation\'s voice if assistant audio is present.',
        'session.audio.output.voice',
        eventId,
      );
    }
    const inputFormat = (update['audio'] as { input?: { format?: { type?: string; rate?: number } } } | undefined)?.input?.format;
    if (inputFormat && !['audio/pcm', 'audio/pcmu', 'audio/pcma'].includes(inputFormat.type ?? '')) {
      return invalidRequest('invalid_value', `Invalid value: '${inputFormat.type}'.`, 'session.audio.input.format.type', eventId);
    }
    if (inputFormat?.type === 'audio/pcm' && inputFormat.rate !== undefined && inputFormat.rate !== 24000) {
      return invalidRequest('invalid_value', 'Only 24000 Hz is supported for audio/pcm.', 'session.audio.input.format.rate', eventId);
    }
    this.#config = deepMerge(this.#config, update);
    return undefined;
  }

  /** A fresh VAD with the session's turn detection settings, at the input's sample rate. */
  vad(): EnergyVad {
    const detection = this.turnDetection;
    return new EnergyVad(
      {
        threshold: Number(detection?.['threshold'] ?? 0.5),
        prefixPaddingMs: Number(detection?.['prefix_padding_ms'] ?? 300),
        silenceDurationMs: Number(detection?.['silence_duration_ms'] ?? 500),
      },
      this.inputFormat === 'audio/pcmu' ? 8000 : 24000,
    );
  }

  get inputFormat(): string {
    return String((this.#input?.['format'] as { type?: string } | undefined)?.type ?? 'audio/pcm');
  }

  get outputFormat(): string | undefined {
    return (this.#config['audio'] as { output?: { format?: { type?: string } } } | undefined)?.output?.format?.type;
  }

  get turnDetection(): Json | null {
    return (this.#input?.['turn_detection'] as Json | null | undefined) ?? null;
  }

  get transcriptionModel(): string | undefined {
    return (this.#input?.['transcription'] as { model?: string } | null | undefined)?.model;
  }

  get instructions(): string {
    return String(this.#config['instructions'] ?? '');
  }

  get #input(): Json | undefined {
    return (this.#config['audio'] as { input?: Json } | undefined)?.input;
  }

  get #voice(): string | undefined {
    return (this.#config['audio'] as { output?: { voice?: string } } | undefined)?.output?.voice;
  }
}

function defaultSession(id: string, model: string): Json {
  return {
    type: 'realtime',
    object: 'realtime.session',
    id,
    model,
    output_modalities: ['audio'],
    instructions: '',
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        transcription: null,
        noise_reduction: null,
        turn_detection: {
          type: 'server_vad',
          threshold: 0.5,
          prefix_padding_ms: 300,
          silence_duration_ms: 200,
          idle_timeout_ms: null,
          create_response: true,
          interrupt_response: true,
        },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy', speed: 1 },
    },
  };
}

function deepMerge(target: Json, patch: Json): Json {
  const merged: Json = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    const current = merged[key];
    merged[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
        ? deepMerge(current as Json, value as Json)
        : value;
  }
  return merged;
}
