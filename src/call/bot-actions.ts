import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { InCallSummary, Summarizer } from '../conversation/summarizer.js';
import type { Transcript } from '../conversation/transcript.js';
import type { Logger } from '../log.js';
import { createItem, createResponse, functionCallOutput, userTextMessage, type RealtimeClientEvent } from '../realtime/client-events.js';
import { CallTools, type CallAction, type FunctionCall, type ToolCallRecord } from '../tools/call-tools.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { Handoff } from './call-types.js';
import { handoffBrief } from './handoff-brief.js';
import { KeypadBursts } from './keypad.js';
import { ResponseGate } from './response-gate.js';

export const HANDOFF_END_REASON = 'transferred to a human';
export const BOT_ENDED_REASON_PREFIX = 'the bot ended the call';
/** An announced end or transfer happens even if its announcement never finishes playing. */
const ACTION_TIMEOUT_MS = 20_000;

export type BotActionsEvents = {
  toolCall: [ToolCallRecord];
  handoff: [Handoff];
  /** The bot ended or transferred the call: end it with this reason. */
  finished: [reason: string];
};

export interface BotActionsOptions {
  callSid: string;
  parties: { from: string | undefined; to: string | undefined };
  tools: ToolRegistry;
  handoffEnabled: boolean;
  transcript: Transcript;
  summarizer: Summarizer;
  redact: (text: string) => string;
  /** Sends an event to the current model session (dropped when there is none). */
  send: (event: RealtimeClientEvent) => boolean;
  /** Whether bot audio is still queued at the phone. */
  isPlaying: () => boolean;
  language: () => string | undefined;
  summaryLanguage: () => string | undefined;
  inCallSummary: () => InCallSummary | undefined;
  logger: Logger;
  now: () => number;
  /** An unexpected error in a timer or a tool's completion, outside any socket handler. */
  onFault: (where: string, error: unknown) => void;
}

/**
 * What the bot does besides talking: the tools it calls, the keys the caller presses, and ending or
 * transferring the call once the caller has heard it say so. Owns the call's tool runs, its keypad
 * timer and its response sequencing; the session feeds it the model's response events.
 */
export class BotActions extends EventEmitter<BotActionsEvents> {
  readonly #options: BotActionsOptions;
  readonly #responses: ResponseGate;
  readonly #tools: CallTools;
  readonly #keypad: KeypadBursts;
  #keyEntries = 0;
  #handoff: Promise<Handoff> | undefined;
  #closed = false;

  constructor(options: BotActionsOptions) {
    super();
    this.#options = options;
    this.#responses = new ResponseGate(() => options.send(createResponse()));
    this.#keypad = new KeypadBursts((digits) => this.#safely('key presses', () => this.#onKeys(digits)));
    this.#tools = new CallTools({
      registry: options.tools,
      handoffEnabled: options.handoffEnabled,
      context: () => ({ callSid: options.callSid, ...options.parties, language: options.language() }),
      sendOutput: (callId, output) => options.send(createItem(functionCallOutput(callId, output))),
      requestResponse: () => this.#responses.request(),
      isPlaying: options.isPlaying,
      logger: options.logger,
      now: options.now,
      actionTimeoutMs: ACTION_TIMEOUT_MS,
    });
    this.#tools.on('toolCall', (record) =>
      this.#safely('tool call', () => {
        const { name, arguments: args, output, outcome, durationMs } = record;
        options.transcript.toolCalled(record.itemId, { name, arguments: args, output, outcome, durationMs });
        this.emit('toolCall', record);
      }),
    );
    this.#tools.on('actionRequested', (action) => {
      options.logger.info({ action: action.kind, reason: action.reason }, 'the bot is ending the call');
      if (action.kind === 'transfer') this.#handoff = this.#briefHandoff(action.reason);
    });
    this.#tools.on('actionCancelled', () => options.logger.info('the caller talked over the goodbye: the call goes on'));
    this.#tools.on('action', (action) => void this.#act(action).catch((error: unknown) => options.onFault('bot ending the call', error)));
  }

  /** A tool is running or a response is on its way: the model session holds work not yet in the call's context. */
  get isBusy(): boolean {
    return this.#tools.isBusy || this.#responses.isBusy;
  }

  pressKey(digit: string): void {
    this.#keypad.press(digit);
  }

  onFunctionCall(call: FunctionCall): void {
    this.#tools.onFunctionCall(call);
  }

  onResponseCreated(responseId: string): void {
    this.#responses.onCreated(responseId);
    this.#tools.onResponseCreated(responseId);
  }

  onResponseDone(responseId: string): void {
    this.#responses.onDone(responseId);
    this.#tools.onResponseDone(responseId);
  }

  onPlaybackIdle(): void {
    this.#tools.onPlaybackIdle();
  }

  onBargeIn(): void {
    this.#tools.onBargeIn();
  }

  /** The model session was lost: its responses will never finish. */
  onSessionLost(): void {
    this.#responses.reset();
    this.#tools.onSessionLost();
  }

  close(): void {
    this.#closed = true;
    this.#tools.close();
    this.#keypad.close();
  }

  /** Tool completions and the keypad timer run outside any socket handler: their faults go to the call. */
  #safely(where: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#options.onFault(where, error);
    }
  }

  async #act(action: CallAction): Promise<void> {
    if (action.kind === 'end-call') {
      this.emit('finished', `${BOT_ENDED_REASON_PREFIX}: ${action.reason}`);
      return;
    }
    const handoff = await (this.#handoff ?? this.#briefHandoff(action.reason));
    if (this.#closed) return;
    this.emit('handoff', handoff);
    this.emit('finished', HANDOFF_END_REASON);
  }

  /** What the person taking the transfer hears first; started when the bot asks to transfer. */
  #briefHandoff(reason: string): Promise<Handoff> {
    const { transcript, summarizer, logger } = this.#options;
    return handoffBrief({
      reason,
      inCallSummary: this.#options.inCallSummary(),
      turns: transcript.turns().map((turn) => ({ ...turn, text: this.#options.redact(turn.text), heardText: this.#options.redact(turn.heardText) })),
      summarizer,
      language: this.#options.summaryLanguage(),
      logger,
    });
  }

  #onKeys(digits: string): void {
    // Our own id, not `cb_`-prefixed: the keys are the caller's turn, not a synthetic item.
    const itemId = `dtmf_${++this.#keyEntries}_${randomBytes(4).toString('hex')}`;
    this.#options.logger.info({ digitCount: digits.length }, 'caller keyed in digits');
    this.#options.transcript.callerPressed(itemId, digits);
    const text = `The caller pressed these keys on their phone keypad: ${digits.split('').join(' ')}`;
    this.#options.send(createItem(userTextMessage(itemId, text)));
    this.#responses.request();
  }
}
