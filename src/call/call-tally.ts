import type { EventEmitter } from 'node:events';
import type { CallFigures, CallSessionEvents } from './call-types.js';

export type TalliedFigures = Pick<CallFigures, 'firstAudioMs' | 'bargeIns' | 'reconnects' | 'maxReconnectGapMs' | 'toolCalls'>;

/**
 * The call's own counts, kept from the events the call emits (as metrics and the recorder observe
 * them), so the call's figures and what observers count can never disagree.
 */
export class CallTally {
  readonly #figures: TalliedFigures = { firstAudioMs: undefined, bargeIns: 0, reconnects: 0, maxReconnectGapMs: 0, toolCalls: 0 };

  constructor(call: EventEmitter<CallSessionEvents>) {
    call.on('firstAudio', ({ ms }) => (this.#figures.firstAudioMs = ms));
    call.on('bargeIn', () => this.#figures.bargeIns++);
    call.on('toolCall', () => this.#figures.toolCalls++);
    call.on('reconnected', ({ gapMs }) => {
      this.#figures.reconnects++;
      this.#figures.maxReconnectGapMs = Math.max(this.#figures.maxReconnectGapMs, gapMs);
    });
  }

  get figures(): Readonly<TalliedFigures> {
    return this.#figures;
  }
}
