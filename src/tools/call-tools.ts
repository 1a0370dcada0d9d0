import { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';
import { END_CALL_OUTPUT, END_CALL_TOOL, TRANSFER_OUTPUT, TRANSFER_TOOL, reasonOf } from './builtin.js';
import type { ToolRegistry } from './registry.js';
import type { ToolContext } from './tool.js';
import { runTool, type ToolOutcome } from './tool-runner.js';

export interface FunctionCall {
  responseId: string;
  /** The function_call item: where the call sits in the conversation. */
  itemId: string;
  callId: string;
  name: string;
  arguments: string;
}

/** A tool call answered: what the transcript, the log and the metrics record. */
export interface ToolCallRecord {
  itemId: string;
  callId: string;
  name: string;
  /** Parsed arguments, or the raw text the model sent when they did not parse. */
  arguments: Record<string, unknown> | string;
  output: string;
  outcome: ToolOutcome;
  durationMs: number;
}

/** What the bot decided to do with the call itself; done once the caller has heard the bot say so. */
export type CallAction = { kind: 'end-call'; reason: string } | { kind: 'transfer'; reason: string };

export type CallToolsEvents = {
  toolCall: [ToolCallRecord];
  /** The bot asked to end or transfer the call; the announcement is about to be generated. */
  actionRequested: [CallAction];
  /** The announcement has played (or its time ran out): end or transfer the call now. */
  action: [CallAction];
  /** The caller talked over the goodbye: the call goes on. */
  actionCancelled: [CallAction];
};

export interface CallToolsOptions {
  /** The business's tools (TOOLS_FILE and code tools). */
  registry: ToolRegistry;
  handoffEnabled: boolean;
  context: () => Omit<ToolContext, 'signal'>;
  /** Sends a function_call_output item to the model. */
  sendOutput: (callId: string, output: string) => void;
  /** The model should answer: called once per response, after its last tool output. */
  requestResponse: () => void;
  /** Whether bot audio is still queued at the phone. */
  isPlaying: () => boolean;
  logger: Logger;
  now: () => number;
  /** An announced end or transfer happens after this long even if its audio never finishes playing. */
  actionTimeoutMs: number;
}

interface Batch {
  pending: number;
  responseDone: boolean;
  action: CallAction | undefined;
}

type ActionState =
  | { phase: 'announcing'; action: CallAction; responseId: string | undefined; timer: NodeJS.Timeout }
  | { phase: 'announced'; action: CallAction; timer: NodeJS.Timeout }
  | { phase: 'done' };

/*
 * Hand-written because it is call policy: function calls run the moment their arguments are
 * complete, their outputs go back as they arrive, and the model is asked to answer once per
 * response, after its last output. Ending or transferring the call waits until the caller has heard
 * the bot say so. Owns the in-flight tool runs and the action timer.
 */
export class CallTools extends EventEmitter<CallToolsEvents> {
  readonly #options: CallToolsOptions;
  readonly #batches = new Map<string, Batch>();
  readonly #abort = new AbortController();
  #action: ActionState | undefined;

  constructor(options: CallToolsOptions) {
    super();
    this.#options = options;
  }

  onFunctionCall(call: FunctionCall): void {
    const batch = this.#batch(call.responseId);
    batch.pending++;
    const builtIn = this.#builtIn(call, batch);
    if (builtIn !== undefined) {
      this.#answer(call, batch, { output: builtIn, outcome: 'ok', args: parseOrRaw(call.arguments), durationMs: 0 });
      return;
    }
    const startedAtMs = this.#options.now();
    void runTool(
      this.#options.registry,
      { name: call.name, argumentsJson: call.arguments },
      { ...this.#options.context(), signal: this.#abort.signal },
      this.#options.now,
    ).then((run) => {
      if (this.#abort.signal.aborted) return;
      this.#answer(call, batch, {
        output: run.output,
        outcome: run.outcome,
        args: run.args ?? call.arguments,
        durationMs: this.#options.now() - startedAtMs,
        ...(run.error !== undefined ? { error: run.error } : {}),
      });
    });
  }

  onResponseCreated(responseId: string): void {
    if (this.#action?.phase === 'announcing' && this.#action.responseId === undefined) this.#action.responseId = responseId;
  }

  onResponseDone(responseId: string): void {
    const batch = this.#batches.get(responseId);
    if (batch) {
      batch.responseDone = true;
      this.#finishBatch(responseId, batch);
    }
    const action = this.#action;
    if (action?.phase === 'announcing' && action.responseId === responseId) {
      this.#action = { phase: 'announced', action: action.action, timer: action.timer };
      if (!this.#options.isPlaying()) this.#act();
    }
  }

  /** Everything sent to the phone has played. */
  onPlaybackIdle(): void {
    if (this.#action?.phase === 'announced') this.#act();
  }

  /** The caller talked over the bot: never hang up on someone who is still talking. */
  onBargeIn(): void {
    const state = this.#action;
    if (!state || state.phase === 'done' || state.action.kind !== 'end-call') return;
    clearTimeout(state.timer);
    this.#action = undefined;
    this.emit('actionCancelled', state.action);
  }

  /** Function calls whose outputs have not all gone back to the model yet. */
  get isBusy(): boolean {
    return this.#batches.size > 0;
  }

  /** The model session was lost: outputs for its responses can no longer be delivered. */
  onSessionLost(): void {
    this.#batches.clear();
  }

  close(): void {
    this.#abort.abort();
    this.#batches.clear();
    if (this.#action && this.#action.phase !== 'done') clearTimeout(this.#action.timer);
    this.#action = { phase: 'done' };
  }

  #batch(responseId: string): Batch {
    let batch = this.#batches.get(responseId);
    if (!batch) {
      batch = { pending: 0, responseDone: false, action: undefined };
      this.#batches.set(responseId, batch);
    }
    return batch;
  }

  /** The output of a built-in, or undefined when the call is for a business tool. */
  #builtIn(call: FunctionCall, batch: Batch): string | undefined {
    if (this.#action !== undefined || batch.action !== undefined) {
      if (call.name === END_CALL_TOOL || call.name === TRANSFER_TOOL) return JSON.stringify({ error: 'the call is already ending' });
      return undefined;
    }
    if (call.name === END_CALL_TOOL) {
      batch.action = { kind: 'end-call', reason: reasonOf(call.arguments, 'conversation over') };
      this.emit('actionRequested', batch.action);
      return END_CALL_OUTPUT;
    }
    if (call.name === TRANSFER_TOOL && this.#options.handoffEnabled) {
      batch.action = { kind: 'transfer', reason: reasonOf(call.arguments, 'not given') };
      this.emit('actionRequested', batch.action);
      return TRANSFER_OUTPUT;
    }
    return undefined;
  }

  #answer(
    call: FunctionCall,
    batch: Batch,
    run: { output: string; outcome: ToolOutcome; args: Record<string, unknown> | string; durationMs: number; error?: string },
  ): void {
    this.#options.sendOutput(call.callId, run.output);
    const record: ToolCallRecord = {
      itemId: call.itemId,
      callId: call.callId,
      name: call.name,
      arguments: run.args,
      output: run.output,
      outcome: run.outcome,
      durationMs: run.durationMs,
    };
    const fields = { tool: call.name, callId: call.callId, ms: Math.round(run.durationMs), outcome: run.outcome };
    this.#options.logger.info({ ...fields, ...(run.error !== undefined ? { error: run.error } : {}) }, 'tool call');
    this.#options.logger.debug({ ...fields, arguments: record.arguments }, 'tool call arguments');
    this.emit('toolCall', record);
    batch.pending--;
    this.#finishBatch(call.responseId, batch);
  }

  #finishBatch(responseId: string, batch: Batch): void {
    if (!batch.responseDone || batch.pending > 0) return;
    this.#batches.delete(responseId);
    if (batch.action) {
      const timer = setTimeout(() => this.#act(), this.#options.actionTimeoutMs);
      this.#action = { phase: 'announcing', action: batch.action, responseId: undefined, timer };
    }
    this.#options.requestResponse();
  }

  #act(): void {
    const state = this.#action;
    if (!state || state.phase === 'done') return;
    clearTimeout(state.timer);
    this.#action = { phase: 'done' };
    this.emit('action', state.action);
  }
}

function parseOrRaw(argumentsJson: string): Record<string, unknown> | string {
  try {
    const parsed: unknown = JSON.parse(argumentsJson);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : argumentsJson;
  } catch {
    return argumentsJson;
  }
}
