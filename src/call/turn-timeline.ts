import type { BotTiming, CallerTiming, Transcript } from '../conversation/transcript.js';
import type { Logger } from '../log.js';
import type { RealtimeServerEvent } from '../realtime/server-events.js';

/*
 * How long the caller waited for each answer, hand-written because it spans both sides of the call:
 * the model's VAD and responses, our sending to Twilio, and Twilio's mark echoes. Socket-free and fed
 * per message type and per item (never per frame beyond a map lookup); every mark is on the one
 * monotonic clock it is given.
 */

/** A completed bot turn: the assistant item that spoke and its timeline. */
export interface BotTurn {
  itemId: string;
  timing: BotTiming;
}

export interface TurnTimelineOptions {
  now: () => number;
  /** The call's start on the same clock: marks are reported in ms since then. */
  startedAtMs: number;
  /** When the caller audio at a position of the current model session's input-audio clock reached callbridge. */
  audioReceivedAtMs: (audioMs: number) => number;
  /** Audio of the item sent to Twilio so far (what remained of it after a barge-in), in ms. */
  sentAudioMs: (itemId: string) => number;
  /** Turns carry their timing. */
  transcript: Pick<Transcript, 'timed'>;
  logger: Logger;
  onBotTurn: (turn: BotTurn) => void;
}

/** What the next spoken response answers: the caller's latest speech, and the tools run since. */
interface Question {
  speechEndedAtMs: number | null;
  receivedAtMs: number;
  toolMs: number;
  tools: number;
}

interface OpenResponse {
  id: string;
  createdAtMs: number;
  answers: Question | undefined;
  itemId: string | undefined;
  firstDeltaAtMs: number | undefined;
  sentAtMs: number | undefined;
  heardAtMs: number | undefined;
  doneAtMs: number | undefined;
  /** The caller spoke over it: its start may never be heard. */
  cutOff: boolean;
}

export class TurnTimeline {
  readonly #options: TurnTimelineOptions;
  readonly #responses = new Map<string, OpenResponse>();
  /** Responses that spoke, by their audio item, for the sends and echoes that name only the item. */
  readonly #byItem = new Map<string, OpenResponse>();
  #question: Question | undefined;
  #speechStart: { itemId: string; atMs: number } | undefined;

  constructor(options: TurnTimelineOptions) {
    this.#options = options;
  }

  onModelEvent(event: RealtimeServerEvent): void {
    switch (event.type) {
      case 'input_audio_buffer.speech_started':
        this.#speechStart = { itemId: event.item_id, atMs: this.#options.audioReceivedAtMs(event.audio_start_ms) };
        for (const response of [...this.#responses.values()]) {
          response.cutOff = true;
          this.#completeIfDone(response);
        }
        return;
      case 'input_audio_buffer.speech_stopped':
        this.#onSpeechStopped(event.item_id, this.#options.audioReceivedAtMs(event.audio_end_ms));
        return;
      case 'response.created':
        this.#open(event.response.id);
        return;
      case 'response.output_audio.delta':
        this.#onAudioDelta(event.response_id, event.item_id);
        return;
      case 'response.done':
        this.#onResponseDone(event.response.id);
        return;
      default:
        return;
    }
  }

  /** The first audio of the item left for Twilio. */
  onItemSent(itemId: string): void {
    const response = this.#byItem.get(itemId);
    if (response && response.sentAtMs === undefined) response.sentAtMs = this.#options.now();
  }

  /** Twilio echoed a mark of the item: what was sent before it has played. */
  onPlayed(itemId: string): void {
    const response = this.#byItem.get(itemId);
    if (!response || response.sentAtMs === undefined || response.heardAtMs !== undefined) return;
    response.heardAtMs = this.#options.now();
    this.#completeIfDone(response);
  }

  /** A tool ran for the caller's question: the answer's wait includes it. */
  onToolCall(durationMs: number): void {
    this.#question ??= { speechEndedAtMs: null, receivedAtMs: this.#options.now() - durationMs, toolMs: 0, tools: 0 };
    this.#question.toolMs += durationMs;
    this.#question.tools++;
  }

  /** The lost session's responses will never finish, and the next session answers nothing it was asked. */
  onSessionLost(): void {
    this.#responses.clear();
    this.#byItem.clear();
    this.#question = undefined;
    this.#speechStart = undefined;
  }

  /** The call ended: finished responses still waiting for their echo are reported as never heard. */
  close(): void {
    for (const response of [...this.#responses.values()]) {
      response.cutOff = true;
      this.#completeIfDone(response);
    }
    this.onSessionLost();
  }

  #onSpeechStopped(itemId: string, endedAtMs: number): void {
    const start = this.#speechStart?.itemId === itemId ? this.#speechStart.atMs : endedAtMs;
    this.#speechStart = undefined;
    const timing: CallerTiming = { speechStartedMs: this.#ms(start), speechEndedMs: this.#ms(endedAtMs) };
    this.#options.transcript.timed(itemId, timing);
    this.#question = { speechEndedAtMs: endedAtMs, receivedAtMs: this.#options.now(), toolMs: 0, tools: 0 };
  }

  #open(responseId: string): OpenResponse {
    const existing = this.#responses.get(responseId);
    if (existing) return existing;
    const response: OpenResponse = {
      id: responseId,
      createdAtMs: this.#options.now(),
      answers: undefined,
      itemId: undefined,
      firstDeltaAtMs: undefined,
      sentAtMs: undefined,
      heardAtMs: undefined,
      doneAtMs: undefined,
      cutOff: false,
    };
    this.#responses.set(responseId, response);
    return response;
  }

  #onAudioDelta(responseId: string, itemId: string): void {
    const known = this.#responses.get(responseId);
    if (known?.firstDeltaAtMs !== undefined) return;
    const response = known ?? this.#open(responseId);
    response.firstDeltaAtMs = this.#options.now();
    response.itemId = itemId;
    this.#byItem.set(itemId, response);
    // The first response to speak after the question answers it; one the caller already spoke over does not.
    const question = this.#question;
    if (question && !response.cutOff && response.createdAtMs >= question.receivedAtMs) {
      response.answers = question;
      this.#question = undefined;
    }
  }

  #onResponseDone(responseId: string): void {
    const response = this.#responses.get(responseId);
    if (!response) return;
    response.doneAtMs = this.#options.now();
    // A response of function calls only: its tools count towards the answer that follows.
    if (response.firstDeltaAtMs === undefined) this.#responses.delete(responseId);
    else this.#completeIfDone(response);
  }

  /** Complete once the response is done and its start was heard, or never will be. */
  #completeIfDone(response: OpenResponse): void {
    if (response.doneAtMs === undefined || response.firstDeltaAtMs === undefined || response.itemId === undefined) return;
    const awaitingEcho = response.sentAtMs !== undefined && response.heardAtMs === undefined;
    if (awaitingEcho && !response.cutOff) return;
    this.#responses.delete(response.id);
    this.#byItem.delete(response.itemId);
    const timing = this.#timing(response, response.firstDeltaAtMs, response.doneAtMs, this.#options.sentAudioMs(response.itemId));
    this.#options.logger.info(
      {
        responseId: response.id,
        itemId: response.itemId,
        answersSpeech: timing.speechEndedMs !== null,
        modelLatencyMs: timing.modelLatencyMs,
        bridgeLatencyMs: timing.bridgeLatencyMs,
        playbackStartMs: timing.playbackStartMs,
        totalMs: timing.totalMs,
        toolMs: timing.toolMs,
        heard: timing.heardMs !== null,
      },
      'bot turn',
    );
    this.#options.transcript.timed(response.itemId, timing);
    this.#options.onBotTurn({ itemId: response.itemId, timing });
  }

  #timing(response: OpenResponse, firstDeltaAtMs: number, doneAtMs: number, audioMs: number): BotTiming {
    const { answers, sentAtMs, heardAtMs } = response;
    const askedAtMs = answers?.speechEndedAtMs ?? response.createdAtMs;
    const span = (from: number | undefined, to: number | undefined) => (from === undefined || to === undefined ? null : round(to - from));
    return {
      responseId: response.id,
      speechEndedMs: answers?.speechEndedAtMs != null ? this.#ms(answers.speechEndedAtMs) : null,
      responseCreatedMs: this.#ms(response.createdAtMs),
      firstDeltaMs: this.#ms(firstDeltaAtMs),
      sentMs: sentAtMs === undefined ? null : this.#ms(sentAtMs),
      heardMs: heardAtMs === undefined ? null : this.#ms(heardAtMs),
      responseDoneMs: this.#ms(doneAtMs),
      audioMs: round(audioMs),
      toolMs: answers && answers.tools > 0 ? round(answers.toolMs) : null,
      modelLatencyMs: round(firstDeltaAtMs - askedAtMs),
      bridgeLatencyMs: span(firstDeltaAtMs, sentAtMs),
      playbackStartMs: span(sentAtMs, heardAtMs),
      totalMs: span(askedAtMs, heardAtMs),
    };
  }

  #ms(atMs: number): number {
    return round(atMs - this.#options.startedAtMs);
  }
}

/** A tenth of a millisecond: finer than any of these clocks is honest about. */
function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
