/* The simulated conversation's items, and how they look on the wire. */

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

export function wireItem(item: SimItem): Record<string, unknown> {
  const { audioMs: _audioMs, truncated: _truncated, ...wire } = item;
  return { object: 'realtime.item', ...wire, content: item.content.map((part) => ({ ...part })) };
}

export function itemPlainText(item: SimItem): string {
  if (item.type === 'function_call') return `${item.name ?? ''}${item.arguments ?? ''}`;
  if (item.type === 'function_call_output') return item.output ?? '';
  return item.content.map((part) => part.text ?? part.transcript ?? '').join(' ');
}
