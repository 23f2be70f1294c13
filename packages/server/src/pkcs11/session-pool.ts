/**
 * Several sessions on one token, so that signing is not serialised behind one.
 *
 * A PKCS#11 session runs one cryptographic operation at a time (C_SignInit … C_Sign, PKCS#11
 * v2.40 §5.12), so concurrent signatures need one session each. The pool opens sessions lazily up
 * to `max` (bounded by the token's ulMaxSessionCount when it states one) and queues callers beyond
 * that, first come first served. The login state belongs to the application and token, not to a
 * session (v2.40 §5.5): one C_Login covers every session, and closing the last session logs out.
 *
 * A session the token dropped — CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_DEVICE_REMOVED
 * or CKR_USER_NOT_LOGGED_IN (the login went with the last session) — or one stuck with an
 * operation (CKR_OPERATION_ACTIVE) is re-opened and logged in again, and the operation retried
 * once.
 */

import { JWKitError } from 'jwkit';
import { TokenError } from './errors.js';
import { ckrName, type Handle, type LoadedModule } from './module.js';
import type { PoolStats } from './pool-stats.js';

const DROPPED = new Set([
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_DEVICE_REMOVED',
  'CKR_USER_NOT_LOGGED_IN',
  // An operation left active on the session (a C_SignInit whose C_Sign never ran): v2.40 has no
  // way to cancel it, so the session is replaced like a dropped one.
  'CKR_OPERATION_ACTIVE',
]);

/** True for the CKR_* values that mean "this session is unusable": re-open and retry. */
export function isDroppedSession(error: unknown): boolean {
  const name = ckrName(error);
  return name !== undefined && DROPPED.has(name);
}

/**
 * How many sessions a pool may open: what was asked for, one fewer than the token's
 * ulMaxSessionCount when it states one (a session is left for other applications and
 * pkcs11-tool), and 1 for a library initialised without locking (one call at a time).
 */
export function sessionBound(wanted: number, tokenMax: number | undefined, threadSafe: boolean): number {
  const limit = threadSafe ? wanted : 1;
  return tokenMax === undefined ? limit : Math.min(limit, Math.max(1, tokenMax - 1));
}

interface Slot {
  handle: Handle;
}

export class SessionPool {
  readonly #mod: LoadedModule;
  readonly #slot: Handle;
  readonly #pin: string | null;
  readonly #max: number;
  readonly #idle: Slot[] = [];
  readonly #waiters: Array<(s: Slot) => void> = [];
  #open = 0;
  #busy = 0;
  #peak = 0;
  #reopened = 0;
  #relogins = 0;
  #closed = false;
  readonly #drained: Array<() => void> = [];

  constructor(mod: LoadedModule, slot: Handle, pin: string | null, max: number) {
    this.#mod = mod;
    this.#slot = slot;
    this.#pin = pin;
    this.#max = Math.max(1, max);
  }

  /** Opens the first session and logs in: the PIN errors surface here, before anything is made. */
  async start(): Promise<void> {
    const slot = { handle: this.#openSession() };
    this.#open++;
    try {
      this.#login(slot.handle);
    } catch (e) {
      this.#closeQuietly(slot.handle);
      this.#open--;
      throw e;
    }
    this.#idle.push(slot);
  }

  stats(): PoolStats {
    const open = this.#closed ? this.#busy : this.#open;
    return {
      open,
      max: this.#max,
      busy: this.#busy,
      peakBusy: this.#peak,
      reopened: this.#reopened,
      relogins: this.#relogins,
    };
  }

  /**
   * Runs `fn` on a session of its own; a dropped session is re-opened and `fn` retried once.
   * `verifyLogin` first checks that the session is in a user state and logs in again if not: a
   * search (C_FindObjects) on a session that lost its login does not fail, it silently leaves the
   * private objects out (v2.40 §4.4), which must never read as "the key is not there".
   */
  async run<T>(fn: (session: Handle) => Promise<T> | T, options: { verifyLogin?: boolean } = {}): Promise<T> {
    const slot = await this.#acquire();
    this.#busy++;
    this.#peak = Math.max(this.#peak, this.#busy);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          if (options.verifyLogin) this.#ensureLoggedIn(slot.handle);
          return await fn(slot.handle);
        } catch (error) {
          if (attempt > 0 || !isDroppedSession(error) || this.#closed) throw coded(error, attempt);
          this.#reopen(slot, error);
        }
      }
    } finally {
      this.#busy--;
      this.#release(slot);
    }
  }

  /**
   * Closes every session (the last close logs out, v2.40 §5.6) once the running operations are
   * done, so that the library is never finalised under a C_Sign; queued callers get
   * ERR_PKCS11_CLOSED.
   */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const slot of this.#idle.splice(0)) this.#closeQuietly(slot.handle);
      const waiters = this.#waiters.splice(0);
      for (const w of waiters) w({ handle: Buffer.alloc(0) });
    }
    if (this.#busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  async #acquire(): Promise<Slot> {
    if (this.#closed) throw closedError();
    const idle = this.#idle.pop();
    if (idle !== undefined) return idle;
    if (this.#open < this.#max) {
      this.#open++;
      try {
        const handle = this.#openSession();
        try {
          this.#ensureLoggedIn(handle);
        } catch (e) {
          this.#closeQuietly(handle);
          throw e;
        }
        return { handle };
      } catch (e) {
        this.#open--;
        throw e;
      }
    }
    const slot = await new Promise<Slot>((resolve) => this.#waiters.push(resolve));
    if (this.#closed) throw closedError();
    return slot;
  }

  #release(slot: Slot): void {
    if (this.#closed) {
      this.#closeQuietly(slot.handle);
      if (this.#busy === 0) for (const done of this.#drained.splice(0)) done();
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) waiter(slot);
    else this.#idle.push(slot);
  }

  #openSession(): Handle {
    const { p11, lib } = this.#mod;
    try {
      return p11.C_OpenSession(this.#slot, lib.CKF_SERIAL_SESSION | lib.CKF_RW_SESSION);
    } catch (cause) {
      throw new TokenError(
        'ERR_PKCS11_DEVICE',
        `C_OpenSession failed: ${ckrName(cause) ?? (cause as Error).message}; check that the token is present and not at its session limit (lower the number of sessions)`,
        { cause },
      );
    }
  }

  #login(session: Handle): void {
    const { p11, lib } = this.#mod;
    try {
      if (this.#pin === null) p11.C_Login(session, lib.CKU_USER);
      else p11.C_Login(session, lib.CKU_USER, this.#pin);
    } catch (cause) {
      const name = ckrName(cause);
      if (name === 'CKR_USER_ALREADY_LOGGED_IN') return;
      throw pinError(name, cause);
    }
  }

  /** Logs in again when `session` lost the login (see `run`'s verifyLogin). */
  verifyLogin(session: Handle): void {
    this.#ensureLoggedIn(session);
  }

  /** A new session shares the application's login; log in only when the token says we are out. */
  #ensureLoggedIn(session: Handle): void {
    const state = this.#mod.p11.C_GetSessionInfo(session).state;
    // CKS_RO_USER_FUNCTIONS = 1, CKS_RW_USER_FUNCTIONS = 3 (v2.40 §5.6, table 9).
    if (state === 1 || state === 3) return;
    this.#login(session);
    this.#relogins++;
  }

  #reopen(slot: Slot, cause: unknown): void {
    this.#closeQuietly(slot.handle);
    try {
      slot.handle = this.#openSession();
      this.#login(slot.handle);
      this.#reopened++;
    } catch (error) {
      throw new TokenError(
        'ERR_PKCS11_DEVICE',
        `the token dropped the session (${ckrName(cause)}) and re-opening it failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  #closeQuietly(session: Handle): void {
    try {
      this.#mod.p11.C_CloseSession(session);
    } catch {
      // Already gone (the token dropped it): nothing to close.
    }
  }
}

/** Every failure leaves the pool as a coded error: a bare pkcs11js error becomes ERR_PKCS11_DEVICE. */
function coded(error: unknown, attempt: number): unknown {
  if (error instanceof JWKitError) return error;
  const name = ckrName(error) ?? (error as Error).message;
  return new TokenError(
    'ERR_PKCS11_DEVICE',
    attempt > 0
      ? `the PKCS#11 token failed again after its session was re-opened (${name}): check the token and its connection`
      : `a PKCS#11 call failed on the token (${name})`,
    { cause: error },
  );
}

function closedError(): TokenError {
  return new TokenError('ERR_PKCS11_CLOSED', 'the PKCS#11 token was closed; open it again to sign');
}

/** The error for a refused login, naming the PIN problem (the message never holds the PIN). */
function pinError(name: string | undefined, cause: unknown): TokenError {
  const what =
    name === 'CKR_PIN_INCORRECT'
      ? 'the token refused the PIN (CKR_PIN_INCORRECT): check pin-source / pin-value; tokens lock the PIN after a few wrong tries, so fix it before retrying'
      : name === 'CKR_PIN_LOCKED'
        ? 'the user PIN is locked (CKR_PIN_LOCKED): the security officer must unlock or reset it'
        : name === 'CKR_PIN_LEN_RANGE'
          ? 'the PIN has a length the token does not accept (CKR_PIN_LEN_RANGE): check the PIN file (one line, no extra characters)'
          : name === 'CKR_PIN_EXPIRED'
            ? 'the PIN has expired (CKR_PIN_EXPIRED): set a new one with the token tools'
            : name === 'CKR_USER_PIN_NOT_INITIALIZED'
              ? 'the token has no user PIN yet (CKR_USER_PIN_NOT_INITIALIZED): initialise it (softhsm2-util --init-token ... --pin)'
              : `C_Login failed (${name ?? (cause as Error).message})`;
  return new TokenError('ERR_PKCS11_PIN', `PKCS#11 login: ${what}`, { cause });
}
