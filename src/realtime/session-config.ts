import type { RealtimeSessionCreateRequest } from 'openai/resources/realtime/realtime';

export type TurnDetection =
  | {
      type: 'server_vad';
      /** Speech probability threshold, 0..1; raise it on noisy lines. */
      threshold: number;
      /** Audio kept before detected speech, in ms. */
      prefixPaddingMs: number;
      /** Silence that ends a turn, in ms; raise it for callers who pause mid-sentence. */
      silenceDurationMs: number;
    }
  | { type: 'semantic_vad'; eagerness: 'low' | 'medium' | 'high' | 'auto' };

export interface RealtimeTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface SessionSettings {
  model: string;
  /** Both directions; default PCM16 24 kHz. */
  audioFormat?: 'audio/pcm' | 'audio/pcmu';
  voice: string;
  instructions: string;
  transcriptionModel: string;
  turnDetection: TurnDetection;
  /** Input noise reduction; `undefined` leaves it off. */
  noiseReduction?: 'near_field' | 'far_field' | undefined;
  tools?: RealtimeTool[];
}


/**
 * The `session` of our session.update (docs/protocols.md 2.2): PCM16 24 kHz (or G.711 mu-law) both ways, input transcription
 * on, voice activity detection that both answers (`create_response`) and lets callers interrupt
 * (`interrupt_response`).
 */
export function buildSession(settings: SessionSettings): RealtimeSessionCreateRequest {
  const format = () => (settings.audioFormat === 'audio/pcmu' ? { type: 'audio/pcmu' as const } : { type: 'audio/pcm' as const, rate: 24000 as const });
  const turnDetection =
    settings.turnDetection.type === 'server_vad'
      ? {
          type: 'server_vad' as const,
          threshold: settings.turnDetection.threshold,
          prefix_padding_ms: settings.turnDetection.prefixPaddingMs,
          silence_duration_ms: settings.turnDetection.silenceDurationMs,
          create_response: true,
          interrupt_response: true,
        }
      : {
          type: 'semantic_vad' as const,
          eagerness: settings.turnDetection.eagerness,
          create_response: true,
          interrupt_response: true,
        };
  return {
    type: 'realtime',
    model: settings.model,
    output_modalities: ['audio'],
    instructions: settings.instructions,
    audio: {
      input: {
        format: format(),
        transcription: { model: settings.transcriptionModel },
        turn_detection: turnDetection,
        ...(settings.noiseReduction ? { noise_reduction: { type: settings.noiseReduction } } : {}),
      },
      output: { format: format(), voice: settings.voice },
    },
    tools: (settings.tools ?? []).map((tool) => ({ type: 'function' as const, ...tool })),
    tool_choice: 'auto',
  };
}
