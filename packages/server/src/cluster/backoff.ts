/**
 * How long the primary waits before replacing a worker that exited. A worker that served for a
 * while and died (killed, out of memory) is replaced almost at once; a worker that keeps dying
 * (a store that cannot be opened, a bad certificate on disk) is replaced after a delay that
 * doubles each time, up to `maxMs`, so a crash loop costs a start every 30 s, not a spinning CPU.
 */

export interface RestartBackoffOptions {
  /** The first delay. Default 250 ms. */
  baseMs?: number;
  /** The longest delay. Default 30 s. */
  maxMs?: number;
  /** A worker that was up this long before it exited counts as stable: the delay starts again from `baseMs`. Default 30 s. */
  stableMs?: number;
}

export class RestartBackoff {
  readonly #base: number;
  readonly #max: number;
  readonly #stable: number;
  #failures = 0;

  constructor(options: RestartBackoffOptions = {}) {
    this.#base = options.baseMs ?? 250;
    this.#max = options.maxMs ?? 30_000;
    this.#stable = options.stableMs ?? 30_000;
  }

  /** Records an exit of a worker that had been up `upMs` and returns the delay before its replacement. */
  exited(upMs: number): number {
    this.#failures = upMs >= this.#stable ? 1 : this.#failures + 1;
    return Math.min(this.#max, this.#base * 2 ** (this.#failures - 1));
  }

  /** Exits in a row without a stable run (1 after one exit). */
  get failures(): number {
    return this.#failures;
  }
}
