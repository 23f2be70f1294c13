/**
 * The contract between token verification and wherever keys come from. `JWKSet` (local) and
 * `RemoteJWKSet` (fetched) implement it; `verifyJWT` consumes it. Keep it small and stable:
 * another part implements it.
 */

import type { CryptoBackend, KeyHandle } from '../crypto/backend.js';
import type { JWK } from '../jwk/model.js';

/**
 * A decoded JWS protected header (RFC 7515 §4.1). Only `alg` is required; everything else is
 * untrusted input and is typed as such.
 */
export interface JWSHeader {
  /** RFC 7515 §4.1.1 */
  alg: string;
  /** RFC 7515 §4.1.4 */
  kid?: string;
  /** RFC 7515 §4.1.9 */
  typ?: string;
  /** RFC 7515 §4.1.10 */
  cty?: string;
  /** RFC 7515 §4.1.11 */
  crit?: string[];
  /** RFC 7515 §4.1.2: a URL of a JWK Set; never fetched unless an option allows it. */
  jku?: string;
  /** RFC 7515 §4.1.3: an embedded key; never trusted unless an option allows it. */
  jwk?: Record<string, unknown>;
  /** RFC 7515 §4.1.5 */
  x5u?: string;
  /** RFC 7515 §4.1.6 */
  x5c?: string[];
  /** RFC 7515 §4.1.7 */
  x5t?: string;
  /** RFC 7515 §4.1.8 */
  'x5t#S256'?: string;
  /** RFC 7797 §3: jwkit rejects `b64: false`. */
  b64?: boolean;
  [member: string]: unknown;
}

/**
 * What to do when more than one key matches a header (several keys without `kid`, or a set
 * that repeats a `kid` across key types):
 * - `'reject'`: throw `KeySelectionError` `ERR_JWKS_MULTIPLE_MATCHING_KEYS` (default; an
 *   ambiguous set is a configuration problem worth surfacing);
 * - `'first'`: use the first match in set order;
 * - `'try-all'`: verification tries each match in set order and succeeds if one verifies
 *   (jose's behaviour for sets without kids). `selectKey` returns the first; `selectKeys` all.
 */
export type MultipleMatchPolicy = 'reject' | 'first' | 'try-all';

/** Options of `KeySource.selectKey`. */
export interface SelectKeyOptions {
  /** Default `'reject'`. */
  multipleMatches?: MultipleMatchPolicy;
  /** Backend used to import the key. Default: the active backend (`getBackend()`). */
  backend?: CryptoBackend;
}

/** A key chosen for a header, with its imported verification handle. */
export interface SelectedKey {
  /** The selected key (public form; a copy owned by the source, do not mutate). */
  readonly jwk: JWK;
  /** `jwk` imported for `header.alg` and usage `verify` on the requested backend. */
  readonly handle: KeyHandle;
}

export interface KeySource {
  /**
   * The one key to verify a JWS with this header. Throws `KeySelectionError` with
   * `ERR_JWKS_NO_MATCHING_KEY` or `ERR_JWKS_MULTIPLE_MATCHING_KEYS`.
   */
  selectKey(header: JWSHeader, options?: SelectKeyOptions): Promise<SelectedKey>;
  /**
   * Every matching key in priority order (never empty: throws like `selectKey` when nothing
   * matches). Used for `multipleMatches: 'try-all'`; optional.
   */
  selectKeys?(header: JWSHeader, options?: SelectKeyOptions): Promise<SelectedKey[]>;
  /**
   * Synchronous fast path: the selected key when it can be answered without I/O or an async
   * import (already cached), `undefined` when the caller must fall back to `selectKey(s)` (also
   * when several keys match under `'try-all'`).
   * Selection errors that need no I/O to decide may be thrown here. Optional.
   */
  selectKeySync?(header: JWSHeader, options?: SelectKeyOptions): SelectedKey | undefined;
}
