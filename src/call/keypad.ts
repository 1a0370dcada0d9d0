/** Digits pressed within this long of each other are one entry (an order number, a menu choice). */
export const KEYPAD_BURST_GAP_MS = 1500;
/** Ends an entry at once, as phone menus have taught callers. */
const END_KEY = '#';

/**
 * Collects the caller's key presses (DTMF) into bursts: one burst ends 1.5 s after its last digit,
 * or at once on `#`. Owns its one timer.
 */
export class KeypadBursts {
  readonly #onBurst: (digits: string) => void;
  #digits = '';
  #timer: NodeJS.Timeout | undefined;

  constructor(onBurst: (digits: string) => void) {
    this.#onBurst = onBurst;
  }

  press(digit: string): void {
    clearTimeout(this.#timer);
    this.#digits += digit;
    if (digit === END_KEY) this.#flush();
    else this.#timer = setTimeout(() => this.#flush(), KEYPAD_BURST_GAP_MS);
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#digits = '';
  }

  #flush(): void {
    clearTimeout(this.#timer);
    const digits = this.#digits;
    this.#digits = '';
    if (digits) this.#onBurst(digits);
  }
}
