import { EventEmitter } from 'node:events';
import type { Turn } from '../conversation/transcript.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { RealtimeUsage } from '../realtime/server-events.js';
import type { CallStore } from '../store/call-store.js';
import { SerialWriter } from '../store/serial-writer.js';
import type { CallStatus, TokenUsage } from '../store/types.js';
import type { CallParties, CallRegistry } from './call-registry.js';
import type { CallSession } from './call-session.js';

export const POST_CALL_SUMMARY_JOB = 'post-call-summary';

export interface LiveTurn extends Turn {
  callSid: string;
}

/** What operators watch live: calls starting and ending, turns as they complete. */
export type LiveFeedEvents = {
  callStarted: [{ callSid: string; startedAt: Date; from: string | null; to: string | null }];
  turn: [LiveTurn];
  turnUpdated: [LiveTurn];
  callEnded: [{ callSid: string; status: Exclude<CallStatus, 'in-progress'>; endedAt: Date; endReason: string }];
  summary: [{ callSid: string; text: string; language: string | null; content: Record<string, unknown> }];
};

export class LiveFeed extends EventEmitter<LiveFeedEvents> {
  constructor() {
    super();
    // One listener per open dashboard; do not warn at 10.
    this.setMaxListeners(0);
  }
}

export interface CallRecorderOptions {
  store: CallStore;
  feed: LiveFeed;
  instanceId: string;
  logger: Logger;
  metrics: Metrics;
  /** Called once a call's final record and its summary job are stored. */
  onCallStored?: (callSid: string) => void;
  /** Live calls are marked alive this often, so other instances can tell them from orphans. */
  heartbeatMs?: number;
}

/**
 * Turns each call's events into durable records as they happen: the call when it starts, every turn
 * when it completes (and again if the caller cut it off), in-call summaries, and the ending together
 * with its post-call summary job. Writes go through a per-call SerialWriter so the audio path never
 * waits on the database and a failed write is retried, never dropped.
 */
export class CallRecorder {
  readonly #options: CallRecorderOptions;
  readonly #writers = new Map<string, SerialWriter>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor(registry: CallRegistry, options: CallRecorderOptions) {
    this.#options = options;
    registry.on('call', (session, parties) => this.#record(session, parties));
    this.#heartbeat = setInterval(() => {
      const callSids = [...this.#writers.keys()];
      if (callSids.length === 0) return;
      // A missed heartbeat loses nothing: the next one, 30 s later, says the same.
      options.store.touchCalls(callSids).catch((error: unknown) => options.logger.warn({ err: error }, 'heartbeat failed'));
    }, options.heartbeatMs ?? 30_000);
    this.#heartbeat.unref();
  }

  /** At shutdown: waits up to `timeoutMs` for every queued write; returns how many could not be stored. */
  async flush(timeoutMs: number): Promise<number> {
    clearInterval(this.#heartbeat);
    const left = await Promise.all([...this.#writers.values()].map((writer) => writer.flush(timeoutMs)));
    return left.reduce((sum, count) => sum + count, 0);
  }

  #record(session: CallSession, parties: CallParties): void {
    const { store, feed, instanceId } = this.#options;
    const callSid = session.callSid;
    const writer = this.#writerFor(callSid);
    const startedAt = new Date();
    const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

    // Call events go out once stored, so a dashboard that reads the call on hearing of it finds it.
    writer.write('call', async () => {
      await store.createCall({ callSid, from: parties.from, to: parties.to, startedAt, instanceId });
      feed.emit('callStarted', { callSid, startedAt, from: parties.from ?? null, to: parties.to ?? null });
    });

    session.on('streamStarted', (start) => writer.write('stream', () => store.setStreamSid(callSid, start.streamSid)));
    const saveTurn = (turn: Turn) => writer.write('turn', () => store.saveTurn({ callSid, ...turn }));
    session.on('turn', (turn) => {
      saveTurn(turn);
      feed.emit('turn', { callSid, ...turn });
    });
    session.on('turnUpdated', (turn) => {
      saveTurn(turn);
      feed.emit('turnUpdated', { callSid, ...turn });
    });
    session.on('handoff', (handoff) => writer.write('handoff', () => store.setHandoff(callSid, handoff)));
    session.on('usage', (reported: RealtimeUsage) => {
      // Every response re-reads the whole context, so per-response usage adds up to what is billed.
      usage.inputTokens += reported.input_tokens;
      usage.outputTokens += reported.output_tokens;
      usage.totalTokens += reported.total_tokens;
    });
    session.on('summary', (applied) =>
      writer.write('in-call summary', () =>
        store.addSummary({
          callSid,
          kind: 'in-call',
          content: { ...applied.summary, tokensBefore: applied.tokensBefore, latencyMs: Math.round(applied.latencyMs) },
          text: applied.summary.synopsis,
          model: 'in-call',
        }),
      ),
    );
    session.once('ended', (end) => {
      const endedAt = new Date();
      const figures = Object.fromEntries(
        Object.entries(session.figures).map(([key, value]) => [key, typeof value === 'number' ? Math.round(value) : null]),
      );
      const language = session.language?.name;
      writer.write('ending', async () => {
        await store.endCall(
          callSid,
          { status: end.status, endedAt, endReason: end.reason, usage, figures, ...(language ? { language } : {}) },
          { enqueue: [POST_CALL_SUMMARY_JOB] },
        );
        feed.emit('callEnded', { callSid, status: end.status, endedAt, endReason: end.reason });
        this.#options.onCallStored?.(callSid);
      });
      writer.write('release', async () => {
        this.#writers.delete(callSid);
      });
    });
  }

  #writerFor(callSid: string): SerialWriter {
    let writer = this.#writers.get(callSid);
    if (!writer) {
      const { logger, metrics } = this.#options;
      writer = new SerialWriter({
        logger: logger.child({ callSid }),
        onRetry: () => metrics.storeWriteRetries.inc(),
        onPendingChange: (delta) => metrics.storeWritesPending.inc(delta),
      });
      this.#writers.set(callSid, writer);
    }
    return writer;
  }
}
