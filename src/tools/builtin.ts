import type { ToolDefinition } from './tool.js';

export const END_CALL_TOOL = 'end_call';
export const TRANSFER_TOOL = 'transfer_to_human';

/** Always offered: the bot hangs up once the conversation is over, after saying goodbye. */
export const END_CALL_DEFINITION: ToolDefinition = {
  name: END_CALL_TOOL,
  description:
    'End the phone call. Use it only when the conversation is over (the caller said goodbye or has nothing more). ' +
    'After calling it, say a short goodbye; the line closes once the caller has heard it.',
  parameters: {
    type: 'object',
    properties: { reason: { type: 'string', description: 'Why the call is ending, in a few words' } },
    additionalProperties: false,
  },
};

/** Offered when hand-offs are on (HANDOFF_NUMBER). */
export const TRANSFER_DEFINITION: ToolDefinition = {
  name: TRANSFER_TOOL,
  description:
    'Transfer the caller to a human colleague. Use it when the caller asks for a person, or when you cannot help. ' +
    'The call continues with the colleague; you will be asked to tell the caller.',
  parameters: {
    type: 'object',
    properties: { reason: { type: 'string', description: 'Why the caller needs a person, in a few words' } },
    required: ['reason'],
    additionalProperties: false,
  },
};

export const END_CALL_OUTPUT = JSON.stringify({ ok: true });
export const TRANSFER_OUTPUT = JSON.stringify({
  status: 'transferring',
  instructions: 'Tell the caller, in one short sentence, that you are connecting them now.',
});

/** The tools of `session.update`: the business's own, then the built-ins. */
export function offeredTools(business: readonly ToolDefinition[], options: { handoffEnabled: boolean }): ToolDefinition[] {
  return [...business, END_CALL_DEFINITION, ...(options.handoffEnabled ? [TRANSFER_DEFINITION] : [])];
}

/** The `reason` argument of a built-in, bounded; the model may leave it out or send junk. */
export function reasonOf(argumentsJson: string, fallback: string): string {
  try {
    const reason = (JSON.parse(argumentsJson) as { reason?: unknown } | null)?.reason;
    return typeof reason === 'string' && reason.trim() ? reason.trim().slice(0, 200) : fallback;
  } catch {
    return fallback;
  }
}
