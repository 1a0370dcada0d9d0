/*
 * Per-call fault isolation: every event a call handles from either socket and every timer it owns
 * runs through `wrap`, so a bug in one call's handling reaches that call's `onFault` (which ends the
 * call as failed) instead of the process's uncaughtException, which would drop every call on the
 * instance.
 */
export class FaultGuard {
  readonly #onFault: (where: string, error: unknown) => void;

  constructor(onFault: (where: string, error: unknown) => void) {
    this.#onFault = onFault;
  }

  wrap<A extends unknown[]>(where: string, handle: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        handle(...args);
      } catch (error) {
        this.#onFault(where, error);
      }
    };
  }

  /** For promise chains a call starts: their rejections are the call's faults too. */
  catch(where: string, work: Promise<unknown>): void {
    work.catch((error: unknown) => this.#onFault(where, error));
  }
}
