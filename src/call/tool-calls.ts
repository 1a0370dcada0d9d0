import { createItem, createResponse, functionCallOutput, type RealtimeClientEvent } from '../realtime/client-events.js';

export const TRANSFER_TOOL = 'transfer_to_human';

/** The tool the model is offered when hand-offs are on (session.update `tools`). */
export const TRANSFER_TOOL_DEFINITION = {
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

export interface FunctionCall {
  responseId: string;
  callId: string;
  name: string;
  arguments: string;
}

/** Where a hand-off stands: asked for by the model, being announced to the caller, announced. */
type HandoffPhase = 'requested' | 'announcing' | 'announced';

/*
 * Hand-written because it is call policy, not protocol: which tools we answer and how, and when a
 * hand-off may actually happen (only after the bot has told the caller). Socket-free: it returns the
 * events to send.
 */
export class ToolCalls {
  readonly #handoffEnabled: boolean;
  /** Outputs wait for their response to finish: the service runs one response at a time. */
  readonly #outputs = new Map<string, RealtimeClientEvent[]>();
  #handoff: { phase: HandoffPhase; reason: string } | undefined;

  constructor(options: { handoffEnabled: boolean }) {
    this.#handoffEnabled = options.handoffEnabled;
  }

  /** The reason given for a requested hand-off, once there is one. */
  get handoffReason(): string | undefined {
    return this.#handoff?.reason;
  }

  /** True once the bot has finished announcing the transfer (its audio may still be playing). */
  get handoffAnnounced(): boolean {
    return this.#handoff?.phase === 'announced';
  }

  /** Records the answer to a function call; returns whether it requested a hand-off. */
  onFunctionCall(call: FunctionCall): boolean {
    let output: Record<string, unknown>;
    let handoffRequested = false;
    if (call.name === TRANSFER_TOOL && this.#handoffEnabled && !this.#handoff) {
      this.#handoff = { phase: 'requested', reason: parseReason(call.arguments) };
      handoffRequested = true;
      output = { status: 'transferring', instructions: 'Tell the caller, in one short sentence, that you are connecting them now.' };
    } else {
      output = { error: `no tool named ${call.name}` };
    }
    const outputs = this.#outputs.get(call.responseId) ?? [];
    outputs.push(createItem(functionCallOutput(call.callId, JSON.stringify(output))));
    this.#outputs.set(call.responseId, outputs);
    return handoffRequested;
  }

  /**
   * A response finished. If it called tools, their outputs and a new response (the model's answer to
   * them) are to be sent now. The response after a hand-off request is the announcement.
   */
  onResponseDone(responseId: string): RealtimeClientEvent[] {
    const outputs = this.#outputs.get(responseId);
    if (outputs) {
      this.#outputs.delete(responseId);
      if (this.#handoff?.phase === 'requested') this.#handoff.phase = 'announcing';
      return [...outputs, createResponse()];
    }
    if (this.#handoff?.phase === 'announcing') this.#handoff.phase = 'announced';
    return [];
  }
}

function parseReason(argumentsJson: string): string {
  try {
    const reason = (JSON.parse(argumentsJson) as { reason?: unknown }).reason;
    return typeof reason === 'string' ? reason.slice(0, 200) : 'not given';
  } catch {
    return 'not given';
  }
}
