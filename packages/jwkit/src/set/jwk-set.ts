/**
 * A JWK Set held in memory (RFC 7517 §5): validated, jwkit-owned copies of keys, key selection
 * for JWS headers, public-only serialization and a strong ETag for publishing.
 */

import { getBackend } from '../crypto/active.js';
import type { CryptoBackend, KeyHandle } from '../crypto/backend.js';
import type { Problem } from '../errors/index.js';
import type { JWK, JWKSetJSON } from '../jwk/model.js';
import { toPublic } from '../jwk/model.js';
import { parseJWK, parseJWKSet, type SkippedKey, type ValidateOptions } from '../jwk/validate/index.js';
import { JWKSetError } from './errors.js';
import { strongETag } from './etag.js';
import { cachedHandle, importCached } from './key-cache.js';
import { type KeyEntry, keyEntry } from './key-entry.js';
import type {
  JWSHeader,
  KeySource,
  MultipleMatchPolicy,
  SelectedKey,
  SelectKeyOptions,
} from './key-source.js';
import { selectKeys } from './select.js';

export interface JWKSetOptions extends ValidateOptions {
  /**
   * Policy used when a header matches several keys and the caller gives none (jose's key
   * function, `select` without options). Default `'reject'`.
   */
  multipleMatches?: MultipleMatchPolicy;
}

export class JWKSet implements KeySource, Iterable<JWK> {
  #entries: KeyEntry[] = [];
  #options: JWKSetOptions;
  #version = 0;
  /** Selections already made, per backend, cleared on every change. */
  #selections = new WeakMap<CryptoBackend, Map<MultipleMatchPolicy, Map<string, SelectionSlot>>>();
  #etag: string | undefined;
  #skipped: readonly SkippedKey[] = [];
  #problems: readonly Problem[] = [];

  /**
   * A set of the given keys, each validated strictly (`parseJWK`): an invalid key throws
   * `JWKError`. Use `JWKSet.from` for untrusted documents, where bad keys should be skipped.
   */
  constructor(keys: Iterable<JWK | Record<string, unknown>> = [], options: JWKSetOptions = {}) {
    this.#options = options;
    for (const key of keys) this.add(key);
  }

  /**
   * Reads a JWK Set (JSON text or object) leniently: keys that fail validation are skipped and
   * reported in `skipped`/`problems`, the good ones kept (RFC 7517 §5). Throws `JWKError` only
   * when the input as a whole is unusable (not JSON, no `keys` array), or on any error with
   * `strict: true`.
   */
  static from(input: string | object, options: JWKSetOptions = {}): JWKSet {
    const report = parseJWKSet(input, options);
    const set = new JWKSet([], options);
    set.#skipped = report.skipped;
    set.#problems = report.problems;
    for (const jwk of report.keys) set.#entries.push(keyEntry(jwk));
    return set;
  }

  /** Keys `from` skipped (RFC 7517 §5: unusable keys are ignored, good ones kept). */
  get skipped(): readonly SkippedKey[] {
    return this.#skipped;
  }

  /** Every problem `from` found, including warnings on keys that were kept. */
  get problems(): readonly Problem[] {
    return this.#problems;
  }

  /** Number of keys. */
  get size(): number {
    return this.#entries.length;
  }

  /** Increases on every change; lets holders notice that the set changed. */
  get version(): number {
    return this.#version;
  }

  /**
   * Adds a key (validated with `parseJWK`). Throws `JWKSetError` `ERR_JWKS_DUPLICATE_KID` when a
   * key with the same `kid` is present (use `replace`), or `ERR_JWKS_DUPLICATE_KEY` when the same
   * key without a `kid` is. Returns the stored copy.
   */
  add(jwk: JWK | Record<string, unknown>): JWK {
    const e = keyEntry(parseJWK(jwk, this.#options));
    const kid = e.jwk.kid;
    if (kid !== undefined && this.#indexOfKid(kid) >= 0) {
      throw new JWKSetError(
        'ERR_JWKS_DUPLICATE_KID',
        `the set already holds a key with "kid" ${JSON.stringify(kid)}; use replace() to swap it`,
      );
    }
    if (kid === undefined && this.#entries.some((x) => x.jwk.kid === undefined && x.info.id === e.info.id)) {
      throw new JWKSetError(
        'ERR_JWKS_DUPLICATE_KEY',
        'the set already holds this key (same thumbprint, no kid)',
      );
    }
    this.#entries.push(e);
    this.#changed();
    return e.jwk;
  }

  /**
   * Puts `jwk` in the place of every key with its `kid` (or appends it when there is none), so
   * the set never ends up with two keys of that kid. `jwk` must have a `kid`. Returns the keys
   * it replaced.
   */
  replace(jwk: JWK | Record<string, unknown>): JWK[] {
    const e = keyEntry(parseJWK(jwk, this.#options));
    const kid = e.jwk.kid;
    if (kid === undefined) {
      throw new JWKSetError(
        'ERR_JWKS_KID_REQUIRED',
        'replace() finds the key to replace by "kid"; give the key a kid',
      );
    }
    const at = this.#indexOfKid(kid);
    const replaced = this.#entries.filter((x) => x.jwk.kid === kid).map((x) => x.jwk);
    this.#entries = this.#entries.filter((x) => x.jwk.kid !== kid);
    this.#entries.splice(at < 0 ? this.#entries.length : at, 0, e);
    this.#changed();
    return replaced;
  }

  /** Removes every key with this `kid`; returns whether one was removed. */
  remove(kid: string): boolean {
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((x) => x.jwk.kid !== kid);
    if (this.#entries.length === before) return false;
    this.#changed();
    return true;
  }

  /** The key with this `kid` (the first, if a lenient input repeated it). Frozen; do not mutate. */
  get(kid: string): JWK | undefined {
    return this.#entries.find((x) => x.jwk.kid === kid)?.jwk;
  }

  has(kid: string): boolean {
    return this.#indexOfKid(kid) >= 0;
  }

  /** The keys in set order (frozen copies owned by the set). */
  list(): JWK[] {
    return this.#entries.map((x) => x.jwk);
  }

  [Symbol.iterator](): Iterator<JWK> {
    return this.list()[Symbol.iterator]();
  }

  /**
   * The key to verify a JWS with this header, by the rules of select.ts, without importing it.
   * Throws `KeySelectionError`.
   */
  select(header: JWSHeader, options: Pick<SelectKeyOptions, 'multipleMatches'> = {}): JWK {
    return selectKeys(this.#entries, header, this.#policy(options))[0]!.verifyJwk;
  }

  async selectKey(header: JWSHeader, options: SelectKeyOptions = {}): Promise<SelectedKey> {
    return (await this.selectKeys(header, options))[0]!;
  }

  async selectKeys(header: JWSHeader, options: SelectKeyOptions = {}): Promise<SelectedKey[]> {
    const backend = options.backend ?? getBackend();
    const hit = this.#cachedSelection(backend, header, options);
    if (hit !== undefined) return hit;
    const version = this.#version;
    const selected: SelectedKey[] = [];
    for (const m of selectKeys(this.#entries, header, this.#policy(options))) {
      selected.push({
        jwk: m.verifyJwk,
        handle: await importCached(backend, m.jwk, header.alg, 'verify', m.info.id),
      });
    }
    // The set may have changed while importing; only a selection from the current set is kept.
    if (version === this.#version) this.#remember(backend, header, options, selected);
    return selected;
  }

  selectKeySync(header: JWSHeader, options: SelectKeyOptions = {}): SelectedKey | undefined {
    const backend = options.backend ?? getBackend();
    const hit = this.#cachedSelection(backend, header, options);
    // Several keys (policy 'try-all') cannot be answered with one: the caller goes async.
    if (hit !== undefined) return hit.length === 1 ? hit[0] : undefined;
    const selected: SelectedKey[] = [];
    for (const m of selectKeys(this.#entries, header, this.#policy(options))) {
      const handle: KeyHandle | undefined = cachedHandle(backend, m.jwk, header.alg, 'verify', m.info.id);
      if (handle === undefined) return undefined;
      selected.push({ jwk: m.verifyJwk, handle });
    }
    this.#remember(backend, header, options, selected);
    return selected.length === 1 ? selected[0] : undefined;
  }

  /**
   * A key function for jose's `jwtVerify(token, set.getKey)`: the same selection rules, returning
   * the selected key as a (frozen) JWK that jose imports and caches itself.
   */
  readonly getKey = async (header: { alg?: string; kid?: string }): Promise<JWK> =>
    this.select(header as JWSHeader, { multipleMatches: this.#options.multipleMatches });

  /**
   * The set as a JWK Set document. Public by default: private members are removed and oct
   * (secret) keys, which have no public form, are left out. `{ private: true }` returns the keys
   * as stored, secrets included.
   */
  toJSON(options?: { private?: boolean } | string): JWKSetJSON {
    const priv = typeof options === 'object' && options?.private === true;
    const keys: JWK[] = [];
    for (const { jwk } of this.#entries) {
      if (priv) keys.push(copy(jwk));
      // Always through toPublic, public keys too: a public EC key can still carry another key
      // type's private member (`k`, `p`), which must never be published (issue 13 point 1).
      else if (jwk.kty !== 'oct') keys.push(copy(toPublic(jwk)));
    }
    return { keys };
  }

  /** The strong ETag of `JSON.stringify(set.toJSON())`, the public serialization. */
  etag(): string {
    this.#etag ??= strongETag(JSON.stringify(this.toJSON()));
    return this.#etag;
  }

  #policy(options: Pick<SelectKeyOptions, 'multipleMatches'>): MultipleMatchPolicy {
    return options.multipleMatches ?? this.#options.multipleMatches ?? 'reject';
  }

  /**
   * Selections are cached per backend -> policy -> alg -> kid. Nested maps keyed by the header's
   * own strings (whose hashes V8 keeps) cost less per token than building one combined key.
   * Lookups never create entries; only successful selections are stored, so headers with made-up
   * algs or kids cannot grow the cache.
   */
  #cachedSelection(
    backend: CryptoBackend,
    header: JWSHeader,
    options: SelectKeyOptions,
  ): SelectedKey[] | undefined {
    const slot = this.#selections.get(backend)?.get(this.#policy(options))?.get(header.alg);
    if (slot === undefined) return undefined;
    return header.kid === undefined ? slot.noKid : slot.byKid.get(header.kid);
  }

  #remember(
    backend: CryptoBackend,
    header: JWSHeader,
    options: SelectKeyOptions,
    selected: SelectedKey[],
  ): void {
    const byPolicy = getOrAdd(this.#selections, backend, () => new Map());
    const byAlg = getOrAdd(byPolicy, this.#policy(options), () => new Map());
    const slot: SelectionSlot = getOrAdd(byAlg, header.alg, () => ({ byKid: new Map() }));
    if (header.kid === undefined) slot.noKid = selected;
    else slot.byKid.set(header.kid, selected);
  }

  #indexOfKid(kid: string): number {
    return this.#entries.findIndex((x) => x.jwk.kid === kid);
  }

  #changed(): void {
    this.#version++;
    this.#selections = new WeakMap();
    this.#etag = undefined;
  }
}

/** Cached selections of one (backend, policy, alg): for headers without kid, and by kid. */
interface SelectionSlot {
  noKid?: SelectedKey[];
  byKid: Map<string, SelectedKey[]>;
}

function getOrAdd<K, V>(
  map: { get(key: K): V | undefined; set(key: K, value: V): unknown },
  key: K,
  make: () => V,
): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/** A mutable copy for output (arrays such as `key_ops` and `x5c` copied too). */
function copy(jwk: JWK): JWK {
  return structuredClone(jwk) as JWK;
}
