/** The replacement delay of `jwkit serve --workers`: a crash loop backs off, a stable worker starts over. */
import { describe, expect, it } from 'vitest';
import { RestartBackoff } from '../../src/cluster/backoff.js';

describe('RestartBackoff', () => {
  it('doubles the delay for each exit in a row, up to the cap, so a crash loop does not spin', () => {
    const b = new RestartBackoff({ baseMs: 250, maxMs: 30_000, stableMs: 30_000 });
    const delays = Array.from({ length: 10 }, () => b.exited(0));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(b.failures).toBe(10);
  });

  it('starts again from the first delay after a worker that stayed up long enough', () => {
    const b = new RestartBackoff({ baseMs: 100, maxMs: 10_000, stableMs: 5000 });
    b.exited(0);
    b.exited(4999);
    expect(b.exited(10)).toBe(400);
    expect(b.exited(5000)).toBe(100);
    expect(b.failures).toBe(1);
  });
});
