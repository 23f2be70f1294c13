/**
 * Crash points for the key-custody crash tests only (test/signer/crash.test.ts): with
 * `JWKIT_FAULT=after:<point>` set, the process says so on stderr and kills itself with SIGKILL
 * right after that step, so a test can check that a restart brings token and store back in step.
 * Inert unless set: one environment read per step. Not a setting: it is not in the settings
 * table, and nothing in production sets it.
 *
 * Points, in the order a rotation and a revocation run them:
 * - `token-generate`: a key pair was made in the token (labelled with its kid), not yet in the store;
 * - `key-commit`: the store committed a change that leaves token objects to destroy (a revoked or
 *   removed key), before they are destroyed;
 * - `token-destroy`: a token object was destroyed after that commit.
 */

export type FaultPoint = 'token-generate' | 'key-commit' | 'token-destroy';

export function faultPoint(point: FaultPoint): void {
  const fault = process.env.JWKIT_FAULT;
  if (fault === undefined || fault !== `after:${point}`) return;
  process.stderr.write(`jwkit-test: fault after ${point}\n`);
  process.kill(process.pid, 'SIGKILL');
  // Nothing after the step may run while the signal is delivered.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
}
