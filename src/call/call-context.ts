import { Conversation } from '../conversation/conversation.js';
import { heardText } from '../conversation/heard-text.js';
import { InCallSummarizer, type AppliedSummary } from '../conversation/in-call-summarizer.js';
import { detectLanguage } from '../conversation/language.js';
import { seedEvents } from '../conversation/seed.js';
import type { SummarizationSettings } from '../conversation/summarization-policy.js';
import type { InCallSummary, Summarizer } from '../conversation/summarizer.js';
import { Transcript } from '../conversation/transcript.js';
import type { Logger } from '../log.js';
import type { RealtimeClientEvent } from '../realtime/client-events.js';
import type { RealtimeServerEvent, RealtimeUsage } from '../realtime/server-events.js';
import type { SettledInterruption } from './barge-in.js';
import type { CallFigures } from './call-types.js';

export interface CallContextOptions {
  now: () => number;
  summarizer: Summarizer;
  summarization: SummarizationSettings;
  /** Language of summaries; undefined: the language the caller speaks. */
  summaryLanguage: string | undefined;
  redact: ((text: string) => string) | undefined;
  /** Sends to the live model session; false when there is none. */
  send: (event: RealtimeClientEvent) => boolean;
  logger: Logger;
  onSummary: (applied: AppliedSummary) => void;
}

type SummaryFigures = Pick<CallFigures, 'summaries' | 'lastSummaryLatencyMs' | 'tokensBeforeSummary' | 'tokensAfterSummary'>;

/**
 * What the call has said and what the model holds of it: the transcript (which never forgets), the
 * mirror of the model's context, and the in-call summaries that keep that context small and seed a
 * replacement session.
 */
export class CallContext {
  readonly conversation: Conversation;
  readonly transcript = new Transcript();
  readonly #options: CallContextOptions;
  readonly #summarizer: InCallSummarizer;
  readonly #figures: SummaryFigures = { summaries: 0, lastSummaryLatencyMs: undefined, tokensBeforeSummary: undefined, tokensAfterSummary: undefined };
  #awaitingTokensAfterSummary = false;
  #sessionSeeds = 0;

  constructor(options: CallContextOptions) {
    this.#options = options;
    this.conversation = new Conversation(options.now);
    this.#summarizer = new InCallSummarizer({
      summarizer: options.summarizer,
      settings: options.summarization,
      language: () => this.summaryLanguage,
      send: options.send,
      logger: options.logger,
      now: options.now,
      ...(options.redact ? { redact: options.redact } : {}),
      onApplied: (applied) => {
        this.#figures.summaries++;
        this.#figures.lastSummaryLatencyMs = applied.latencyMs;
        this.#figures.tokensBeforeSummary = applied.tokensBefore;
        this.#awaitingTokensAfterSummary = true;
        options.onSummary(applied);
      },
    });
  }

  get figures(): Readonly<SummaryFigures> {
    return this.#figures;
  }

  /** The language the caller speaks, once there is enough of what they said to tell. */
  get language(): ReturnType<typeof detectLanguage> {
    const said = this.transcript.turns().filter((turn) => turn.role === 'user' && turn.keys === undefined);
    return detectLanguage(said.map((turn) => turn.text));
  }

  get summaryLanguage(): string | undefined {
    return this.#options.summaryLanguage ?? this.language?.name;
  }

  get currentSummary(): InCallSummary | undefined {
    return this.#summarizer.current;
  }

  /** What a model event says about the conversation and the transcript. */
  apply(event: RealtimeServerEvent): void {
    for (const fact of this.conversation.apply(event)) {
      if (fact.kind === 'item-added' && !fact.synthetic) this.transcript.noteItem(fact.itemId);
      if (fact.kind === 'item-added') this.#summarizer.onItemAdded(fact.itemId);
      if (fact.kind === 'user-transcript') this.transcript.userSaid(fact.itemId, fact.text);
      if (fact.kind === 'assistant-transcript') this.transcript.assistantGenerated(fact.itemId, fact.text);
    }
  }

  /** The transcript and the model's copy keep what the caller heard of each interrupted item. */
  settle(settled: readonly SettledInterruption[]): void {
    for (const { itemId, heardMs, totalMs } of settled) {
      this.transcript.assistantInterrupted(itemId, heardMs, totalMs);
      const item = this.conversation.get(itemId);
      if (item?.text !== undefined) this.conversation.setText(itemId, heardText(item.text, heardMs, totalMs));
    }
  }

  /** A response finished: its turns are complete, and the context may be due for a summary. */
  afterResponse(completedItemIds: readonly string[], usage: RealtimeUsage | undefined): void {
    for (const itemId of completedItemIds) this.transcript.assistantDone(itemId);
    if (usage && this.#awaitingTokensAfterSummary) {
      this.#figures.tokensAfterSummary = usage.total_tokens;
      this.#awaitingTokensAfterSummary = false;
    }
    this.#summarizer.considerAfterResponse(this.conversation);
  }

  /**
   * The call ended while responses were still running (the caller hung up, the stream died): their
   * turns are kept with what the caller heard, instead of waiting for a response.done that no one
   * will read.
   */
  finishUnfinished(heard: (itemId: string) => { heardMs: number; totalMs: number }): void {
    for (const itemId of this.transcript.unfinishedAssistantItems()) {
      const { heardMs, totalMs } = heard(itemId);
      if (heardMs < totalMs || totalMs === 0) this.transcript.assistantInterrupted(itemId, heardMs, totalMs);
      this.transcript.assistantDone(itemId);
    }
  }

  /** The new session starts from the summary and recent turns; its own items then rebuild the mirror. */
  seedNextSession(): RealtimeClientEvent[] {
    const events = seedEvents(
      this.conversation.items,
      this.#summarizer.currentText,
      this.#options.summarization.keepTurns,
      `r${++this.#sessionSeeds}`,
    );
    this.conversation.reset();
    return events;
  }

  onSessionLost(): void {
    this.#summarizer.onSessionLost();
  }

  close(): void {
    this.#summarizer.close();
  }
}
