/** Where `closed` is emitted: the simulated caller. */
interface ClosingStream {
  on(event: 'closed', listener: () => void): unknown;
  off(event: 'closed', listener: () => void): unknown;
}

/**
 * Promises on the call's state: each condition is checked again whenever the caller wakes the waiters
 * (every frame, and when the line closes) and when the stream emits `closed`.
 */
export class Waiters {
  readonly #stream: ClosingStream;
  readonly #checks = new Set<() => void>();

  constructor(stream: ClosingStream) {
    this.#stream = stream;
  }

  wake(): void {
    for (const check of this.#checks) check();
  }

  /** Resolves once `condition` holds; rejects after `timeoutMs`, naming `what` it waited for. */
  until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const onClosed = () => check();
      const cleanup = () => {
        clearTimeout(timer);
        this.#checks.delete(check);
        this.#stream.off('closed', onClosed);
      };
      this.#checks.add(check);
      this.#stream.on('closed', onClosed);
    });
  }
}
