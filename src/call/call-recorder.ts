import type { Turn } from '../conversation/transcript.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { RealtimeUsage } from '../realtime/server-events.js';
import type { CallStore } from '../store/call-store.js';
import type { FeedNotice } from '../store/feed-notice.js';
import { POST_CALL_SUMMARY_JOB } from '../store/job-kinds.js';
import { SerialWriter } from '../store/serial-writer.js';
import type { TokenUsage } from '../store/types.js';
import type { CallParties, CallRegistry } from './call-registry.js';
import type { CallSession } from './call-session.js';

export interface CallRecorderOptions {
  store: CallStore;
  instanceId: string;
  logger: Logger;
  metrics: Metrics;
  /** Applied to every turn before it is stored. */
  redact: (text: string) => string;
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
    const { store, instanceId } = this.#options;
    // Operators hear of a row once it is stored, on every instance.
    const publish = (notice: FeedNotice) =>
      store.notifyFeed(notice).catch((error: unknown) => this.#options.logger.warn({ err: error, callSid }, 'live feed notice failed'));
    const callSid = session.callSid;
    const writer = this.#writerFor(callSid);
    const startedAt = new Date();
    const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

    // Call events go out once stored, so a dashboard that reads the call on hearing of it finds it.
    writer.write('call', async () => {
      await store.createCall({ callSid, from: parties.from, to: parties.to, direction: parties.direction, startedAt, instanceId });
      await publish({ kind: 'call', callSid });
    });

    session.on('streamStarted', (start) =>
      writer.write('claim', async () => {
        if (!(await store.claimCall(callSid, start.streamSid))) this.#options.logger.warn({ callSid }, 'another instance already owns this call');
      }),
    );
    const saveTurn = (turn: Turn, kind: 'turn' | 'turn-updated') =>
      writer.write('turn', async () => {
        await store.saveTurn({ callSid, ...redactTurn(turn, this.#options.redact) });
        await publish({ kind, callSid, seq: turn.seq });
      });
    session.on('turn', (turn) => saveTurn(turn, 'turn'));
    session.on('turnUpdated', (turn) => saveTurn(turn, 'turn-updated'));
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
      if (end.servedElsewhere) {
        writer.write('release', async () => {
          this.#writers.delete(callSid);
        });
        return;
      }
      const endedAt = new Date();
      const figures = Object.fromEntries(
        Object.entries(session.figures).map(([key, value]) => [key, typeof value === 'number' ? Math.round(value) : null]),
      );
      const language = session.language?.name;
      writer.write('ending', async () => {
        const ended = await store.endCall(
          callSid,
          { status: end.status, endedAt, endReason: end.reason, usage, figures, ...(language ? { language } : {}) },
          { enqueue: [POST_CALL_SUMMARY_JOB] },
        );
        if (!ended) return;
        await publish({ kind: 'call-ended', callSid });
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

/** What callers said is redacted wherever it is kept: text, heard text, and a tool call's arguments and result. */
function redactTurn(turn: Turn, redact: (text: string) => string): Turn {
  const redacted: Turn = { ...turn, text: redact(turn.text), heardText: redact(turn.heardText) };
  if (turn.tool) {
    const args = turn.tool.arguments;
    redacted.tool = {
      ...turn.tool,
      arguments: typeof args === 'string' ? redact(args) : (JSON.parse(redact(JSON.stringify(args))) as Record<string, unknown>),
      output: redact(turn.tool.output),
    };
  }
  return redacted;
}
