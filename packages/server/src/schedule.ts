/**
 * The key schedule as pure functions of (stored keys, policies, now): what to change, how long a
 * JWKS response may be cached, when the next change falls due, and the invariants. No I/O: the
 * key manager loads a snapshot, runs a `Draft` over it and commits the result in one transaction.
 *
 * Lifecycle per algorithm: `next` (published, not signing) -> `current` (signing) -> `retired`
 * (published until every token it signed can have expired, plus the longest time a cache may
 * hold a set without it) -> removed. `revoked` at any time: out of the set at once.
 *
 * Two rules keep every verifier able to check every token:
 * - a key signs only after it has been published for `prePublish` (when the schedule is late,
 *   activation is postponed and the current key signs a little longer, never the reverse);
 * - a JWKS response is cacheable only until the earliest activation of a key it does not
 *   contain (`cacheLifetime`).
 */

import { KeyLifecycleError } from './errors.js';
import type { Policy, StoredPolicy } from './policy.js';
import type { KeyState, Mutation, StoredKey } from './stores/store.js';

export interface ScheduleSettings {
  readonly policies: readonly Policy[];
  /** The longest `max-age` a JWKS response carries, in ms. */
  readonly cacheMaxAge: number;
  /** The `stale-while-revalidate` window, in ms: a cache may serve this much past max-age. */
  readonly staleWhileRevalidate: number;
  /** Allowance for clock skew between replicas and verifiers and for a replica's poll delay, in ms. */
  readonly skew: number;
  /** Per alg, no retiring or revoked key is removed before this time (ms); see policy.ts `StoredPolicy`. */
  readonly retainUntil?: Readonly<Record<string, number>>;
}

export type ScheduleEvent =
  | { type: 'created'; alg: string; kid: string; state: KeyState }
  | { type: 'rotated'; alg: string; from: string | null; to: string; forced: boolean }
  | { type: 'revoked'; alg: string; kid: string }
  | { type: 'removed'; alg: string; kid: string }
  | { type: 'imported'; alg: string; kid: string; state: KeyState };

/**
 * How long a retired (or revoked) key is kept after it stopped signing: its longest token, plus
 * the longest a cache may serve a set, plus the skew allowance. A key of an algorithm no longer
 * configured gets the longest token lifetime of any policy.
 */
export function retention(alg: string, s: ScheduleSettings): number {
  const policy = s.policies.find((p) => p.alg === alg);
  const lifetime = policy?.maxTokenLifetime ?? Math.max(...s.policies.map((p) => p.maxTokenLifetime));
  return lifetime + s.cacheMaxAge + s.staleWhileRevalidate + s.skew;
}

/** When a key of `alg` that stops signing at `now` may be removed: its retention, never before the policy's floor. */
export function expiryOf(alg: string, now: number, s: ScheduleSettings): number {
  return Math.max(now + retention(alg, s), s.retainUntil?.[alg] ?? 0);
}

/** The schedule settings of a stored policy. */
export function settingsOf(p: StoredPolicy): ScheduleSettings {
  return {
    policies: p.policies,
    cacheMaxAge: p.cacheMaxAge,
    staleWhileRevalidate: p.staleWhileRevalidate,
    skew: p.skew,
    retainUntil: p.retainUntil,
  };
}

/** A key record that `Draft` places in the schedule; its state and times are set there. */
export type FreshKey = Pick<
  StoredKey,
  'kid' | 'alg' | 'kty' | 'publicJwk' | 'sealedPrivate' | 'origin' | 'publicMac' | 'custody'
>;

/**
 * A working copy of the keys that the lifecycle operations edit. `supply(alg)` hands out newly
 * generated keys; when it has none, the draft records the shortfall in `missing` and stops
 * planning that algorithm, and the caller generates the keys and runs the operation again.
 */
export class Draft {
  readonly #keys = new Map<string, StoredKey>();
  readonly #changed = new Set<string>();
  readonly #removed = new Set<string>();
  readonly missing = new Map<string, number>();
  readonly #original: ReadonlySet<string>;
  readonly #log: ScheduleEvent[] = [];
  readonly #policies: Map<string, Policy>;

  constructor(
    keys: readonly StoredKey[],
    readonly now: number,
    readonly settings: ScheduleSettings,
    private readonly supply: (alg: string) => FreshKey | undefined,
  ) {
    for (const k of keys) this.#keys.set(k.kid, k);
    this.#original = new Set(this.#keys.keys());
    this.#policies = new Map(settings.policies.map((p) => [p.alg, p]));
  }

  /** What the draft did: new keys (in their final state) first, then rotations, revocations, removals. */
  get events(): ScheduleEvent[] {
    const added: ScheduleEvent[] = [];
    for (const kid of this.#changed) {
      const k = this.#keys.get(kid)!;
      if (this.#original.has(kid)) continue;
      added.push({ type: k.origin === 'imported' ? 'imported' : 'created', alg: k.alg, kid, state: k.state });
    }
    return [...added, ...this.#log];
  }

  get changed(): boolean {
    return this.#changed.size > 0 || this.#removed.size > 0;
  }

  keys(): StoredKey[] {
    return [...this.#keys.values()];
  }

  get(kid: string): StoredKey | undefined {
    return this.#keys.get(kid);
  }

  policy(alg: string): Policy | undefined {
    return this.#policies.get(alg);
  }

  mutation(): Mutation {
    return {
      upsert: [...this.#changed].map((kid) => this.#keys.get(kid)!),
      remove: [...this.#removed],
    };
  }

  /** Brings every configured algorithm up to date at `now`. */
  schedule(): void {
    this.#expire();
    for (const p of this.settings.policies) this.#scheduleAlg(p);
  }

  /** Starts the next key now (or a new one when none is published yet). */
  rotate(alg: string): void {
    const p = this.#policies.get(alg);
    if (!p) throw new KeyLifecycleError('ERR_ALG_NOT_CONFIGURED', `${alg} is not configured here`);
    const next = this.#find(alg, 'next');
    if (next) this.#promote(p, next, true);
    else {
      const fresh = this.#fresh(alg);
      if (!fresh) return;
      this.#promote(p, this.#place(fresh, this.now, this.now), true);
    }
    this.#scheduleAlg(p);
  }

  /** Takes `kid` out of the published set at once; a revoked current key is replaced at once. */
  revoke(kid: string): StoredKey {
    const key = this.#keys.get(kid)!;
    const wasCurrent = key.state === 'current';
    const p = this.#policies.get(key.alg);
    this.#put({
      ...key,
      state: 'revoked',
      revokedAt: this.now,
      retiresAt: Math.min(key.retiresAt, this.now),
      expiresAt: expiryOf(key.alg, this.now, this.settings),
    });
    this.#log.push({ type: 'revoked', alg: key.alg, kid });
    if (wasCurrent && p) this.rotate(key.alg);
    else if (p) this.#scheduleAlg(p);
    return this.#keys.get(kid)!;
  }

  /**
   * Adds an imported key: as the next key (replacing a generated next key, which never signed,
   * and published for `prePublish` before it signs), or with `activate` as the current key now.
   */
  add(fresh: FreshKey, activate: boolean): StoredKey {
    const p = this.#policies.get(fresh.alg)!;
    const current = this.#find(fresh.alg, 'current');
    const old = this.#find(fresh.alg, 'next');
    if (old && !(activate && current)) this.#remove(old);
    if (activate || !current) {
      const placed = this.#place(fresh, this.now, this.now);
      this.#promote(p, placed, true);
    } else {
      const activates = Math.max(current.retiresAt, this.now + p.prePublish);
      this.#place(fresh, activates, activates + p.rotationPeriod);
      if (current.retiresAt < activates) this.#put({ ...current, retiresAt: activates });
    }
    this.#scheduleAlg(p);
    return this.#keys.get(fresh.kid)!;
  }

  /** Stops using an algorithm that is no longer configured: current -> retired, next -> removed. */
  retireAlg(alg: string): void {
    const current = this.#find(alg, 'current');
    if (current) this.#retire(current);
    const next = this.#find(alg, 'next');
    if (next) this.#remove(next);
  }

  #scheduleAlg(p: Policy): void {
    if (this.missing.has(p.alg)) return; // planned again once the missing key exists
    let current = this.#find(p.alg, 'current');
    let next = this.#find(p.alg, 'next');
    if (!current) {
      // Nothing signs: the first start, or a revoked key whose replacement could not be made.
      if (!next) {
        const fresh = this.#fresh(p.alg);
        if (!fresh) return;
        next = this.#place(fresh, this.now, this.now);
      }
      current = this.#promote(p, next, false);
      next = undefined;
    } else if (current.retiresAt <= this.now && next) {
      if (next.activatesAt <= this.now) {
        current = this.#promote(p, next, false);
        next = undefined;
      } else if (current.retiresAt < next.activatesAt) {
        current = this.#put({ ...current, retiresAt: next.activatesAt });
      }
    }
    if (!next && this.now >= current.retiresAt - p.prePublish) {
      const fresh = this.#fresh(p.alg);
      if (!fresh) return;
      // Late (the service was down while the key should have been announced): the new key still
      // gets its full pre-publication, and the current key signs until then.
      const activates = Math.max(current.retiresAt, this.now + p.prePublish);
      this.#place(fresh, activates, activates + p.rotationPeriod);
      if (current.retiresAt < activates) this.#put({ ...current, retiresAt: activates });
    }
  }

  /** Removes retired and revoked keys whose retention has passed, whatever their algorithm. */
  #expire(): void {
    for (const k of this.#keys.values()) {
      if (
        (k.state === 'retired' || k.state === 'revoked') &&
        k.expiresAt !== null &&
        k.expiresAt <= this.now
      ) {
        this.#remove(k);
      }
    }
  }

  #promote(p: Policy, next: StoredKey, forced: boolean): StoredKey {
    const current = this.#find(p.alg, 'current');
    if (current) this.#retire(current);
    const promoted = this.#put({
      ...next,
      state: 'current',
      activatesAt: this.now,
      retiresAt: this.now + p.rotationPeriod,
    });
    this.#log.push({ type: 'rotated', alg: p.alg, from: current?.kid ?? null, to: next.kid, forced });
    // A next key that stays (an import activated ahead of it) follows the promoted key.
    const waiting = this.#find(p.alg, 'next');
    if (waiting) {
      this.#put({
        ...waiting,
        activatesAt: promoted.retiresAt,
        retiresAt: promoted.retiresAt + p.rotationPeriod,
      });
    }
    return promoted;
  }

  #retire(key: StoredKey): void {
    this.#put({
      ...key,
      state: 'retired',
      retiresAt: this.now,
      expiresAt: expiryOf(key.alg, this.now, this.settings),
    });
  }

  #fresh(alg: string): FreshKey | undefined {
    const fresh = this.supply(alg);
    if (!fresh) this.missing.set(alg, (this.missing.get(alg) ?? 0) + 1);
    return fresh;
  }

  /** Puts a new key in the schedule as `next`. */
  #place(fresh: FreshKey, activatesAt: number, retiresAt: number): StoredKey {
    const key: StoredKey = {
      ...fresh,
      state: 'next',
      createdAt: this.now,
      activatesAt,
      retiresAt,
      expiresAt: null,
      revokedAt: null,
    };
    return this.#put(key);
  }

  #find(alg: string, state: KeyState): StoredKey | undefined {
    for (const k of this.#keys.values()) if (k.alg === alg && k.state === state) return k;
    return undefined;
  }

  #put(key: StoredKey): StoredKey {
    this.#keys.set(key.kid, key);
    this.#changed.add(key.kid);
    this.#removed.delete(key.kid);
    return key;
  }

  #remove(key: StoredKey): void {
    this.#keys.delete(key.kid);
    this.#changed.delete(key.kid);
    if (this.#original.has(key.kid)) {
      this.#removed.add(key.kid);
      this.#log.push({ type: 'removed', alg: key.alg, kid: key.kid });
    }
  }
}

/** Keys in the public set: next, current and retired keys that have a public form. */
export function isPublished(key: StoredKey): boolean {
  return (
    key.publicJwk !== null && (key.state === 'next' || key.state === 'current' || key.state === 'retired')
  );
}

/**
 * How long (seconds) a JWKS response served at `now` may be cached: never past the earliest time
 * a key that is not in it yet can start signing, less the skew allowance. Since a cache may serve
 * a response for `staleWhileRevalidate` past its `max-age`, the two together stay within that
 * bound; `max-age` is also capped at `cacheMaxAge`. Both are 0 while nothing signs yet.
 */
export function cacheLifetime(
  keys: readonly StoredKey[],
  s: ScheduleSettings,
  now: number,
): { maxAge: number; staleWhileRevalidate: number } {
  let deadline = Number.POSITIVE_INFINITY;
  for (const p of s.policies) {
    if (!p.published) continue;
    const current = keys.find((k) => k.alg === p.alg && k.state === 'current');
    const next = keys.find((k) => k.alg === p.alg && k.state === 'next');
    // The first unpublished key of this alg activates no earlier than this.
    const unpublished = !current
      ? now
      : next
        ? Math.max(next.activatesAt, now) + p.rotationPeriod
        : Math.max(current.retiresAt, now + p.prePublish);
    deadline = Math.min(deadline, unpublished);
  }
  const available = Math.floor((deadline - now - s.skew) / 1000);
  const swrCap = Math.floor(s.staleWhileRevalidate / 1000);
  const maxAge = clamp(available - swrCap, 0, Math.floor(s.cacheMaxAge / 1000));
  return { maxAge, staleWhileRevalidate: clamp(available - maxAge, 0, swrCap) };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

/** When the schedule next has something to do (ms since the epoch); Infinity when nothing is pending. */
export function nextEventAt(keys: readonly StoredKey[], s: ScheduleSettings): number {
  let at = Number.POSITIVE_INFINITY;
  for (const k of keys) if (k.expiresAt !== null) at = Math.min(at, k.expiresAt);
  for (const p of s.policies) {
    const current = keys.find((k) => k.alg === p.alg && k.state === 'current');
    if (!current) return Number.NEGATIVE_INFINITY;
    const hasNext = keys.some((k) => k.alg === p.alg && k.state === 'next');
    at = Math.min(at, hasNext ? current.retiresAt : current.retiresAt - p.prePublish);
  }
  return at;
}

/**
 * The invariants a committed snapshot keeps, as a list of violations (empty when all hold):
 * exactly one current key per configured algorithm, at most one next key per algorithm, every
 * published key has its public form, every retired key stays long enough for its tokens.
 */
export function checkInvariants(keys: readonly StoredKey[], s: ScheduleSettings): string[] {
  const out: string[] = [];
  const algs = new Set([...s.policies.map((p) => p.alg), ...keys.map((k) => k.alg)]);
  for (const alg of algs) {
    const configured = s.policies.some((p) => p.alg === alg);
    const current = keys.filter((k) => k.alg === alg && k.state === 'current').length;
    const next = keys.filter((k) => k.alg === alg && k.state === 'next').length;
    if (configured ? current !== 1 : current > 1) out.push(`${alg}: ${current} current keys`);
    if (next > 1) out.push(`${alg}: ${next} next keys`);
  }
  for (const k of keys) {
    if (k.publicJwk === null && k.kty !== 'oct') out.push(`${k.kid}: no public form`);
    const p = s.policies.find((x) => x.alg === k.alg);
    if (k.state === 'retired' && p && (k.expiresAt ?? 0) < k.retiresAt + p.maxTokenLifetime) {
      out.push(`${k.kid}: retired key expires before its last token`);
    }
  }
  return out;
}
