import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

export interface SerialWriterOptions {
  logger: Logger;
  /** First retry delay, doubled per consecutive failure up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: () => void;
  onPendingChange?: (delta: number) => void;
}

interface Write {
  what: string;
  run: () => Promise<void>;
}

/**
 * Writes one call's records in order, off the audio path, and never gives one up: a failed write is
 * logged and retried with backoff before anything queued after it (a turn update must not overtake
 * the turn). Only shutdown can leave writes unwritten, and `flush` reports how many.
 */
export class SerialWriter {
  readonly #options: SerialWriterOptions;
  readonly #queue: Write[] = [];
  #draining: Promise<void> | undefined;
  #stopped = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #wakeRetry: (() => void) | undefined;

  constructor(options: SerialWriterOptions) {
    this.#options = options;
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Queues a write; returns at once. `what` names it in logs (no personal data). */
  write(what: string, run: () => Promise<void>): void {
    if (this.#stopped) {
      this.#options.logger.error({ what }, 'record write after shutdown: not stored');
      return;
    }
    this.#queue.push({ what, run });
    this.#options.onPendingChange?.(1);
    this.#draining ??= this.#drain().finally(() => (this.#draining = undefined));
  }

  /** Waits up to `timeoutMs` for queued writes; then stops retrying. Returns how many were left unwritten. */
  async flush(timeoutMs: number): Promise<number> {
    if (this.#draining) {
      // Skip the current backoff: at shutdown, try once more right away.
      this.#wakeRetry?.();
      await Promise.race([this.#draining, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    }
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    this.#wakeRetry?.();
    const left = this.#queue.length;
    if (left > 0) this.#options.logger.error({ unwritten: left }, 'call records left unwritten at shutdown');
    return left;
  }

  async #drain(): Promise<void> {
    let failures = 0;
    while (this.#queue.length > 0 && !this.#stopped) {
      const write = this.#queue[0]!;
      try {
        await write.run();
        this.#queue.shift();
        this.#options.onPendingChange?.(-1);
        failures = 0;
      } catch (error) {
        failures++;
        const delayMs = Math.min((this.#options.baseDelayMs ?? 200) * 2 ** (failures - 1), this.#options.maxDelayMs ?? 10_000);
        this.#options.logger.warn({ what: write.what, error: errorMessage(error), retryInMs: delayMs }, 'record write failed; retrying');
        this.#options.onRetry?.();
        await new Promise<void>((resolve) => {
          this.#wakeRetry = resolve;
          this.#retryTimer = setTimeout(resolve, delayMs);
        });
        this.#wakeRetry = undefined;
      }
    }
  }
}
