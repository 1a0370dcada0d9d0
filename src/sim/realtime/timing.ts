/** How the simulated model paces itself. */
export interface SimTiming {
  /**
   * The model's thinking time: from the end of the caller's turn (or response.create) to the first
   * audio delta, or to the function calls. A fixed delay, or one drawn uniformly from a range for each response.
   */
  modelLatencyMs: number | { minMs: number; maxMs: number };
  /** Audio per delta, in ms. */
  deltaMs: number;
  /** Generation speed relative to real time (the real service is faster than real time). */
  speed: number;
  /** From commit to the input transcription. */
  transcriptionDelayMs: number;
  /** A cancellation takes effect this late, with deltas still flowing meanwhile (in-flight audio). */
  cancelLagMs: number;
}

export const DEFAULT_SIM_TIMING: SimTiming = {
  modelLatencyMs: 250,
  deltaMs: 100,
  speed: 4,
  transcriptionDelayMs: 150,
  cancelLagMs: 0,
};

/** This response's thinking time. */
export function modelLatencyMs(timing: SimTiming): number {
  const latency = timing.modelLatencyMs;
  return typeof latency === 'number' ? latency : latency.minMs + Math.random() * (latency.maxMs - latency.minMs);
}

/** A session's timers, so that closing its socket stops every one still pending. */
export class SimTimers {
  readonly #timers = new Set<NodeJS.Timeout>();

  later(delayMs: number, action: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, delayMs);
    this.#timers.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  cancelAll(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
