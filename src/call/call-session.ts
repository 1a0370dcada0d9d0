import { EventEmitter } from 'node:events';
import type { ResamplerEngine } from '../audio/resampler.js';
import { MULAW_SILENCE_BYTE, TELEPHONY_FRAME_MS, mulawBytesToMs, msToMulawBytes, pcm24kBytesToMs } from '../audio/timing.js';
import { CallerToModelTranscoder, ModelToCallerTranscoder } from '../audio/transcoder.js';
import { heardText } from '../conversation/heard-text.js';
import { Conversation } from '../conversation/conversation.js';
import { InCallSummarizer, type AppliedSummary } from '../conversation/in-call-summarizer.js';
import { detectLanguage } from '../conversation/language.js';
import { seedEvents } from '../conversation/seed.js';
import type { SummarizationSettings } from '../conversation/summarization-policy.js';
import type { Summarizer } from '../conversation/summarizer.js';
import { Transcript, type Turn } from '../conversation/transcript.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { cancelResponse, createResponse, truncateItem, type RealtimeClientEvent } from '../realtime/client-events.js';
import type { RealtimeServerEvent, RealtimeUsage, ServerEventOf } from '../realtime/server-events.js';
import type { StreamStart, TwilioMediaStream } from '../telephony/media-stream.js';
import { BargeInController, type BargeInCommand, type InterruptedItem } from './barge-in.js';
import type { ModelLink, ModelLinkOptions, ReadyInfo } from './model-link.js';
import { PlaybackTracker } from './playback-tracker.js';
import { ToolCalls } from './tool-calls.js';

export type CallStatus = 'in-progress' | 'completed' | 'failed' | 'interrupted';

export interface CallEnd {
  status: Exclude<CallStatus, 'in-progress'>;
  reason: string;
  durationMs: number;
}

export interface CallFigures {
  /** Stream start to the first bot audio sent to Twilio. */
  firstAudioMs: number | undefined;
  bargeIns: number;
  reconnects: number;
  /** Longest time without a usable model session. */
  maxReconnectGapMs: number;
  summaries: number;
  /** Summarizing model time of the latest in-call summary. */
  lastSummaryLatencyMs: number | undefined;
  /** Context tokens that triggered the latest summary, and reported by the first response after it. */
  tokensBeforeSummary: number | undefined;
  tokensAfterSummary: number | undefined;
}

export type CallSessionEvents = {
  streamStarted: [StreamStart];
  turn: [Turn];
  turnUpdated: [Turn];
  usage: [RealtimeUsage];
  bargeIn: [{ reactionMs: number; interrupted: InterruptedItem[] }];
  /** The bot is handing the caller to a human; the stream closes next and Twilio dials. */
  handoff: [{ reason: string }];
  summary: [AppliedSummary];
  /** A new Realtime session replaced a lost or rotated one, after `gapMs` without a model. */
  reconnected: [{ gapMs: number }];
  modelEvent: [RealtimeServerEvent];
  ended: [CallEnd];
};

export interface CallSessionOptions {
  callSid: string;
  engine: ResamplerEngine;
  /** Builds the call's link to the model; the session owns and closes it. */
  createModelLink: (hooks: Pick<ModelLinkOptions, 'seed' | 'isQuiet'>) => ModelLink;
  /** Extra instructions for the bot's opening line. */
  greeting: string;
  summarizer: Summarizer;
  /** When to summarize; `keepTurns` is also how many turns are replayed into a replacement session. */
  summarization: SummarizationSettings;
  /** Language of summaries; undefined: the language the caller speaks. */
  summaryLanguage: string | undefined;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
  /** Bot audio generated before Twilio's stream is attached is held up to this much. */
  earlyAudioLimitMs?: number;
  /** Ends the call if Twilio never opens the media stream. */
  streamTimeoutMs?: number;
  /** Spoken to the caller (mu-law 8 kHz) when the model cannot be reached, before hanging up. */
  apologyAudio?: Uint8Array;
  /** The bot may hand callers to a human (the `transfer_to_human` tool is offered to the model). */
  handoffEnabled?: boolean;
}

export const HANDOFF_END_REASON = 'transferred to a human';
/** The transfer happens even if the bot's announcement never finishes playing. */
const HANDOFF_TIMEOUT_MS = 20_000;

const APOLOGY_ITEM_ID = 'cb_apology';

/** Gaps in Twilio's timestamps are filled with silence so the model's clock keeps pace, up to this much. */
const MAX_GAP_FILL_MS = 1000;

/**
 * One phone call: the only place the Twilio side and the model side meet. Owns the model link,
 * both transcoders, the playback bookkeeping and its timers; `end()` releases all of them.
 */
export class CallSession extends EventEmitter<CallSessionEvents> {
  readonly callSid: string;
  readonly conversation = new Conversation();
  readonly transcript = new Transcript();
  readonly #options: CallSessionOptions;
  readonly #logger: Logger;
  readonly #link: ModelLink;
  readonly #toModel: CallerToModelTranscoder;
  readonly #toCaller: ModelToCallerTranscoder;
  readonly #tracker = new PlaybackTracker();
  #bargeIn = new BargeInController(this.#tracker);
  #stream: TwilioMediaStream | undefined;
  #streamTimer: NodeJS.Timeout | undefined;
  #hangupTimer: NodeJS.Timeout | undefined;
  #earlyAudio: { itemId: string; pcm: Buffer }[] = [];
  #earlyAudioMs = 0;
  #greeted = false;
  #callerSpeaking = false;
  readonly #tools: ToolCalls;
  #handoffTimer: NodeJS.Timeout | undefined;
  #sessionSeeds = 0;
  #nextMediaTimestampMs: number | undefined;
  #streamStartedAtMs: number | undefined;
  readonly #createdAtMs: number;
  #ended: CallEnd | undefined;
  readonly #responseItems = new Map<string, string[]>();
  readonly #heardAtInterruption = new Map<string, number>();
  readonly #figures: CallFigures = {
    firstAudioMs: undefined,
    bargeIns: 0,
    reconnects: 0,
    maxReconnectGapMs: 0,
    summaries: 0,
    lastSummaryLatencyMs: undefined,
    tokensBeforeSummary: undefined,
    tokensAfterSummary: undefined,
  };
  readonly #inCallSummarizer: InCallSummarizer;
  #awaitingTokensAfterSummary = false;

  constructor(options: CallSessionOptions) {
    super();
    this.callSid = options.callSid;
    this.#options = options;
    this.#logger = options.logger;
    this.#createdAtMs = options.now();
    this.#toModel = new CallerToModelTranscoder(options.engine);
    this.#toCaller = new ModelToCallerTranscoder(options.engine);
    this.#tools = new ToolCalls({ handoffEnabled: options.handoffEnabled ?? false });
    this.transcript.on('turn', (turn) => this.emit('turn', turn));
    this.transcript.on('turnUpdated', (turn) => this.emit('turnUpdated', turn));
    this.#link = options.createModelLink({
      seed: () => this.#seedNextSession(),
      isQuiet: () => !this.#callerSpeaking && !this.#bargeIn.botIsSpeaking,
    });
    this.#link.on('ready', (info) => this.#onModelReady(info));
    this.#link.on('event', (event) => this.#onModelEvent(event));
    this.#link.on('rejected', () => options.metrics.rejectedFrames.inc({ source: 'realtime', kind: 'malformed' }));
    this.#link.on('lost', () => this.#onModelLost());
    this.#link.on('failed', () => this.#onModelFailed());
    this.#link.on('droppedAudio', (ms) => options.metrics.droppedAudioMs.inc({ reason: 'model_unavailable' }, ms));
    this.#inCallSummarizer = new InCallSummarizer({
      summarizer: options.summarizer,
      settings: options.summarization,
      language: () => options.summaryLanguage ?? this.language?.name,
      send: (event) => this.#link.send(event),
      logger: options.logger,
      now: options.now,
      onApplied: (applied) => {
        this.#figures.summaries++;
        this.#figures.lastSummaryLatencyMs = applied.latencyMs;
        this.#figures.tokensBeforeSummary = applied.tokensBefore;
        this.#awaitingTokensAfterSummary = true;
        this.emit('summary', applied);
      },
    });
    this.#streamTimer = setTimeout(
      () => this.end('failed', 'media stream never connected'),
      options.streamTimeoutMs ?? 30_000,
    );
  }

  get figures(): Readonly<CallFigures> {
    return this.#figures;
  }

  /** The language the caller speaks, once there is enough of what they said to tell. */
  get language(): ReturnType<typeof detectLanguage> {
    return detectLanguage(
      this.transcript
        .turns()
        .filter((turn) => turn.role === 'user')
        .map((turn) => turn.text),
    );
  }

  get streamSid(): string | undefined {
    return this.#stream?.streamSid;
  }

  get isEnded(): boolean {
    return this.#ended !== undefined;
  }

  /** Twilio's media stream for this call has started: audio can flow both ways. */
  attachStream(stream: TwilioMediaStream, start: StreamStart): void {
    if (this.#ended) {
      stream.close();
      return;
    }
    if (this.#stream) {
      this.#logger.warn('second media stream for one call refused');
      stream.close(1008, 'duplicate stream');
      return;
    }
    clearTimeout(this.#streamTimer);
    this.#stream = stream;
    this.#streamStartedAtMs = this.#options.now();
    stream.on('media', (audio, timestampMs) => this.#onCallerAudio(audio, timestampMs));
    stream.on('mark', (name) => this.#onMark(name));
    stream.on('dtmf', (digit) => this.#logger.info({ digitLength: digit.length }, 'dtmf received'));
    stream.on('stop', () => this.end('completed', 'caller hung up'));
    stream.on('closed', () => this.end('completed', 'media stream closed'));
    this.emit('streamStarted', start);
    const early = this.#earlyAudio;
    this.#earlyAudio = [];
    this.#earlyAudioMs = 0;
    for (const chunk of early) this.#playToCaller(chunk.itemId, chunk.pcm);
  }

  /** Ends the call and releases everything it holds. Idempotent. */
  end(status: CallEnd['status'], reason: string): void {
    if (this.#ended) return;
    this.#ended = { status, reason, durationMs: this.#options.now() - this.#createdAtMs };
    clearTimeout(this.#streamTimer);
    clearTimeout(this.#hangupTimer);
    clearTimeout(this.#handoffTimer);
    this.#inCallSummarizer.close();
    this.#link.close();
    this.#toModel.close();
    this.#toCaller.close();
    this.#stream?.close();
    this.#logger.info({ status, reason, durationMs: this.#ended.durationMs }, 'call ended');
    this.emit('ended', this.#ended);
  }

  #onCallerAudio(audio: Buffer, timestampMs: number): void {
    const startedAt = performance.now();
    const expectedMs = this.#nextMediaTimestampMs;
    if (expectedMs !== undefined && timestampMs - expectedMs >= TELEPHONY_FRAME_MS) {
      const gapMs = Math.min(timestampMs - expectedMs, MAX_GAP_FILL_MS);
      this.#sendToModel(Buffer.alloc(msToMulawBytes(gapMs), MULAW_SILENCE_BYTE));
    }
    this.#nextMediaTimestampMs = timestampMs + mulawBytesToMs(audio.length);
    this.#sendToModel(audio);
    this.#options.metrics.bridgeLatencySeconds.observe(
      { direction: 'caller_to_model' },
      (performance.now() - startedAt) / 1000,
    );
  }

  #sendToModel(mulaw: Uint8Array): void {
    const pcm = this.#toModel.transcode(mulaw);
    this.#link.appendAudio(pcm.toString('base64'), pcm24kBytesToMs(pcm.length));
  }

  #onMark(name: string): void {
    const echo = this.#tracker.onMark(name, this.#options.now());
    if (echo.kind === 'unknown') {
      this.#logger.debug({ mark: name }, 'unknown mark echoed');
      return;
    }
    if (echo.kind !== 'played') return;
    if (echo.itemId === APOLOGY_ITEM_ID) this.end('failed', 'model unavailable');
    else if (echo.idle) {
      this.#forgetSettledResponses();
      if (this.#tools.handoffAnnounced) this.#completeHandoff();
    }
  }

  #onModelReady(info: ReadyInfo): void {
    if (info.reconnected) {
      this.#figures.reconnects++;
      this.#figures.maxReconnectGapMs = Math.max(this.#figures.maxReconnectGapMs, info.gapMs);
      this.#options.metrics.realtimeReconnects.inc();
      this.#logger.info({ gapMs: Math.round(info.gapMs) }, 'realtime session re-established');
      this.emit('reconnected', { gapMs: info.gapMs });
      return;
    }
    if (!this.#greeted) {
      this.#greeted = true;
      this.#link.send(createResponse(this.#options.greeting));
    }
  }

  #onModelLost(): void {
    this.#callerSpeaking = false;
    // Responses of the lost session will never finish; a fresh controller keeps none of them. The
    // tracker stays: audio already at Twilio keeps playing, and can still be cleared on a barge-in.
    this.#bargeIn = new BargeInController(this.#tracker);
    this.#responseItems.clear();
    this.#inCallSummarizer.onSessionLost();
  }

  #onModelFailed(): void {
    this.#logger.error('model unavailable: apologising and ending the call');
    const apology = this.#options.apologyAudio;
    if (!this.#stream || !apology) {
      this.end('failed', 'model unavailable');
      return;
    }
    const nowMs = this.#options.now();
    if (this.#tracker.hasPendingAudio) {
      this.#stream.clear();
      this.#tracker.clear(nowMs);
    }
    const playMs = mulawBytesToMs(apology.length);
    this.#stream.sendMedia(Buffer.from(apology).toString('base64'));
    this.#stream.sendMark(this.#tracker.recordSent(APOLOGY_ITEM_ID, playMs, nowMs));
    // Hang up when Twilio says the apology played; the timer covers a mark that never comes back.
    this.#hangupTimer = setTimeout(() => this.end('failed', 'model unavailable'), playMs + 2000);
  }

  #onModelEvent(event: RealtimeServerEvent): void {
    if (this.#ended) return;
    this.emit('modelEvent', event);
    for (const fact of this.conversation.apply(event)) {
      if (fact.kind === 'item-added' && !fact.synthetic) this.transcript.noteItem(fact.itemId);
      if (fact.kind === 'item-added') this.#inCallSummarizer.onItemAdded(fact.itemId);
      if (fact.kind === 'user-transcript') this.transcript.userSaid(fact.itemId, fact.text);
      if (fact.kind === 'assistant-transcript') this.transcript.assistantGenerated(fact.itemId, fact.text);
    }
    switch (event.type) {
      case 'input_audio_buffer.speech_started':
        this.#callerSpeaking = true;
        this.#onSpeechStarted();
        return;
      case 'input_audio_buffer.speech_stopped':
        this.#callerSpeaking = false;
        return;
      case 'response.created':
        this.#bargeIn.onResponseCreated(event.response.id);
        this.#responseItems.set(event.response.id, []);
        return;
      case 'response.output_item.added':
        if (event.item.type === 'message') this.#responseItems.get(event.response_id)?.push(event.item.id);
        return;
      case 'response.output_audio.delta':
        this.#onAudioDelta(event);
        return;
      case 'response.output_audio.done':
        this.#bargeIn.onAudioDone(event.item_id);
        return;
      case 'response.done':
        this.#onResponseDone(event);
        return;
      case 'response.function_call_arguments.done':
        if (this.#tools.onFunctionCall({ responseId: event.response_id, callId: event.call_id, name: event.name, arguments: event.arguments })) {
          this.#logger.info('caller is being handed off to a human');
          this.#handoffTimer = setTimeout(() => this.#completeHandoff(), HANDOFF_TIMEOUT_MS);
        }
        return;
      case 'error':
        this.#onModelError(event);
        return;
      default:
        return;
    }
  }

  #onAudioDelta(event: ServerEventOf<'response.output_audio.delta'>): void {
    const pcm = Buffer.from(event.delta, 'base64');
    const durationMs = pcm24kBytesToMs(pcm.length);
    if (this.#bargeIn.onAudioDelta(event.response_id, event.item_id, durationMs) === 'drop') {
      this.#options.metrics.droppedAudioMs.inc({ reason: 'interrupted' }, durationMs);
      return;
    }
    if (!this.#stream) {
      this.#holdEarlyAudio(event.item_id, pcm, durationMs);
      return;
    }
    this.#playToCaller(event.item_id, pcm);
  }

  #holdEarlyAudio(itemId: string, pcm: Buffer, durationMs: number): void {
    if (this.#earlyAudioMs + durationMs > (this.#options.earlyAudioLimitMs ?? 30_000)) {
      this.#options.metrics.droppedAudioMs.inc({ reason: 'no_stream' }, durationMs);
      return;
    }
    this.#earlyAudio.push({ itemId, pcm });
    this.#earlyAudioMs += durationMs;
  }

  /** Each delta goes to the caller at once, followed by its own mark (never waiting for response.done). */
  #playToCaller(itemId: string, pcm: Buffer): void {
    const stream = this.#stream;
    if (!stream) return;
    const startedAt = performance.now();
    const mulaw = this.#toCaller.transcode(pcm);
    const nowMs = this.#options.now();
    stream.sendMedia(Buffer.from(mulaw.buffer, mulaw.byteOffset, mulaw.byteLength).toString('base64'));
    stream.sendMark(this.#tracker.recordSent(itemId, pcm24kBytesToMs(pcm.length), nowMs));
    if (this.#figures.firstAudioMs === undefined && this.#streamStartedAtMs !== undefined) {
      this.#figures.firstAudioMs = nowMs - this.#streamStartedAtMs;
      this.#options.metrics.firstAudioSeconds.observe(this.#figures.firstAudioMs / 1000);
    }
    this.#options.metrics.bridgeLatencySeconds.observe(
      { direction: 'model_to_caller' },
      (performance.now() - startedAt) / 1000,
    );
  }

  #onSpeechStarted(): void {
    const receivedAt = this.#options.now();
    const { commands, interrupted } = this.#bargeIn.onSpeechStarted(receivedAt);
    if (commands.length === 0) return;
    const clearedAt = this.#apply(commands);
    this.#toCaller.reset();
    this.#earlyAudio = [];
    this.#earlyAudioMs = 0;
    const reactionMs = (clearedAt ?? this.#options.now()) - receivedAt;
    this.#figures.bargeIns++;
    this.#options.metrics.bargeIns.inc();
    this.#logger.info({ interrupted: interrupted.length, reactionMs }, 'caller barged in');
    for (const item of interrupted) this.#recordInterruption(item);
    this.emit('bargeIn', { reactionMs, interrupted });
  }

  /** Executes barge-in commands in order; returns when the Twilio clear left, if there was one. */
  #apply(commands: BargeInCommand[]): number | undefined {
    let clearedAt: number | undefined;
    for (const command of commands) {
      if (command.kind === 'clear') {
        this.#stream?.clear();
        clearedAt = this.#options.now();
      } else if (command.kind === 'truncate') {
        this.#sendToModelSession(truncateItem(command.itemId, command.audioEndMs));
      } else {
        this.#sendToModelSession(cancelResponse(command.responseId));
      }
    }
    return clearedAt;
  }

  #recordInterruption(item: InterruptedItem): void {
    this.#heardAtInterruption.set(item.itemId, item.heardMs);
    // A response that already finished generating gets no second response.done: settle it now.
    if (this.#bargeIn.isResponseDone(item.responseId)) this.#settleInterruption(item.itemId);
  }

  #settleInterruption(itemId: string): void {
    const heardMs = this.#heardAtInterruption.get(itemId);
    if (heardMs === undefined) return;
    this.#heardAtInterruption.delete(itemId);
    const totalMs = this.#bargeIn.receivedMs(itemId);
    this.transcript.assistantInterrupted(itemId, heardMs, totalMs);
    const item = this.conversation.get(itemId);
    if (item?.text !== undefined) this.conversation.setText(itemId, heardText(item.text, heardMs, totalMs));
  }

  #onResponseDone(event: ServerEventOf<'response.done'>): void {
    const responseId = event.response.id;
    for (const toolEvent of this.#tools.onResponseDone(responseId)) this.#sendToModelSession(toolEvent);
    if (this.#tools.handoffAnnounced && !this.#tracker.hasPendingAudio) this.#completeHandoff();
    const late = this.#bargeIn.onResponseDone(responseId);
    this.#apply(late.commands);
    for (const item of late.interrupted) this.#heardAtInterruption.set(item.itemId, item.heardMs);
    const itemIds = this.#responseItems.get(responseId) ?? [];
    for (const itemId of itemIds) {
      this.#settleInterruption(itemId);
      this.transcript.assistantDone(itemId);
    }
    if (event.response.usage) {
      this.emit('usage', event.response.usage);
      if (this.#awaitingTokensAfterSummary) {
        this.#figures.tokensAfterSummary = event.response.usage.total_tokens;
        this.#awaitingTokensAfterSummary = false;
      }
    }
    if (!this.#tracker.hasPendingAudio) this.#forgetSettledResponses();
    this.#inCallSummarizer.considerAfterResponse(this.conversation);
  }

  #completeHandoff(): void {
    const reason = this.#tools.handoffReason;
    if (reason === undefined || this.#ended) return;
    clearTimeout(this.#handoffTimer);
    this.emit('handoff', { reason });
    this.end('completed', HANDOFF_END_REASON);
  }

  #onModelError(event: ServerEventOf<'error'>): void {
    const code = event.error.code ?? event.error.type;
    this.#options.metrics.realtimeErrors.inc({ code });
    // Server VAD may have cancelled the response before our cancel arrived: a normal race.
    if (code === 'response_cancel_not_active') {
      this.#logger.debug({ code }, 'response already finished when cancelled');
      return;
    }
    this.#logger.warn({ code, message: event.error.message, param: event.error.param }, 'realtime error event');
  }

  #sendToModelSession(event: RealtimeClientEvent): void {
    if (!this.#link.send(event)) this.#logger.debug({ type: event.type }, 'no model session: event dropped');
  }

  /** The new session starts from the summary and recent turns; its own items then rebuild the mirror. */
  #seedNextSession(): RealtimeClientEvent[] {
    const events = seedEvents(
      this.conversation.items,
      this.#inCallSummarizer.currentText,
      this.#options.summarization.keepTurns,
      `r${++this.#sessionSeeds}`,
    );
    this.conversation.reset();
    return events;
  }

  #forgetSettledResponses(): void {
    for (const responseId of this.#responseItems.keys()) {
      if (this.#bargeIn.forgetResponse(responseId)) this.#responseItems.delete(responseId);
    }
  }
}
