import { UpstreamError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { JobQueue } from '../store/job-queue.js';
import type { Job } from '../store/types.js';

export interface JobHandler {
  kind: string;
  run(job: Job): Promise<void>;
}

export interface JobRunnerOptions {
  queue: JobQueue;
  handlers: JobHandler[];
  logger: Logger;
  metrics: Metrics;
  /** How often to look for due jobs when not kicked; default 2 s. */
  pollMs?: number;
  /** A claimed job is invisible to other instances this long; default 2 min. */
  lockMs?: number;
  /** Wait before retrying after `attempts` failures; default 10 s doubling to 1 h. */
  retryDelayMs?: (attempts: number) => number;
}

const defaultRetryDelayMs = (attempts: number) => Math.min(10_000 * 2 ** (attempts - 1), 3_600_000);

/**
 * Runs durable jobs from the store's queue (post-call summaries, webhook deliveries) until each
 * succeeds or fails for good (an UpstreamError that is not retryable: the job is marked dead with its
 * error, visible in the operator API and counted): other failures are rescheduled with backoff in the database, so they survive restarts, and
 * several instances can share the queue because claims skip locked rows.
 */
export class JobRunner {
  readonly #options: JobRunnerOptions;
  readonly #handlers: Map<string, JobHandler>;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: JobRunnerOptions) {
    this.#options = options;
    this.#handlers = new Map(options.handlers.map((handler) => [handler.kind, handler]));
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Look for work now (a job was just enqueued). */
  kick(): void {
    this.#wake?.();
  }

  /** Stops claiming; waits for the job in hand, if any. */
  async stop(): Promise<void> {
    this.#running = false;
    this.kick();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { queue, logger, metrics } = this.#options;
    while (this.#running) {
      let job: Job | undefined;
      try {
        job = await queue.claim([...this.#handlers.keys()], this.#options.lockMs ?? 120_000);
      } catch (error) {
        logger.warn({ error: errorMessage(error) }, 'could not claim a job');
      }
      if (!job) {
        await this.#idle();
        continue;
      }
      const handler = this.#handlers.get(job.kind)!;
      try {
        await handler.run(job);
        await queue.complete(job.id);
        metrics.jobs.inc({ kind: job.kind, outcome: 'succeeded' });
      } catch (error) {
        if (error instanceof UpstreamError && !error.retryable) {
          logger.error({ kind: job.kind, callSid: job.callSid, attempts: job.attempts, error: errorMessage(error) }, 'job failed for good; not retrying');
          metrics.jobs.inc({ kind: job.kind, outcome: 'dead' });
          await queue
            .kill(job.id, errorMessage(error))
            .catch((killError: unknown) => logger.warn({ error: errorMessage(killError) }, 'could not mark a job dead; its lock will expire'));
          continue;
        }
        const delayMs = (this.#options.retryDelayMs ?? defaultRetryDelayMs)(job.attempts);
        logger.warn({ kind: job.kind, callSid: job.callSid, attempts: job.attempts, retryInMs: delayMs, error: errorMessage(error) }, 'job failed; will retry');
        metrics.jobs.inc({ kind: job.kind, outcome: 'retried' });
        await queue
          .retry(job.id, errorMessage(error), new Date(Date.now() + delayMs))
          .catch((retryError: unknown) => logger.warn({ error: errorMessage(retryError) }, 'could not reschedule a job; its lock will expire'));
      }
    }
  }

  #idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(this.#timer);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
      this.#timer = setTimeout(done, this.#options.pollMs ?? 2000);
    });
  }
}
