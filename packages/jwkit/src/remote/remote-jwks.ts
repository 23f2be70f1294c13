/**
 * A JWK Set fetched over HTTP(S) and kept fresh: the key source for verifying tokens of an
 * issuer that publishes its keys at a URL (OpenID Connect `jwks_uri`, RFC 8414 §2).
 *
 * Life of the cache:
 * - first use fetches (every caller waits for that one fetch);
 * - fresh until the HTTP freshness lifetime ends (cache-policy.ts); a timer refreshes it before
 *   that, at a random point between 75% and 90% of the lifetime, with If-None-Match;
 * - after expiry the set is served stale for at most `maxStale` while refreshes are retried with
 *   exponential backoff; after that, selection fails until a refresh succeeds;
 * - a token whose key is not in the set (a `kid` the set lacks) triggers one refresh, shared by
 *   every caller (single flight), at most once per `cooldown`; tokens whose key is in the set
 *   never wait for it. A miss is only ever answered by a fetch that started after the lookup
 *   began: a fetch already in flight may predate the key's publication, so a miss that finds one
 *   waits for it and, if the key is still missing, gets a fetch of its own (issue 13.9).
 */

import { JWKError, KeySelectionError, RemoteJWKSError } from '../errors/index.js';
import type { JWK } from '../jwk/model.js';
import { JWKSet } from '../set/jwk-set.js';
import type { JWSHeader, KeySource, SelectedKey, SelectKeyOptions } from '../set/key-source.js';
import { acceptRemoteSet, type DroppedKey } from './accept-set.js';
import { backoffDelay } from './backoff.js';
import { type CacheHeaders, freshness } from './cache-policy.js';
import type { TimerHandle } from './clock.js';
import { RemoteJWKSAllFailedError, RemoteJWKSFetchError, remoteError } from './errors.js';
import type { RefreshReason, RemoteJWKSEvent } from './events.js';
import { type FetchJWKSResult, fetchJWKS } from './fetch-jwks.js';
import { type RemoteJWKSetOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { checkState, type RemoteJWKSState } from './state.js';
import { parseSourceURL } from './url-policy.js';

/** The set in use and what HTTP said about it. */
interface Held {
  readonly set: JWKSet;
  /** The configured URL that served it (its ETag is only ever sent back there). */
  readonly url: string;
  readonly etag: string | undefined;
  readonly cacheHeaders: CacheHeaders;
  readonly fetchedAt: number;
  readonly expiresAt: number;
  /**
   * Sequence number of the fetch that produced (or revalidated) this set; 0 for an imported
   * state. A lookup that began when `#fetches` was n is answered by a set with `seq > n`.
   */
  readonly seq: number;
}

/** Background refreshes fire at a random point in this fraction of the freshness lifetime. */
const REFRESH_WINDOW = [0.75, 0.9] as const;
/** Floor of every timer, so that a zero lifetime cannot turn into a fetch loop. */
const MIN_TIMER_DELAY = 1_000;

export class RemoteJWKSet implements KeySource {
  /** The configured URLs in priority order (normalized). */
  readonly urls: readonly string[];

  readonly #o: ResolvedOptions;
  #held: Held | undefined;
  #inflight: Promise<void> | undefined;
  /** Fetches started so far; the one in flight (if any) is number `#fetches`. */
  #fetches = 0;
  #timer: TimerHandle | undefined;
  #failures = 0;
  #lastError: RemoteJWKSError | undefined;
  /** Start of the last fetch caused by an unknown kid: the cooldown counts from it. */
  #lastMissFetchAt = Number.NEGATIVE_INFINITY;
  #nextAttemptAt = Number.NEGATIVE_INFINITY;
  /** Last transition reported through events, so each is reported once. */
  #reported: 'fresh' | 'stale' | 'expired' = 'fresh';
  #closed = false;
  readonly #closer = new AbortController();

  /**
   * `url`: the JWK Set URL, or several tried in order on every refresh (the first that yields a
   * usable set wins; a later URL is only used when every earlier one failed). Throws
   * `RemoteJWKSError` (`ERR_REMOTE_JWKS_OPTIONS`, `ERR_REMOTE_JWKS_INSECURE_URL`). Nothing is
   * fetched until the first use or `refresh()`.
   */
  constructor(url: string | URL | readonly (string | URL)[], options?: RemoteJWKSetOptions) {
    this.#o = resolveOptions(options);
    const list = typeof url === 'string' || url instanceof URL ? [url] : [...url];
    if (list.length === 0) throw remoteError('ERR_REMOTE_JWKS_OPTIONS', 'give at least one JWK Set URL');
    this.urls = Object.freeze([...new Set(list.map((u) => parseSourceURL(u, this.#o.http).href))]);
  }

  /** True while the set is within its HTTP freshness lifetime. */
  get fresh(): boolean {
    return this.#held !== undefined && this.#now() < this.#held.expiresAt;
  }

  /** True while the set has expired but is still served (within `maxStale`). */
  get stale(): boolean {
    const now = this.#now();
    return this.#held !== undefined && now >= this.#held.expiresAt && now < this.#staleUntil(this.#held);
  }

  /** Number of keys in the set being served (0 when none can be served). */
  get keyCount(): number {
    return this.fresh || this.stale ? (this.#held?.set.size ?? 0) : 0;
  }

  /** The error of the last refresh when it failed; `undefined` after a success. */
  get lastError(): RemoteJWKSError | undefined {
    return this.#lastError;
  }

  /** Epoch ms of the last successful response (200 or 304), or of the imported state. */
  get lastFetch(): number | undefined {
    return this.#held?.fetchedAt;
  }

  /** Epoch ms at which the current set stops being fresh. */
  get expiresAt(): number | undefined {
    return this.#held?.expiresAt;
  }

  /** The configured URL the current set came from. */
  get source(): string | undefined {
    return this.#held?.url;
  }

  /** KeySource: the key for this header, refreshing once (per cooldown) when none matches. */
  selectKey(header: JWSHeader, options?: SelectKeyOptions): Promise<SelectedKey> {
    return this.#withSet((set) => set.selectKey(header, options));
  }

  selectKeys(header: JWSHeader, options?: SelectKeyOptions): Promise<SelectedKey[]> {
    return this.#withSet((set) => set.selectKeys(header, options));
  }

  /**
   * KeySource fast path: the key when the set is servable and the handle is ready; `undefined`
   * when `selectKey` must run (no set yet, unknown kid, key not imported yet).
   */
  selectKeySync(header: JWSHeader, options?: SelectKeyOptions): SelectedKey | undefined {
    if (this.#closed) return undefined;
    const set = this.#serve(this.#now());
    if (set === undefined) return undefined;
    try {
      return set.selectKeySync(header, options);
    } catch (err) {
      if (isMiss(err)) return undefined;
      throw err;
    }
  }

  /**
   * A key function for jose: `jwtVerify(token, remote.getKey)`. Same selection, refresh and
   * stale rules as `selectKey`; resolves to the selected public JWK.
   */
  readonly getKey = (header: { alg?: string; kid?: string }): Promise<JWK> =>
    this.#withSet(async (set) => set.getKey(header));

  /**
   * Fetches now (or joins the fetch in flight), ignoring cooldown and backoff. Rejects with the
   * refresh's error when it failed; the last good set, if any, stays in use either way.
   */
  async refresh(): Promise<void> {
    this.#assertOpen();
    await this.#refresh(this.#held ? 'manual' : 'initial');
    this.#assertOpen();
    if (this.#lastError) throw this.#lastError;
  }

  /** The cache as plain JSON for `importState` in another instance; `undefined` before any fetch. */
  exportState(): RemoteJWKSState | undefined {
    const h = this.#held;
    if (h === undefined) return undefined;
    return {
      version: 1,
      url: h.url,
      jwks: { keys: h.set.toJSON().keys as RemoteJWKSState['jwks']['keys'] },
      ...(h.etag === undefined ? {} : { etag: h.etag }),
      cacheHeaders: { ...h.cacheHeaders },
      fetchedAt: h.fetchedAt,
      expiresAt: h.expiresAt,
    };
  }

  /**
   * Adopts an exported state. Throws `RemoteJWKSError` `ERR_REMOTE_JWKS_STATE` when it is
   * malformed, for another URL, or holds no usable key (keys are validated as if fetched).
   * Returns false, adopting nothing, when this instance already holds a set at least as recent
   * or the state is past its stale bound.
   */
  importState(state: unknown): boolean {
    this.#assertOpen();
    const now = this.#now();
    const s = checkState(state, this.urls, this.#o, now);
    let set: JWKSet;
    try {
      set = this.#setFrom(s.keys, s.url);
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw remoteError('ERR_REMOTE_JWKS_STATE', `cannot import the RemoteJWKSet state: ${why}`, cause);
    }
    if (this.#held !== undefined && this.#held.fetchedAt >= s.fetchedAt) return false;
    const held: Held = {
      set,
      url: s.url,
      etag: s.etag,
      cacheHeaders: s.cacheHeaders,
      fetchedAt: s.fetchedAt,
      expiresAt: s.expiresAt,
      // Not fetched by this instance: it answers no lookup miss (the keys may predate one).
      seq: 0,
    };
    if (now >= this.#staleUntil(held)) return false;
    this.#held = held;
    this.#reported = 'fresh';
    this.#emit({ type: 'state-imported', time: now, url: s.url, keys: set.size });
    this.#scheduleBeforeExpiry(held, now);
    return true;
  }

  /** Stops timers and aborts a fetch in flight. Later calls throw `ERR_REMOTE_JWKS_CLOSED`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimer();
    this.#closer.abort();
  }

  async #withSet<T>(use: (set: JWKSet) => Promise<T>): Promise<T> {
    // The lookup begins now: only a fetch started after this point can answer a miss.
    const asked = this.#fetches;
    const set = await this.#usableSet();
    try {
      return await use(set);
    } catch (err) {
      if (!isMiss(err) || !(await this.#refreshForMiss(asked))) throw err;
      const next = await this.#usableSet();
      // A 304, or a failed refresh: the same keys, so the same answer.
      if (next === set) throw err;
      return use(next);
    }
  }

  /** A set that may be used now, fetching first when there is none (unless backing off). */
  async #usableSet(): Promise<JWKSet> {
    this.#assertOpen();
    const set = this.#serve(this.#now());
    if (set !== undefined) return set;
    if (this.#inflight === undefined && this.#now() < this.#nextAttemptAt) throw this.#unavailable();
    await this.#refresh(this.#held ? 'expired' : 'initial');
    this.#assertOpen();
    return this.#serve(this.#now()) ?? throwError(this.#unavailable());
  }

  /**
   * The set to use at `now`, or `undefined` when there is none or it is past its stale bound.
   * Serving a stale set starts a refresh in the background (unless one runs or backoff says wait).
   */
  #serve(now: number): JWKSet | undefined {
    const h = this.#held;
    if (h === undefined) return undefined;
    if (now < h.expiresAt) return h.set;
    const staleUntil = this.#staleUntil(h);
    if (now < staleUntil) {
      if (this.#reported === 'fresh') {
        this.#reported = 'stale';
        this.#emit({ type: 'stale', time: now, expiresAt: h.expiresAt, staleUntil });
      }
      if (this.#inflight === undefined && now >= this.#nextAttemptAt) void this.#refresh('expired');
      return h.set;
    }
    if (this.#reported !== 'expired') {
      this.#reported = 'expired';
      this.#emit({ type: 'expired', time: now, staleUntil });
    }
    return undefined;
  }

  /**
   * For a header no key matched, in a lookup that began when `asked` fetches had started:
   * whether a set fetched after that point is now held (so selecting again is worth it). A
   * fetch in flight that started before the lookup is waited for but does not count, since it
   * may predate the key's publication; then one fetch of our own is started (shared by every
   * such miss: single flight) unless the cooldown since the last miss-caused fetch, or a
   * failure backoff, forbids it. False when no such set could be had.
   */
  async #refreshForMiss(asked: number): Promise<boolean> {
    for (;;) {
      this.#assertOpen();
      if (this.#held !== undefined && this.#held.seq > asked) return true;
      if (this.#inflight !== undefined) {
        // Join it: when it started after the lookup it answers the miss; otherwise wait for
        // it before deciding, so that single flight holds.
        await this.#inflight;
        continue;
      }
      const now = this.#now();
      if (now - this.#lastMissFetchAt < this.#o.cooldown || now < this.#nextAttemptAt) return false;
      this.#lastMissFetchAt = now;
      const seq = this.#fetches + 1;
      await this.#refresh('unknown-kid');
      this.#assertOpen();
      // Our fetch failed (the set in hand is older than the lookup): the same keys, same answer.
      if (this.#held === undefined || this.#held.seq < seq) return false;
    }
  }

  /** Single flight: every caller shares the refresh in progress. Never rejects. */
  #refresh(reason: RefreshReason): Promise<void> {
    if (this.#inflight === undefined) {
      const run: Promise<void> = this.#runRefresh(reason)
        .catch((err: unknown) => {
          // #runRefresh handles its own failures; this only guards against a bug escaping a timer.
          this.#lastError = toRemoteError(err, this.urls[0] ?? '');
        })
        .finally(() => {
          if (this.#inflight === run) this.#inflight = undefined;
        });
      this.#inflight = run;
    }
    return this.#inflight;
  }

  async #runRefresh(reason: RefreshReason): Promise<void> {
    this.#clearTimer();
    const seq = ++this.#fetches;
    const errors: RemoteJWKSError[] = [];
    for (const url of this.urls) {
      const previous = this.#held?.url === url ? this.#held : undefined;
      let outcome: { held: Held; status: 200 | 304 };
      try {
        const res = await fetchJWKS({
          url: new URL(url),
          fetch: this.#o.fetch,
          headers: this.#o.headers,
          etag: previous?.etag,
          timeout: this.#o.timeout,
          maxBytes: this.#o.maxBytes,
          http: this.#o.http,
          redirects: this.#o.redirects,
          ...(this.#o.lookup !== undefined && { addresses: { lookup: this.#o.lookup } }),
          clock: this.#o.clock,
          signal: this.#closer.signal,
        });
        if (this.#closed) return;
        outcome = { held: this.#heldFrom(res, url, previous, seq), status: res.status };
      } catch (err) {
        if (this.#closed) return;
        const error = toRemoteError(err, url);
        errors.push(error);
        this.#emit({ type: 'fetch-failed', time: this.#now(), url, error });
        continue;
      }
      this.#adopt(outcome.held, outcome.status, reason);
      return;
    }
    this.#failed(reason, errors);
  }

  /** The set a response leaves us with; throws when a 200's body is not a usable set. */
  #heldFrom(res: FetchJWKSResult, url: string, previous: Held | undefined, seq: number): Held {
    const now = this.#now();
    let set: JWKSet;
    let cacheHeaders: CacheHeaders;
    let etag = res.headers.get('etag') ?? undefined;
    if (res.status === 200) {
      set = this.#setFrom(res.body, url);
      cacheHeaders = cacheHeadersOf(res.headers, {});
    } else if (previous !== undefined) {
      // RFC 9111 §4.3.4: a 304 updates the stored response's header fields; the body stays.
      set = previous.set;
      cacheHeaders = cacheHeadersOf(res.headers, previous.cacheHeaders);
      etag ??= previous.etag;
    } else {
      throw new RemoteJWKSFetchError('ERR_REMOTE_JWKS_STATUS', `${url}: 304 without a cached set`, {
        url,
        status: 304,
      });
    }
    const { ttl } = freshness(
      { ...cacheHeaders, date: res.headers.get('date'), age: res.headers.get('age') },
      now,
      this.#o,
    );
    return { set, url, etag, cacheHeaders, fetchedAt: now, expiresAt: now + ttl, seq };
  }

  #adopt(held: Held, status: 200 | 304, reason: RefreshReason): void {
    this.#settle();
    this.#held = held;
    this.#failures = 0;
    this.#lastError = undefined;
    this.#nextAttemptAt = Number.NEGATIVE_INFINITY;
    this.#reported = 'fresh';
    const { url, fetchedAt: time, expiresAt } = held;
    this.#emit({ type: 'refreshed', time, reason, url, status, keys: held.set.size, expiresAt });
    this.#scheduleBeforeExpiry(held, time);
  }

  /**
   * Ends the refresh in flight for new callers before its outcome is published, so that a timer
   * (or an event listener) reacting to the outcome can start the next refresh rather than join
   * the finished one.
   */
  #settle(): void {
    this.#inflight = undefined;
  }

  #failed(reason: RefreshReason, errors: RemoteJWKSError[]): void {
    this.#settle();
    this.#failures++;
    const error = errors.length === 1 && errors[0] ? errors[0] : new RemoteJWKSAllFailedError(errors);
    this.#lastError = error;
    let retryAfter: number | undefined;
    for (const e of errors) {
      if (e instanceof RemoteJWKSFetchError && e.retryAfter !== undefined)
        retryAfter = Math.max(retryAfter ?? 0, e.retryAfter);
    }
    const delay = backoffDelay(this.#failures, this.#o, this.#o.random, retryAfter);
    const now = this.#now();
    this.#nextAttemptAt = now + delay;
    this.#emit({
      type: 'refresh-failed',
      time: now,
      reason,
      error,
      failures: this.#failures,
      retryAt: this.#nextAttemptAt,
    });
    this.#schedule(delay);
  }

  #scheduleBeforeExpiry(held: Held, now: number): void {
    const [from, to] = REFRESH_WINDOW;
    const lifetime = held.expiresAt - held.fetchedAt;
    const at = held.fetchedAt + lifetime * (from + (to - from) * this.#o.random());
    this.#schedule(at - now);
  }

  #schedule(delay: number): void {
    this.#clearTimer();
    if (!this.#o.backgroundRefresh || this.#closed) return;
    this.#timer = this.#o.clock.setTimeout(
      () => {
        this.#timer = undefined;
        void this.#refresh('background');
      },
      Math.max(MIN_TIMER_DELAY, delay),
    );
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The usable keys of a fetched or imported document, each dropped key reported. */
  #setFrom(input: string | object, url: string): JWKSet {
    const report = (d: DroppedKey) => this.#emit({ type: 'key-dropped', time: this.#now(), url, ...d });
    const keys = acceptRemoteSet(input, this.#o, url, report);
    return JWKSet.from({ keys }, { multipleMatches: this.#o.multipleMatches });
  }

  #emit(event: RemoteJWKSEvent): void {
    try {
      this.#o.onEvent?.(event);
    } catch {
      // A logging hook must not break key selection or a timer.
    }
  }

  #staleUntil(held: Held): number {
    return held.expiresAt + this.#o.maxStale;
  }

  #unavailable(): RemoteJWKSError {
    const why = this.#lastError ? `; last error: ${this.#lastError.message} [${this.#lastError.code}]` : '';
    const what =
      this.#held === undefined
        ? 'no JWK Set has been fetched yet'
        : `the JWK Set from ${this.#held.url} expired at ${new Date(this.#held.expiresAt).toISOString()} and is past maxStale`;
    return remoteError('ERR_REMOTE_JWKS_UNAVAILABLE', `${what}${why}`, this.#lastError);
  }

  #assertOpen(): void {
    if (this.#closed)
      throw remoteError('ERR_REMOTE_JWKS_CLOSED', 'this RemoteJWKSet was closed; create a new one');
  }

  #now(): number {
    return this.#o.clock.now();
  }
}

/** A selection that found no key, which a newer set might fix (not an ambiguity or a bad alg). */
function isMiss(err: unknown): boolean {
  return err instanceof KeySelectionError && err.code === 'ERR_JWKS_NO_MATCHING_KEY';
}

function cacheHeadersOf(headers: Headers, previous: CacheHeaders): CacheHeaders {
  const cacheControl = headers.get('cache-control') ?? previous.cacheControl;
  const expires = headers.get('expires') ?? previous.expires;
  return {
    ...(cacheControl === undefined ? {} : { cacheControl }),
    ...(expires === undefined ? {} : { expires }),
  };
}

function toRemoteError(err: unknown, url: string): RemoteJWKSError {
  if (err instanceof RemoteJWKSError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new RemoteJWKSFetchError(
    'ERR_REMOTE_JWKS_INVALID',
    `${url}: the fetched JWK Set could not be used: ${detail}${err instanceof JWKError ? '' : ' (unexpected error)'}`,
    { url, cause: err },
  );
}

function throwError(err: Error): never {
  throw err;
}
