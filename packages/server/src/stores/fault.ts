/**
 * Fault injection for the crash tests only: with `JWKIT_TEST_COMMIT_PAUSE_MS` set, a commit of
 * two or more keys stops half-way through its writes (inside the transaction), says so on
 * stderr, and waits, so a test can `kill -9` the process exactly there. Unset in production:
 * then this is one environment read per commit.
 */

const MARK = 'jwkit-test: commit paused\n';

function pauseMs(): number {
  const v = Number(process.env.JWKIT_TEST_COMMIT_PAUSE_MS ?? 0);
  return Number.isFinite(v) && v > 0 ? v : 0;
}

/** Synchronous pause (SQLite commits run synchronously). */
export function commitPause(): void {
  const ms = pauseMs();
  if (ms === 0) return;
  process.stderr.write(MARK);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Asynchronous pause (PostgreSQL commits). */
export async function commitPauseAsync(): Promise<void> {
  const ms = pauseMs();
  if (ms === 0) return;
  process.stderr.write(MARK);
  await new Promise((r) => setTimeout(r, ms));
}
