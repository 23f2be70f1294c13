/**
 * Retry delays after failed refreshes: exponential, with jitter so that many replicas that lost
 * their issuer at the same moment do not come back in lockstep.
 */

export interface BackoffLimits {
  readonly minBackoff: number;
  readonly maxBackoff: number;
}

/**
 * The delay after `failures` consecutive failures (1, 2, ...): a random value between half and
 * all of `min(maxBackoff, minBackoff * 2^(failures-1))`, never below `minBackoff`. A
 * `Retry-After` from the server (seconds) lengthens it, up to `maxBackoff`.
 */
export function backoffDelay(
  failures: number,
  limits: BackoffLimits,
  random: () => number,
  retryAfterSeconds?: number,
): number {
  const ceiling = Math.min(
    limits.maxBackoff,
    limits.minBackoff * 2 ** Math.min(Math.max(failures - 1, 0), 40),
  );
  const delay = Math.max(limits.minBackoff, ceiling * (0.5 + 0.5 * random()));
  if (retryAfterSeconds === undefined) return delay;
  return Math.max(delay, Math.min(limits.maxBackoff, retryAfterSeconds * 1000));
}
