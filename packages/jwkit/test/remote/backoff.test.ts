import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/remote/backoff.js';

const limits = { minBackoff: 1_000, maxBackoff: 300_000 };

describe('backoffDelay', () => {
  it('doubles the ceiling per consecutive failure, with jitter between half and all of it', () => {
    expect(backoffDelay(3, limits, () => 0)).toBe(2_000);
    expect(backoffDelay(3, limits, () => 0.999999)).toBeCloseTo(4_000, 0);
  });

  it('never goes below minBackoff nor above maxBackoff', () => {
    expect(backoffDelay(1, limits, () => 0)).toBe(1_000);
    for (const failures of [20, 100, 10_000]) {
      expect(backoffDelay(failures, limits, () => 0.999999)).toBeLessThanOrEqual(300_000);
      expect(backoffDelay(failures, limits, () => 0)).toBe(150_000);
    }
  });

  it('waits at least a Retry-After, capped by maxBackoff', () => {
    expect(backoffDelay(1, limits, () => 0, 60)).toBe(60_000);
    expect(backoffDelay(1, limits, () => 0, 86_400)).toBe(300_000);
  });
});
