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

  /**
   * Handlers take at most two arguments, passed as they are: a rest parameter and a spread call here
   * would make an array for every media frame and model event.
   */
  wrap<A extends [] | [unknown] | [unknown, unknown]>(where: string, handle: (...args: A) => void): (...args: A) => void {
    const call = handle as (first?: unknown, second?: unknown) => void;
    return ((first?: unknown, second?: unknown) => {
      try {
        call(first, second);
      } catch (error) {
        this.#onFault(where, error);
      }
    }) as (...args: A) => void;
  }

  /** For promise chains a call starts: their rejections are the call's faults too. */
  catch(where: string, work: Promise<unknown>): void {
    work.catch((error: unknown) => this.#onFault(where, error));
  }
}
