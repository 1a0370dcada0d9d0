import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { CallStore } from '../store/call-store.js';
import { POST_CALL_SUMMARY_JOB } from '../store/job-kinds.js';

export interface MaintenanceOptions {
  store: CallStore;
  logger: Logger;
  /** Delete calls that ended longer ago than this; undefined: keep everything. */
  retentionDays: number | undefined;
  /** Calls whose owner's heartbeat stopped this long ago were orphaned by an instance that died. */
  staleAfterMs?: number;
  /** How often to look for such calls; default every minute. */
  sweepEveryMs?: number;
  onOrphansFound?: () => void;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** Periodic housekeeping of the store: retention, and calls orphaned by an instance that died. */
export class Maintenance {
  readonly #options: MaintenanceOptions;
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(options: MaintenanceOptions) {
    this.#options = options;
  }

  start(): void {
    const every = (ms: number, task: () => Promise<void>) => {
      const timer = setInterval(() => void task(), ms);
      timer.unref();
      this.#timers.push(timer);
      void task();
    };
    if (this.#options.retentionDays !== undefined) every(HOUR_MS, () => this.purge());
    every(this.#options.sweepEveryMs ?? MINUTE_MS, () => this.sweepStaleCalls());
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.length = 0;
  }

  async purge(): Promise<void> {
    const days = this.#options.retentionDays;
    if (days === undefined) return;
    try {
      const purged = await this.#options.store.purgeCallsOlderThan(new Date(Date.now() - days * 24 * HOUR_MS));
      if (purged > 0) this.#options.logger.info({ purged, retentionDays: days }, 'purged old calls');
    } catch (error) {
      this.#options.logger.warn({ error: errorMessage(error) }, 'retention purge failed; will try again');
    }
  }

  async sweepStaleCalls(): Promise<void> {
    try {
      const olderThan = new Date(Date.now() - (this.#options.staleAfterMs ?? 5 * MINUTE_MS));
      const orphans = await this.#options.store.markStaleCalls(olderThan, { enqueue: [POST_CALL_SUMMARY_JOB] });
      if (orphans.length > 0) {
        this.#options.logger.warn({ calls: orphans.length }, 'calls orphaned by a stopped instance marked interrupted');
        this.#options.onOrphansFound?.();
      }
    } catch (error) {
      this.#options.logger.warn({ error: errorMessage(error) }, 'stale call sweep failed; will try again');
    }
  }
}
