import { EventEmitter } from 'node:events';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { CallStore } from './call-store.js';
import type { FeedNotice } from './feed-notice.js';
import type { LiveFeedEvents } from './live-feed-events.js';

export type { LiveFeedEvents, LiveTurn } from './live-feed-events.js';

export class LiveFeed extends EventEmitter<LiveFeedEvents> {
  constructor() {
    super();
    // One listener per open dashboard; do not warn at 10.
    this.setMaxListeners(0);
  }

  /** Someone is watching: only then is a notice worth reading its row back for. */
  get watched(): boolean {
    return this.eventNames().length > 0;
  }
}

/**
 * Every instance's live feed carries every instance's calls: writers publish a small notice (kind,
 * CallSid, seq) through the store once a row is written (PostgreSQL NOTIFY; in-process for the
 * embedded store), and each instance's relay reads the row back and tells its own dashboards.
 */
export class FeedRelay {
  readonly #store: CallStore;
  readonly #feed: LiveFeed;
  readonly #logger: Logger;
  #stop: (() => Promise<void>) | undefined;

  constructor(store: CallStore, feed: LiveFeed, logger: Logger) {
    this.#store = store;
    this.#feed = feed;
    this.#logger = logger;
  }

  async start(): Promise<void> {
    this.#stop = await this.#store.onFeedNotice((notice) =>
      this.#relay(notice).catch((error: unknown) => this.#logger.warn({ err: errorMessage(error), notice }, 'live feed notice not relayed')),
    );
  }

  async close(): Promise<void> {
    await this.#stop?.();
    this.#stop = undefined;
  }

  async #relay(notice: FeedNotice): Promise<void> {
    // Every call start, turn and end sends a notice; with no dashboard open, reading rows back would be
    // store load for nobody.
    if (!this.#feed.watched) return;
    const { callSid } = notice;
    if (notice.kind === 'turn' || notice.kind === 'turn-updated') {
      const turn = await this.#store.getTurn(callSid, notice.seq);
      if (!turn) return;
      const { callSid: _callSid, ...fields } = turn;
      this.#feed.emit(notice.kind === 'turn' ? 'turn' : 'turnUpdated', { callSid, ...fields });
      return;
    }
    const call = await this.#store.getCall(callSid);
    if (!call) return;
    if (notice.kind === 'call') this.#feed.emit('callStarted', { callSid, startedAt: call.startedAt, from: call.from, to: call.to, direction: call.direction });
    else if (notice.kind === 'call-ended' && call.status !== 'in-progress') {
      this.#feed.emit('callEnded', { callSid, status: call.status, endedAt: call.endedAt ?? new Date(), endReason: call.endReason ?? '' });
    } else if (notice.kind === 'summary' && call.summary) {
      const { text, language, content } = call.summary;
      this.#feed.emit('summary', { callSid, text, language, content });
    }
  }
}
