import { EventEmitter } from 'node:events';
import { createModelCodec, type ModelCodec } from '../audio/model-codec.js';
import type { Conversation } from '../conversation/conversation.js';
import type { detectLanguage } from '../conversation/language.js';
import type { Transcript } from '../conversation/transcript.js';
import type { Logger } from '../log.js';
import { cancelResponse, createResponse, truncateItem, type RealtimeClientEvent } from '../realtime/client-events.js';
import type { RealtimeServerEvent, ServerEventOf } from '../realtime/server-events.js';
import type { StreamStart, TwilioMediaStream } from '../telephony/media-stream.js';
import { BargeInController, type BargeInCommand } from './barge-in.js';
import { BotActions } from './bot-actions.js';
import { BotPlayback } from './bot-playback.js';
import { CallContext } from './call-context.js';
import { CallTally } from './call-tally.js';
import { CallerAudio } from './caller-audio.js';
import { FaultGuard } from './fault-guard.js';
import type { CallEnd, CallFigures, CallSessionEvents, CallSessionOptions } from './call-types.js';
import type { ModelLink, ReadyInfo } from './model-link.js';
import { TurnTimeline } from './turn-timeline.js';

export type { CallEnd, CallFigures, CallSessionEvents, CallSessionOptions, CallStatus, Handoff } from './call-types.js';
export { BOT_ENDED_REASON_PREFIX, HANDOFF_END_REASON } from './bot-actions.js';

const APOLOGY_ITEM_ID = 'cb_apology';
/** How long after the caller stops speaking a session rotation waits for the model's reply to begin. */
const REPLY_AWAITED_MS = 5000;

/**
 * One phone call: the only place the Twilio side and the model side meet. Owns the model link, the
 * caller's and the bot's audio paths, the tools in flight and its timers; `end()` releases all of them.
 */
export class CallSession extends EventEmitter<CallSessionEvents> {
  readonly callSid: string;
  readonly #options: CallSessionOptions;
  readonly #logger: Logger;
  readonly #link: ModelLink;
  readonly #codec: ModelCodec;
  readonly #callerAudio: CallerAudio;
  readonly #playback: BotPlayback;
  readonly #actions: BotActions;
  readonly #context: CallContext;
  readonly #guard = new FaultGuard((where, error) => this.#fault(where, error));
  #bargeIn: BargeInController;
  #stream: TwilioMediaStream | undefined;
  #streamTimer: NodeJS.Timeout | undefined;
  #hangupTimer: NodeJS.Timeout | undefined;
  #greeted = false;
  #modelReady = false;
  #callerSpeaking = false;
  /** When the caller last stopped speaking with no response created since: the model's reply is on its way. */
  #replyAwaitedSinceMs: number | undefined;
  readonly #createdAtMs: number;
  #ended: CallEnd | undefined;
  readonly #tally = new CallTally(this);
  readonly #timeline: TurnTimeline;

  constructor(options: CallSessionOptions) {
    super();
    this.callSid = options.callSid;
    this.#options = options;
    this.#logger = options.logger;
    this.#createdAtMs = options.now();
    this.#context = new CallContext({
      now: options.now,
      summarizer: options.summarizer,
      summarization: options.summarization,
      summaryLanguage: options.summaryLanguage,
      redact: options.redact,
      send: (event) => this.#link.send(event),
      logger: options.logger,
      onSummary: this.#guard.wrap('in-call summary', (applied) => this.emit('summary', applied)),
    });
    this.transcript.on('turn', (turn) => this.emit('turn', turn));
    this.transcript.on('turnUpdated', (turn) => this.emit('turnUpdated', turn));
    this.#link = options.createModelLink({
      seed: () => this.#context.seedNextSession(),
      // Rotating between what the model is answering (the caller's words, a tool's output) and its
      // answer would lose the answer: it would come from the closed session.
      isQuiet: () => !this.#callerSpeaking && !this.#bargeIn.botIsSpeaking && !this.#actions.isBusy && !this.#awaitingReply(),
    });
    this.#link.on('ready', this.#guard.wrap('model ready', (info) => this.#onModelReady(info)));
    this.#link.on('event', this.#guard.wrap('model event', (event) => this.#onModelEvent(event)));
    this.#link.on('rejected', this.#guard.wrap('model rejected', () => this.emit('modelRejected')));
    this.#link.on('lost', this.#guard.wrap('model lost', () => this.#onModelLost()));
    this.#link.on('failed', this.#guard.wrap('model failed', () => this.#onModelFailed()));
    this.#link.on('droppedAudio', this.#guard.wrap('model audio', (ms) => this.emit('droppedAudio', { reason: 'model_unavailable', ms })));
    this.#codec = createModelCodec(options.modelAudioFormat ?? 'audio/pcm', options.engine);
    this.#callerAudio = new CallerAudio({
      codec: this.#codec,
      send: (pcm, ms) => this.#link.appendAudio(pcm, ms),
      latency: options.frameLatency?.callerToModel,
    });
    this.#playback = new BotPlayback({
      codec: this.#codec,
      now: options.now,
      earlyAudioLimitMs: options.earlyAudioLimitMs ?? 30_000,
      onDropped: (reason, ms) => this.emit('droppedAudio', { reason, ms }),
      onFirstAudio: (ms) => this.emit('firstAudio', { ms }),
      onItemSent: (itemId) => this.#timeline.onItemSent(itemId),
      latency: options.frameLatency?.modelToCaller,
    });
    this.#bargeIn = new BargeInController(this.#playback.tracker);
    this.#timeline = new TurnTimeline({
      now: options.now,
      startedAtMs: this.#createdAtMs,
      audioReceivedAtMs: (audioMs) => this.#link.audioReceivedAtMs(audioMs),
      sentAudioMs: (itemId) => this.#playback.tracker.sentMs(itemId),
      transcript: this.transcript,
      logger: this.#logger,
      onBotTurn: this.#guard.wrap('bot turn', (turn) => this.emit('botTurn', turn)),
    });
    this.on('toolCall', (record) => this.#timeline.onToolCall(record.durationMs));
    this.#actions = this.#createActions();
    this.#streamTimer = setTimeout(
      this.#guard.wrap('stream timeout', () => this.#guard.catch('stream timeout', this.#onStreamTimeout())),
      options.streamTimeoutMs ?? 30_000,
    );
  }

  get figures(): Readonly<CallFigures> {
    return { ...this.#tally.figures, ...this.#context.figures };
  }

  /** Who said what, in conversation order; it never forgets (summaries and reconnects do not touch it). */
  get transcript(): Transcript {
    return this.#context.transcript;
  }

  /** The mirror of the model's context. */
  get conversation(): Conversation {
    return this.#context.conversation;
  }

  /** The language the caller speaks, once there is enough of what they said to tell. */
  get language(): ReturnType<typeof detectLanguage> {
    return this.#context.language;
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
    stream.deliverTo({
      media: this.#guard.wrap('caller audio', (audio: string, timestampMs: number) => this.#callerAudio.push(audio, timestampMs)),
      mark: this.#guard.wrap('mark', (name: string) => this.#onMark(name)),
    });
    stream.on('dtmf', this.#guard.wrap('key press', (digit) => this.#actions.pressKey(digit)));
    stream.on('stop', this.#guard.wrap('stream stop', () => this.end('completed', 'caller hung up')));
    stream.on('silent', this.#guard.wrap('silent stream', () => this.end('interrupted', 'media stream went silent')));
    stream.on('closed', this.#guard.wrap('stream closed', () => this.end('completed', 'media stream closed')));
    this.emit('streamStarted', start);
    this.#playback.attach(stream);
    this.#greetWhenReady();
  }

  /**
   * Ends the call and releases everything it holds. Idempotent. `servedElsewhere`: the call's stream
   * went to another instance, so this one ends only its own part and records nothing.
   */
  end(status: CallEnd['status'], reason: string, options: { servedElsewhere?: boolean } = {}): void {
    if (this.#ended) return;
    this.#ended = {
      status,
      reason,
      durationMs: this.#options.now() - this.#createdAtMs,
      ...(options.servedElsewhere ? { servedElsewhere: true } : {}),
    };
    clearTimeout(this.#streamTimer);
    clearTimeout(this.#hangupTimer);
    const endedAtMs = this.#options.now();
    const tracker = this.#playback.tracker;
    this.#context.finishUnfinished((itemId) => ({ heardMs: tracker.heardMs(itemId, endedAtMs), totalMs: tracker.sentMs(itemId) }));
    this.#timeline.close();
    this.#actions.close();
    this.#context.close();
    this.#link.close();
    this.#codec.close();
    this.#playback.close();
    this.#stream?.close();
    this.#logger.info({ status, reason, durationMs: this.#ended.durationMs }, 'call ended');
    this.emit('ended', this.#ended);
  }

  /** An unexpected error in this call's handling: it ends the call as failed (logged, counted); the others go on. */
  #fault(where: string, error: unknown): void {
    this.#logger.error({ err: error, where }, 'unexpected error in this call: ending it');
    this.emit('fault', { where });
    if (this.#ended) return;
    try {
      this.end('failed', `internal error (${where})`);
    } catch (endError) {
      this.#logger.error({ err: endError, where }, 'the failing call did not end cleanly');
    }
  }

  #createActions(): BotActions {
    const options = this.#options;
    const actions = new BotActions({
      callSid: this.callSid,
      parties: options.parties,
      tools: options.tools,
      handoffEnabled: options.handoffEnabled ?? false,
      transcript: this.transcript,
      summarizer: options.summarizer,
      redact: options.redact ?? ((text) => text),
      send: (event) => this.#sendToModelSession(event),
      isPlaying: () => this.#playback.hasPendingAudio,
      language: () => this.language?.name,
      summaryLanguage: () => this.#context.summaryLanguage,
      inCallSummary: () => this.#context.currentSummary,
      logger: this.#logger,
      now: options.now,
      onFault: (where, error) => this.#fault(where, error),
    });
    actions.on('toolCall', this.#guard.wrap('tool call', (record) => this.emit('toolCall', record)));
    actions.on('handoff', this.#guard.wrap('hand-off', (handoff) => this.emit('handoff', handoff)));
    actions.on('finished', this.#guard.wrap('bot ending the call', (reason) => this.end('completed', reason)));
    return actions;
  }

  #onMark(name: string): void {
    const echo = this.#playback.onMark(name);
    if (echo.kind === 'unknown') {
      this.#logger.debug({ mark: name }, 'unknown mark echoed');
      return;
    }
    if (echo.kind !== 'played') return;
    this.#timeline.onPlayed(echo.itemId);
    if (echo.itemId === APOLOGY_ITEM_ID) this.end('failed', 'model unavailable');
    else if (echo.idle) {
      this.#bargeIn.forgetSettledResponses();
      this.#actions.onPlaybackIdle();
    }
  }

  #onModelReady(info: ReadyInfo): void {
    if (info.reconnected) {
      this.#logger.info({ gapMs: Math.round(info.gapMs) }, 'realtime session re-established');
      this.emit('reconnected', { gapMs: info.gapMs });
      return;
    }
    this.#modelReady = true;
    this.#greetWhenReady();
  }

  /*
   * The model session opens at webhook time (its handshake overlaps Twilio connecting the stream),
   * but the greeting waits for the stream: with several instances the stream may land elsewhere, and
   * a greeting nobody hears is paid for all the same.
   */
  #greetWhenReady(): void {
    if (this.#greeted || !this.#modelReady || !this.#stream) return;
    this.#greeted = true;
    this.#link.send(createResponse(this.#options.greeting));
  }

  async #onStreamTimeout(): Promise<void> {
    const elsewhere = await this.#options.streamElsewhere?.().catch(() => false);
    if (elsewhere) this.end('completed', 'media stream served by another instance', { servedElsewhere: true });
    else this.end('failed', 'media stream never connected');
  }

  /** Not every pause gets a reply (the model may judge it noise): waiting gives up after a while. */
  #awaitingReply(): boolean {
    return this.#replyAwaitedSinceMs !== undefined && this.#options.now() - this.#replyAwaitedSinceMs < REPLY_AWAITED_MS;
  }

  #onModelLost(): void {
    this.#callerSpeaking = false;
    this.#replyAwaitedSinceMs = undefined;
    // Responses of the lost session will never finish; a fresh controller keeps none of them. The
    // tracker stays: audio already at Twilio keeps playing, and can still be cleared on a barge-in.
    this.#bargeIn = new BargeInController(this.#playback.tracker);
    this.#actions.onSessionLost();
    this.#context.onSessionLost();
    this.#timeline.onSessionLost();
  }

  #onModelFailed(): void {
    this.#logger.error('model unavailable: apologising and ending the call');
    const apology = this.#options.apologyAudio;
    if (!this.#stream || !apology) {
      this.end('failed', 'model unavailable');
      return;
    }
    const playMs = this.#playback.playClip(APOLOGY_ITEM_ID, apology);
    // Hang up when Twilio says the apology played; the timer covers a mark that never comes back.
    this.#hangupTimer = setTimeout(this.#guard.wrap('hang-up timer', () => this.end('failed', 'model unavailable')), playMs + 2000);
  }

  #onModelEvent(event: RealtimeServerEvent): void {
    if (this.#ended) return;
    this.#context.apply(event);
    this.#timeline.onModelEvent(event);
    switch (event.type) {
      case 'input_audio_buffer.speech_started':
        this.#callerSpeaking = true;
        this.#onSpeechStarted();
        return;
      case 'input_audio_buffer.speech_stopped':
        this.#callerSpeaking = false;
        this.#replyAwaitedSinceMs = this.#options.now();
        return;
      case 'response.created':
        this.#replyAwaitedSinceMs = undefined;
        this.#bargeIn.onResponseCreated(event.response.id);
        this.#actions.onResponseCreated(event.response.id);
        return;
      case 'response.output_item.added':
        if (event.item.type === 'message') this.#bargeIn.onMessageItemAdded(event.response_id, event.item.id);
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
        this.#actions.onFunctionCall({
          responseId: event.response_id,
          itemId: event.item_id,
          callId: event.call_id,
          name: event.name,
          arguments: event.arguments,
        });
        return;
      case 'error':
        this.#onModelError(event);
        return;
      default:
        return;
    }
  }

  #onAudioDelta(event: ServerEventOf<'response.output_audio.delta'>): void {
    const durationMs = this.#codec.deltaMs(event.delta);
    if (this.#bargeIn.onAudioDelta(event.response_id, event.item_id, durationMs) === 'drop') {
      this.emit('droppedAudio', { reason: 'interrupted', ms: durationMs });
      return;
    }
    this.#playback.play(event.item_id, event.delta);
  }

  #onSpeechStarted(): void {
    const receivedAt = this.#options.now();
    const { commands, interrupted, settled } = this.#bargeIn.onSpeechStarted(receivedAt);
    if (commands.length === 0) return;
    const clearedAt = this.#apply(commands) ?? this.#options.now();
    const reactionMs = clearedAt - receivedAt;
    this.#logger.info({ interrupted: interrupted.length, reactionMs }, 'caller barged in');
    this.#context.settle(settled);
    this.#actions.onBargeIn();
    this.emit('bargeIn', { reactionMs, interrupted });
  }

  /** Executes barge-in commands in order; returns when the Twilio clear left, if there was one. */
  #apply(commands: BargeInCommand[]): number | undefined {
    let clearedAt: number | undefined;
    for (const command of commands) {
      if (command.kind === 'clear') clearedAt = this.#playback.clear();
      else if (command.kind === 'truncate') this.#sendToModelSession(truncateItem(command.itemId, command.audioEndMs));
      else this.#sendToModelSession(cancelResponse(command.responseId));
    }
    return clearedAt;
  }

  #onResponseDone(event: ServerEventOf<'response.done'>): void {
    const responseId = event.response.id;
    const done = this.#bargeIn.onResponseDone(responseId);
    this.#apply(done.commands);
    this.#context.settle(done.settled);
    this.#context.afterResponse(done.completedItemIds, event.response.usage ?? undefined);
    this.#actions.onResponseDone(responseId);
    if (event.response.usage) this.emit('usage', event.response.usage);
    if (!this.#playback.hasPendingAudio) this.#bargeIn.forgetSettledResponses();
  }

  #onModelError(event: ServerEventOf<'error'>): void {
    const code = event.error.code ?? event.error.type;
    this.emit('modelError', { code });
    // Server VAD may have cancelled the response before our cancel arrived: a normal race.
    if (code === 'response_cancel_not_active') {
      this.#logger.debug({ code }, 'response already finished when cancelled');
      return;
    }
    this.#logger.warn({ code, message: event.error.message, param: event.error.param }, 'realtime error event');
  }

  #sendToModelSession(event: RealtimeClientEvent): boolean {
    const sent = this.#link.send(event);
    if (!sent) this.#logger.debug({ type: event.type }, 'no model session: event dropped');
    return sent;
  }
}
