import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { createItem, deleteItem, systemMessage, type RealtimeClientEvent } from '../realtime/client-events.js';
import type { Conversation } from './conversation.js';
import { SUMMARY_ITEM_PREFIX } from './seed.js';
import { planSummarization, type SummarizationSettings } from './summarization-policy.js';
import { renderInCallSummary, type InCallSummary, type Summarizer, type SummaryTurn } from './summarizer.js';

export interface AppliedSummary {
  summary: InCallSummary;
  /** Context tokens reported when the summary was triggered. */
  tokensBefore: number;
  itemsSummarized: number;
  /** Time the summarizing model took. */
  latencyMs: number;
}

export interface InCallSummarizerOptions {
  summarizer: Summarizer;
  settings: SummarizationSettings;
  /** English name of the summary language, decided when a summary starts (configured or detected). */
  language: () => string | undefined;
  /** Sends to the live Realtime session; false when there is none. */
  send: (event: RealtimeClientEvent) => boolean;
  logger: Logger;
  now: () => number;
  /** Applied to what the summarizer is sent: it is another system, and sees no more than the store keeps. */
  redact?: (text: string) => string;
  onApplied?: (applied: AppliedSummary) => void;
  /** First wait after a failed summary, doubled per failure up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** The summary item must appear in the session this soon, or nothing is deleted. */
  applyTimeoutMs?: number;
}

type State =
  | { status: 'idle' }
  | { status: 'summarizing'; epoch: number }
  | { status: 'applying'; summaryItemId: string; deleteIds: string[]; timer: NodeJS.Timeout; applied: AppliedSummary };

/**
 * Keeps a long call's context small: when a response reports too many tokens, the older turns are
 * summarized off the audio path (single flight), the summary is inserted at the start of the session as
 * a system message, and only once the service confirms it are the summarized items deleted. A failure
 * deletes nothing and is retried later with backoff.
 */
export class InCallSummarizer {
  readonly #options: InCallSummarizerOptions;
  #state: State = { status: 'idle' };
  #current: InCallSummary | undefined;
  #epoch = 0;
  #count = 0;
  #failures = 0;
  #notBeforeMs = 0;
  #closed = false;

  constructor(options: InCallSummarizerOptions) {
    this.#options = options;
  }

  /** The latest summary, for seeding a replacement session. */
  /** The latest summary applied to the session, if any. */
  #redact(text: string): string {
    return this.#options.redact ? this.#options.redact(text) : text;
  }

  get current(): InCallSummary | undefined {
    return this.#current;
  }

  get currentText(): string | undefined {
    return this.#current ? renderInCallSummary(this.#current) : undefined;
  }

  /** After each response.done: starts a summary if the policy says so and none is under way. */
  considerAfterResponse(conversation: Conversation): void {
    if (this.#closed || this.#state.status !== 'idle' || this.#options.now() < this.#notBeforeMs) return;
    const tokensBefore = conversation.usage?.total_tokens;
    const plan = planSummarization(conversation.items, tokensBefore, this.#options.settings, this.#options.now());
    if (!plan || tokensBefore === undefined) return;
    const turns: SummaryTurn[] = plan.itemIds.flatMap((id) => {
      const item = conversation.get(id);
      if (!item?.text || (item.role !== 'user' && item.role !== 'assistant')) return [];
      return [{ role: item.role, text: item.text }];
    });
    const epoch = this.#epoch;
    this.#state = { status: 'summarizing', epoch };
    const startedAt = this.#options.now();
    this.#options.logger.info({ items: plan.itemIds.length, tokensBefore }, 'summarizing older turns');
    this.#options.summarizer
      .summarizeInCall({ previousSummary: this.#current, turns: turns.map((turn) => ({ ...turn, text: this.#redact(turn.text) })), language: this.#options.language() })
      .then(
        (summary) => {
          const applied = { summary, tokensBefore, itemsSummarized: plan.itemIds.length, latencyMs: this.#options.now() - startedAt };
          this.#current = summary;
          this.#failures = 0;
          if (this.#closed || epoch !== this.#epoch) {
            // The session it was meant for is gone; the summary still seeds the next one.
            this.#state = { status: 'idle' };
            return;
          }
          this.#apply(summary, [...plan.itemIds, ...(plan.previousSummaryId ? [plan.previousSummaryId] : [])], applied);
        },
        (error: unknown) => this.#fail('summary failed', error),
      );
  }

  /** The service announced an item: our summary's arrival is the signal to delete what it replaces. */
  onItemAdded(itemId: string): void {
    const state = this.#state;
    if (state.status !== 'applying' || state.summaryItemId !== itemId) return;
    clearTimeout(state.timer);
    for (const id of state.deleteIds) this.#options.send(deleteItem(id));
    this.#state = { status: 'idle' };
    this.#options.logger.info({ deleted: state.deleteIds.length }, 'summary applied to the live session');
    this.#options.onApplied?.(state.applied);
  }

  /** The Realtime session was lost: work aimed at it is void. */
  onSessionLost(): void {
    this.#epoch++;
    if (this.#state.status === 'applying') {
      clearTimeout(this.#state.timer);
      this.#state = { status: 'idle' };
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#state.status === 'applying') clearTimeout(this.#state.timer);
    this.#state = { status: 'idle' };
  }

  #apply(summary: InCallSummary, deleteIds: string[], applied: AppliedSummary): void {
    const summaryItemId = `${SUMMARY_ITEM_PREFIX}${++this.#count}`;
    const sent = this.#options.send(createItem(systemMessage(summaryItemId, renderInCallSummary(summary)), 'root'));
    if (!sent) {
      this.#state = { status: 'idle' };
      return;
    }
    const timer = setTimeout(
      () => this.#fail('summary item never appeared in the session', undefined),
      this.#options.applyTimeoutMs ?? 5000,
    );
    this.#state = { status: 'applying', summaryItemId, deleteIds, timer, applied };
  }

  #fail(message: string, error: unknown): void {
    this.#failures++;
    const delayMs = Math.min(
      (this.#options.retryDelayMs ?? 30_000) * 2 ** (this.#failures - 1),
      this.#options.maxRetryDelayMs ?? 300_000,
    );
    this.#notBeforeMs = this.#options.now() + delayMs;
    this.#state = { status: 'idle' };
    this.#options.logger.warn({ error: error === undefined ? undefined : errorMessage(error), retryInMs: delayMs }, message);
  }
}
