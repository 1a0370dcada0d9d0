/*
 * Hand-written because it is the Realtime protocol's own rule, not a library's: a conversation runs
 * one response at a time, and a response.create sent while one is running is refused. Tool outputs
 * and key presses ask for a response whenever they are ready; the gate sends it when the model is free.
 */
export class ResponseGate {
  readonly #send: () => boolean;
  readonly #active = new Set<string>();
  /** A response.create left and its response.created has not come back yet. */
  #creating = false;
  #wanted = false;

  constructor(send: () => boolean) {
    this.#send = send;
  }

  /** Asks the model to respond now, or as soon as the running response is done. */
  request(): void {
    if (this.#active.size > 0 || this.#creating) {
      this.#wanted = true;
      return;
    }
    this.#wanted = false;
    this.#creating = this.#send();
  }

  onCreated(responseId: string): void {
    this.#creating = false;
    this.#active.add(responseId);
  }

  onDone(responseId: string): void {
    this.#active.delete(responseId);
    if (this.#wanted) this.request();
  }

  /** A response is running, or one was asked for and has not been created yet. */
  get isBusy(): boolean {
    return this.#active.size > 0 || this.#creating || this.#wanted;
  }

  /** The session was lost: its responses will never finish, and what was asked of it is void. */
  reset(): void {
    this.#active.clear();
    this.#creating = false;
    this.#wanted = false;
  }
}
