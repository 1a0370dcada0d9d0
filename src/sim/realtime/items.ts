/* The simulated conversation's items and session object, and how they look on the wire. */

export interface SimContentPart {
  type: string;
  text?: string;
  transcript?: string | null;
}

/** An item of the simulated conversation (what the model's context holds). */
export interface SimItem {
  id: string;
  type: string;
  role?: 'user' | 'assistant' | 'system';
  status: string;
  content: SimContentPart[];
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: string;
  /** Audio carried by the item, in ms (user input or generated speech). */
  audioMs: number;
  /** Set once a client truncated it: generation may go on, but the item keeps no more. */
  truncated?: boolean;
}

export interface ReceivedEvent {
  atMs: number;
  event: Record<string, unknown> & { type: string };
}

export function wireItem(item: SimItem): Record<string, unknown> {
  const { audioMs: _audioMs, truncated: _truncated, ...wire } = item;
  return { object: 'realtime.item', ...wire, content: item.content.map((part) => ({ ...part })) };
}

export function itemPlainText(item: SimItem): string {
  if (item.type === 'function_call') return `${item.name ?? ''}${item.arguments ?? ''}`;
  if (item.type === 'function_call_output') return item.output ?? '';
  return item.content.map((part) => part.text ?? part.transcript ?? '').join(' ');
}

export function defaultSession(id: string, model: string): Record<string, unknown> {
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

export function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    const current = merged[key];
    merged[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return merged;
}
