/**
 * Time as RemoteJWKSet sees it. Injected so that tests drive expiry, backoff and the stale bound
 * deterministically (DESIGN principle 7); the default is the system clock.
 */

/** An opaque timer handle, as returned by `Clock.setTimeout`. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `callback` once after `ms` milliseconds. Must not keep the process alive on its own. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Timers longer than 2^31-1 ms overflow in Node and browsers and fire at once; every delay is
 * clamped below that.
 */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * The system clock. Timers are `unref`'d where the handle has it (Node, Bun, and Deno 2, whose
 * timers are Node-style Timeout objects even in plain ESM), so a background refresh never keeps
 * a process from exiting (test/runtimes/exit.test.ts runs this on each of them).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const handle: unknown = globalThis.setTimeout(callback, Math.min(Math.max(0, ms), MAX_TIMER_DELAY));
    if (
      typeof handle === 'object' &&
      handle !== null &&
      'unref' in handle &&
      typeof handle.unref === 'function'
    ) {
      handle.unref();
    }
    return handle;
  },
  clearTimeout(handle) {
    globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]);
  },
};
